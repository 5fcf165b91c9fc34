using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Classroom;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Storage;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// Classroom mode: the join and instructor codes, the cookie they give, the gate in front of the API, the limit on
/// wrong codes, the instructor's view of the class, and sessions that outlive a restart.
/// </summary>
public sealed class ClassroomTests : IClassFixture<ClassroomAppFactory>
{
    private readonly ClassroomAppFactory _app;

    public ClassroomTests(ClassroomAppFactory app) => _app = app;

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("JOIN43")]
    [InlineData("TEACH-1234-XYZ")] // the instructor's code is not a join code
    [InlineData("JOIN42 OR 1=1")]
    public async Task A_missing_or_wrong_join_code_is_refused(string? code)
    {
        using var app = new ClassroomAppFactory();
        using var client = app.CookielessClient();
        using var response = await client.PostAsJsonAsync("/api/classroom/join", new { code, name = "Mallory" });
        await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "join code");
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task The_right_join_code_gives_an_HttpOnly_SameSite_Strict_session_cookie()
    {
        using var client = _app.CookielessClient();

        // Codes are typed by hand: case, spaces and dashes do not matter.
        using var response = await client.PostAsJsonAsync("/api/classroom/join", new { code = " join-42 ", name = "Ada" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var learner = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("learner");
        Assert.Equal("Ada", learner.GetProperty("name").GetString());
        Assert.Equal("learner", learner.GetProperty("role").GetString());

        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        string session = Assert.Single(cookies, c => c.StartsWith("nl_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", session, StringComparison.OrdinalIgnoreCase);

        // The forgery token is for the page's script to read: not HttpOnly, but just as strict about other sites.
        string csrf = Assert.Single(cookies, c => c.StartsWith("nl_csrf=", StringComparison.Ordinal));
        Assert.DoesNotContain("httponly", csrf, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", csrf, StringComparison.OrdinalIgnoreCase);

        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/learn/me");
        me.Headers.Add("Cookie", session.Split(';')[0]);
        var who = await (await client.SendAsync(me)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Ada", who.GetProperty("learner").GetProperty("name").GetString());
        Assert.True(who.GetProperty("classroom").GetBoolean());
        Assert.Equal(0, who.GetProperty("profiles").GetArrayLength());
    }

    [Fact]
    public async Task The_instructor_code_signs_in_the_instructor_and_other_codes_do_not()
    {
        using var client = _app.CreateClient();
        foreach (string wrong in new[] { "", ClassroomAppFactory.JoinCode, "TEACH-1234-XY" })
        {
            using var refused = await client.PostAsJsonAsync("/api/classroom/instructor", new { code = wrong });
            await Problems.AssertAsync(refused, HttpStatusCode.Forbidden, "instructor code");
        }

        using var response = await client.PostAsJsonAsync("/api/classroom/instructor", new { code = "teach 1234 xyz" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var learner = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("learner");
        Assert.Equal("Instructor", learner.GetProperty("name").GetString());
        Assert.Equal("instructor", learner.GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/classroom/progress")).StatusCode);
    }

    [Fact]
    public async Task A_learner_is_refused_the_instructors_view()
    {
        using var client = await JoinAsync(_app, "Bob");
        using var response = await client.GetAsync("/api/classroom/progress");
        await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "instructor");
    }

    [Theory]
    [InlineData("POST", "/api/sessions")]
    [InlineData("GET", "/api/activations")]
    [InlineData("GET", "/api/activations/relu")]
    [InlineData("GET", "/api/learn/course")]
    [InlineData("GET", "/api/learn/modules/m1")]
    [InlineData("GET", "/api/learn/progress")]
    [InlineData("POST", "/api/learn/signout")]
    [InlineData("POST", "/api/learn/exercises/m2-forward-sigmoid/answers")]
    [InlineData("GET", "/api/discuss/threads?board=general")]
    [InlineData("POST", "/api/state/parse")]
    [InlineData("GET", "/api/images/gallery")]
    [InlineData("POST", "/api/images/sessions")]
    [InlineData("GET", "/api/sessions/abc/stream")]
    [InlineData("POST", "/api/uploads")]
    [InlineData("GET", "/api/classroom/progress")]
    [InlineData("GET", "/API/Activations")]
    [InlineData("GET", "/api/no-such-thing")]
    [InlineData("POST", "/api/health")]
    public async Task Without_a_session_every_api_call_is_refused_with_how_to_join(string method, string path)
    {
        using var client = _app.CookielessClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { });
        }

        using var response = await client.SendAsync(request);
        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "join");
    }

    [Theory]
    [InlineData("/api/health")]
    [InlineData("/api/learn/me")]
    [InlineData("/")]
    [InlineData("/learn")]
    [InlineData("/learn/m3")]
    [InlineData("/learn/classroom")]
    [InlineData("/static/common/api.js")]
    [InlineData("/static/learn/classroom.js")]
    public async Task The_page_and_the_join_forms_calls_are_open_without_a_session(string path)
    {
        using var client = _app.CookielessClient();
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_joined_learner_passes_the_gate()
    {
        using var client = await JoinAsync(_app, "Cleo");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/activations")).StatusCode);
        using var session = await client.PostAsJsonAsync("/api/sessions", new { });
        Assert.Equal(HttpStatusCode.Created, session.StatusCode);
    }

    [Fact]
    public async Task Choosing_a_profile_by_name_alone_is_refused_in_a_classroom()
    {
        using var client = _app.CookielessClient();
        using var response = await client.PostAsJsonAsync("/api/learn/profile", new { name = "Dan" });

        // The gate answers first (no session); with a session the endpoint itself refuses.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var joined = await JoinAsync(_app, "Dana");
        using var again = await joined.PostAsJsonAsync("/api/learn/profile", new { name = "Dan" });
        await Problems.AssertAsync(again, HttpStatusCode.Forbidden, "join code");
    }

    [Fact]
    public async Task A_learner_cannot_take_the_instructors_name_or_a_name_in_use()
    {
        using var first = await JoinAsync(_app, "Erin");

        using var other = _app.CreateClient();
        using var instructor = await other.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name = "instructor" });
        await Problems.AssertAsync(instructor, HttpStatusCode.Conflict, "instructor");

        using var taken = await other.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name = "ERIN" });
        await Problems.AssertAsync(taken, HttpStatusCode.Conflict, "already uses", "Erin");

        // The browser that holds the name may join again; once it signs out, the name (and its progress) is free.
        using var rejoin = await first.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name = "Erin" });
        Assert.Equal(HttpStatusCode.OK, rejoin.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await first.PostAsync("/api/learn/signout", null)).StatusCode);
        using var free = await other.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name = "erin" });
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        Assert.Equal("Erin", (await free.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("learner").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_progress_file_cannot_be_imported_in_a_classroom_but_can_be_exported()
    {
        using var learner = await JoinAsync(_app, "Gil");
        using var export = await learner.GetAsync("/api/learn/progress/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        string file = await export.Content.ReadAsStringAsync();

        using var content = new StringContent(file, System.Text.Encoding.UTF8, "application/json");
        using var import = await learner.PostAsync("/api/learn/progress/import", content);
        await Problems.AssertAsync(import, HttpStatusCode.Forbidden, "classroom");
    }

    [Fact]
    public async Task Too_many_wrong_codes_from_one_address_are_turned_away_with_the_wait()
    {
        using var app = new ClassroomAppFactory();
        using var client = app.CreateClient();
        for (int i = 0; i < CodeGuesses.MaxWrongPerMinute; i++)
        {
            using var wrong = await client.PostAsJsonAsync(i % 2 == 0 ? "/api/classroom/join" : "/api/classroom/instructor", new { code = $"GUESS{i}", name = "Eve" });
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }

        // Even the right code waits: otherwise guessing would go on and only the answers would be hidden.
        using var limited = await client.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name = "Eve" });
        await Problems.AssertAsync(limited, HttpStatusCode.TooManyRequests, "try again in");
        int wait = int.Parse(Assert.Single(limited.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(wait, 1, 60);
        using var instructor = await client.PostAsJsonAsync("/api/classroom/instructor", new { code = ClassroomAppFactory.InstructorCode });
        Assert.Equal(HttpStatusCode.TooManyRequests, instructor.StatusCode);
    }

    [Fact]
    public void Wrong_codes_are_forgotten_after_a_minute_and_memory_stays_bounded()
    {
        var clock = new ManualClock();
        var guesses = new CodeGuesses(clock);
        var address = IPAddress.Parse("192.0.2.7");
        for (int i = 0; i < CodeGuesses.MaxWrongPerMinute - 1; i++)
        {
            guesses.Wrong(address);
        }

        Assert.Null(guesses.Wait(address));
        guesses.Wrong(address);
        Assert.NotNull(guesses.Wait(address));
        Assert.Null(guesses.Wait(IPAddress.Parse("192.0.2.8")));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Null(guesses.Wait(address));

        // One machine holds a whole IPv6 /64: its addresses count together.
        for (int i = 0; i < CodeGuesses.MaxWrongPerMinute; i++)
        {
            guesses.Wrong(IPAddress.Parse($"2001:db8::{i + 1:x}"));
        }

        Assert.NotNull(guesses.Wait(IPAddress.Parse("2001:db8::ffff")));

        for (int i = 0; i < 3 * CodeGuesses.MaxAddresses; i++)
        {
            guesses.Wrong(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.InRange(guesses.Count, 1, CodeGuesses.MaxAddresses + 1);
    }

    [Fact]
    public async Task The_instructor_sees_each_learners_modules_and_each_exercises_success()
    {
        using var app = new ClassroomAppFactory();
        using var ann = await JoinAsync(app, "Ann");
        using var ben = await JoinAsync(app, "Ben");
        using var teacher = app.CreateClient();
        using var signIn = await teacher.PostAsJsonAsync("/api/classroom/instructor", new { code = ClassroomAppFactory.InstructorCode });
        long annId = await IdAsync(ann);
        long benId = await IdAsync(ben);
        long teacherId = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("learner").GetProperty("id").GetInt64();

        // Progress as the exercise endpoints store it: Ann solved every exercise of m2 (one of them at the second try);
        // Ben tried the first twice, wrong, and has m1 in completions. The instructor's own tries must not count.
        var course = Course.Load();
        var m2 = course.Module("m2").Exercises.Select(e => e.Id).ToList();
        string first = m2[0];
        var database = app.Services.GetRequiredService<LearnDatabase>();
        AddAttempt(database, annId, first, correct: false);
        foreach (string id in m2)
        {
            AddAttempt(database, annId, id, correct: true);
        }

        AddAttempt(database, benId, first, correct: false);
        AddAttempt(database, benId, first, correct: false);
        AddAttempt(database, teacherId, first, correct: true);
        database.Write((connection, transaction) =>
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO completions (learner_id, module_id, completed_at) VALUES ($learner, 'm1', $now);";
            insert.Parameters.AddWithValue("$learner", benId);
            insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
            return insert.ExecuteNonQuery();
        });

        var report = await teacher.GetFromJsonAsync<JsonElement>("/api/classroom/progress");
        var learners = report.GetProperty("learners").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);
        Assert.Equal(["Ann", "Ben"], learners.Keys.Order(StringComparer.Ordinal));
        Assert.True(learners["Ann"].GetProperty("modules").GetProperty("m2").GetBoolean());
        Assert.False(learners["Ann"].GetProperty("modules").GetProperty("m1").GetBoolean());
        Assert.Equal(m2.Count, learners["Ann"].GetProperty("solved").GetInt32());
        Assert.Equal(m2.Count, learners["Ann"].GetProperty("moduleSolved").GetProperty("m2").GetInt32());
        Assert.True(learners["Ben"].GetProperty("modules").GetProperty("m1").GetBoolean());
        Assert.False(learners["Ben"].GetProperty("modules").GetProperty("m2").GetBoolean());
        Assert.Equal(0, learners["Ben"].GetProperty("solved").GetInt32());
        Assert.Equal(course.Modules.Count, learners["Ben"].GetProperty("modules").EnumerateObject().Count());

        var exercises = report.GetProperty("exercises").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!);
        Assert.Equal(course.Modules.Sum(m => m.Exercises.Count), exercises.Count);
        var hard = exercises[first];
        Assert.Equal(course.Exercise(first).Title, hard.GetProperty("title").GetString());
        Assert.Equal(4, hard.GetProperty("attempts").GetInt32()); // Ann 2, Ben 2; not the instructor's
        Assert.Equal(1, hard.GetProperty("correct").GetInt32());
        Assert.Equal(2, hard.GetProperty("learners").GetInt32());
        Assert.Equal(1, hard.GetProperty("solvedBy").GetInt32());
        Assert.Equal(0.5, hard.GetProperty("successRate").GetDouble(), 12);
        Assert.Equal(1.0, exercises[m2[1]].GetProperty("successRate").GetDouble(), 12);
        Assert.Equal(JsonValueKind.Null, exercises[course.Module("m9").Exercises[0].Id].GetProperty("successRate").ValueKind);
    }

    [Fact]
    public async Task A_session_outlives_a_restart_on_the_same_database()
    {
        var jar = new CookieContainer();
        string db;
        string token;
        using (var before = new ClassroomAppFactory())
        {
            db = before.Db;
            using var client = before.ClientWith(jar);
            using var joined = await client.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name = "Fay" });
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
            token = CsrfToken.From(joined)!;
        }

        using var after = new ClassroomAppFactory { Db = db };
        using var again = after.ClientWith(jar);
        var me = await again.GetFromJsonAsync<JsonElement>("/api/learn/me");
        Assert.Equal("Fay", me.GetProperty("learner").GetProperty("name").GetString());

        // The forgery token is signed with the database's key, so the page's cookie still works after the restart.
        again.DefaultRequestHeaders.Add(CsrfToken.Header, token);
        using var session = await again.PostAsJsonAsync("/api/sessions", new { });
        Assert.Equal(HttpStatusCode.Created, session.StatusCode);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("[::]")]
    [InlineData("192.168.1.20")]
    public void A_host_for_other_machines_is_allowed_only_in_classroom_mode(string host)
    {
        var e = Assert.Throws<ArgumentException>(() => new ServeOptions { Host = host }.Validate());
        Assert.Contains("add --classroom", e.Message, StringComparison.Ordinal);
        new ServeOptions { Host = host, Classroom = true }.Validate();
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("*")]
    [InlineData("+")]
    [InlineData("127.0.0.1:8080")]
    public void In_classroom_mode_the_host_must_be_an_ip_address(string host)
    {
        var e = Assert.Throws<ArgumentException>(() => new ServeOptions { Host = host, Classroom = true }.Validate());
        Assert.Contains("not an IP address", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ab-c", "TEACHER1")]
    [InlineData("JOIN42", " - ")]
    [InlineData("JOIN42", "join-42")]
    public void Codes_given_in_the_settings_must_be_long_enough_and_different(string join, string instructor)
    {
        var e = Assert.Throws<ArgumentException>(() => new ServeOptions { Classroom = true, JoinCode = join, InstructorCode = instructor }.Validate());
        Assert.Contains("code", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Codes_made_at_random_are_easy_to_type_and_new_each_start()
    {
        var made = Enumerable.Range(0, 20).Select(_ =>
        {
            var options = new ServeOptions { Classroom = true };
            var codes = ClassroomCodes.From(options)!;
            Assert.True(codes.IsJoinCode(options.JoinCode!.ToLowerInvariant()));
            Assert.True(codes.IsInstructorCode(options.InstructorCode));
            Assert.False(codes.IsInstructorCode(options.JoinCode));
            return (Join: options.JoinCode!, Instructor: options.InstructorCode!);
        }).ToList();

        Assert.All(made, m =>
        {
            Assert.Matches("^[A-HJKMNP-Z2-9]{6}$", m.Join);
            Assert.Matches("^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$", m.Instructor);
        });
        Assert.Equal(made.Count, made.Select(m => m.Join).Distinct().Count());
        Assert.Null(ClassroomCodes.From(new ServeOptions()));
    }

    /// <summary>A client of <paramref name="app"/> that joined as <paramref name="name"/> and sends the forgery token.</summary>
    internal static async Task<HttpClient> JoinAsync(ClassroomAppFactory app, string name)
    {
        var client = app.CreateClient();
        using var response = await client.PostAsJsonAsync("/api/classroom/join", new { code = ClassroomAppFactory.JoinCode, name });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        CsrfToken.Adopt(client, response);
        return client;
    }

    private static async Task<long> IdAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/learn/me")).GetProperty("learner").GetProperty("id").GetInt64();

    private static void AddAttempt(LearnDatabase database, long learner, string exercise, bool correct) => database.Write((connection, transaction) =>
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO attempts (learner_id, exercise_id, variant, answer, correct, created_at) VALUES ($learner, $exercise, 0, '{}', $correct, $now);";
        insert.Parameters.AddWithValue("$learner", learner);
        insert.Parameters.AddWithValue("$exercise", exercise);
        insert.Parameters.AddWithValue("$correct", correct ? 1 : 0);
        insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
        return insert.ExecuteNonQuery();
    });

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
