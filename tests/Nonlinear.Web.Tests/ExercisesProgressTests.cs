using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesApi;

namespace Nonlinear.Web.Tests;

/// <summary>GET /api/learn/progress, its export as a file and the import of that file into another profile.</summary>
public sealed class ExercisesProgressTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task Progress_lists_every_module_and_exercise_with_solved_and_attempts()
    {
        using var client = factory.CreateClient();
        string name = NewName();
        await SignInAsync(client, name);
        await AnswerAsync(client, "m3-forward-tanh", new { z = 9, a = 9 });
        await SolveAsync(client, "m2-derivative-sigmoid");
        var progress = await GetJsonAsync(client, "/api/learn/progress");
        Assert.Equal(name, progress.GetProperty("learner").GetProperty("name").GetString());
        var modules = progress.GetProperty("modules").EnumerateArray().ToList();
        Assert.Equal(ExercisesKit.Course.Modules.Select(m => m.Id), modules.Select(m => m.GetProperty("id").GetString()));
        Assert.Equal(ExercisesKit.Course.Modules.Sum(m => m.Exercises.Count), progress.GetProperty("total").GetInt32());
        Assert.Equal(1, progress.GetProperty("solved").GetInt32());
        var exercises = modules.SelectMany(m => m.GetProperty("exercises").EnumerateArray()).ToDictionary(e => e.GetProperty("id").GetString()!);
        Assert.True(exercises["m2-derivative-sigmoid"].GetProperty("solved").GetBoolean());
        Assert.Equal(1, exercises["m3-forward-tanh"].GetProperty("attempts").GetInt32());
        Assert.False(exercises["m3-forward-tanh"].GetProperty("solved").GetBoolean());
        Assert.All(modules, m => Assert.False(m.GetProperty("complete").GetBoolean()));
    }

    [Fact]
    public async Task Export_then_import_into_another_profile_reproduces_the_progress_and_a_second_import_changes_nothing()
    {
        using var alice = factory.CreateClient();
        string aliceName = NewName();
        await SignInAsync(alice, aliceName);
        foreach (string id in new[] { "m2-forward-sigmoid", "m2-derivative-sigmoid", "m2-concept-binary" })
        {
            await SolveAsync(alice, id);
        }

        await AnswerAsync(alice, "m3-forward-tanh", new { z = 9, a = 9 });
        await PostJsonAsync(alice, "/api/learn/exercises/m4-forward-relu/next", new { });

        using var export = await alice.GetAsync("/api/learn/progress/export");
        export.EnsureSuccessStatusCode();
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".json", export.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "", StringComparison.Ordinal);
        string file = await export.Content.ReadAsStringAsync();
        var json = JsonDocument.Parse(file).RootElement;
        Assert.Equal("nonlinear-progress", json.GetProperty("format").GetString());
        Assert.Equal(1, json.GetProperty("version").GetInt32());
        Assert.Contains(json.GetProperty("completions").EnumerateArray(), c => c.GetProperty("module").GetString() == "m2");

        using var bob = factory.CreateClient();
        string bobName = NewName();
        await SignInAsync(bob, bobName);
        using var imported = await bob.PostAsync("/api/learn/progress/import", new StringContent(file, Encoding.UTF8, "application/json"));
        string importedBody = await imported.Content.ReadAsStringAsync();
        Assert.True(imported.IsSuccessStatusCode, importedBody);
        Assert.Equal(json.GetProperty("attempts").GetArrayLength(), JsonDocument.Parse(importedBody).RootElement.GetProperty("added").GetProperty("attempts").GetInt32());

        var aliceProgress = await GetJsonAsync(alice, "/api/learn/progress");
        var bobProgress = await GetJsonAsync(bob, "/api/learn/progress");
        Assert.Equal(Modules(aliceProgress), Modules(bobProgress));
        Assert.Equal(aliceProgress.GetProperty("solved").GetInt32(), bobProgress.GetProperty("solved").GetInt32());
        Assert.Equal(1, (await GetJsonAsync(bob, "/api/learn/exercises/m4-forward-relu")).GetProperty("variant").GetInt32());

        long a = LearnerId(factory.Services, aliceName), b = LearnerId(factory.Services, bobName);
        const string sameAttempts = """
            SELECT count(*) FROM attempts x JOIN attempts y
              ON x.exercise_id = y.exercise_id AND x.variant = y.variant AND x.answer = y.answer AND x.correct = y.correct
                 AND x.mistake IS y.mistake AND x.created_at = y.created_at
            WHERE x.learner_id = $a AND y.learner_id = $b;
            """;
        long aliceAttempts = Count(factory.Services, "SELECT count(*) FROM attempts WHERE learner_id = $a;", ("$a", a));
        Assert.Equal(aliceAttempts, Count(factory.Services, sameAttempts, ("$a", a), ("$b", b)));

        using var again = await bob.PostAsync("/api/learn/progress/import", new StringContent(file, Encoding.UTF8, "application/json"));
        var againBody = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, againBody.GetProperty("added").GetProperty("attempts").GetInt32());
        Assert.Equal(0, againBody.GetProperty("added").GetProperty("completions").GetInt32());
        Assert.Equal(aliceAttempts, Count(factory.Services, "SELECT count(*) FROM attempts WHERE learner_id = $b;", ("$b", b)));
    }

    [Fact]
    public async Task Imported_attempts_that_complete_a_module_record_its_completion()
    {
        using var client = factory.CreateClient();
        string name = NewName();
        await SignInAsync(client, name);
        var attempts = ExercisesKit.Course.Module("m3").Exercises.Select(e => new
        {
            exercise = e.Id, variant = 0, answer = """{"z":1}""", correct = true, mistake = (string?)null, created = "2025-03-01T12:00:00.000Z",
        });
        var result = await PostJsonAsync(client, "/api/learn/progress/import", new { format = "nonlinear-progress", version = 1, attempts });
        Assert.Equal(1, result.GetProperty("added").GetProperty("completions").GetInt32());
        Assert.Equal(1, Count(factory.Services, "SELECT count(*) FROM completions WHERE learner_id = $id AND module_id = 'm3';", ("$id", LearnerId(factory.Services, name))));
    }

    public static TheoryData<string, string> Garbage => new()
    {
        { "not json at all", "not a valid" },
        { "[]", "not a valid" },
        { """{"format":"something-else","version":1}""", "format" },
        { """{"version":1}""", "format" },
        { """{"format":"nonlinear-progress","version":2}""", "version 2" },
        { """{"format":"nonlinear-progress","version":"1"}""", "version" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT,{"exercise":"m2-made-up","variant":0,"answer":"{}","correct":true,"created":"2025-03-01T12:00:00.000Z"}]}""", "attempts[1].exercise" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT,{"exercise":"m2-forward-sigmoid","variant":-1,"answer":"{}","correct":true,"created":"2025-03-01T12:00:00.000Z"}]}""", "attempts[1].variant" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT,{"exercise":"m2-forward-sigmoid","variant":0,"answer":"{oops","correct":true,"created":"2025-03-01T12:00:00.000Z"}]}""", "attempts[1].answer" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT,{"exercise":"m2-forward-sigmoid","variant":0,"answer":"{}","correct":true,"created":"yesterday"}]}""", "attempts[1].created" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT,{"exercise":"m2-forward-sigmoid","variant":0,"answer":"{}","created":"2025-03-01T12:00:00.000Z"}]}""", "attempts[1].correct" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT,{"exercise":"m2-forward-sigmoid","variant":0,"answer":"{}","correct":false,"mistake":"<script>","created":"2025-03-01T12:00:00.000Z"}]}""", "attempts[1].mistake" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT,null]}""", "attempts[1]" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT],"completions":[{"module":"m99","completed":"2025-03-01T12:00:00.000Z"}]}""", "completions[0].module" },
        { """{"format":"nonlinear-progress","version":1,"attempts":[ATTEMPT],"variants":[{"exercise":"m2-forward-sigmoid","variant":99999999}]}""", "variants[0].variant" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task A_bad_progress_file_is_a_400_naming_the_problem_and_nothing_is_written(string body, string named)
    {
        using var client = factory.CreateClient();
        string name = NewName();
        await SignInAsync(client, name);
        const string attempt = """{"exercise":"m2-forward-sigmoid","variant":0,"answer":"{\"z\":1,\"a\":1}","correct":true,"created":"2025-03-01T12:00:00.000Z"}""";
        await Problems.AssertAsync(
            await PostRawAsync(client, "/api/learn/progress/import", body.Replace("ATTEMPT", attempt, StringComparison.Ordinal)),
            HttpStatusCode.BadRequest,
            named);
        long id = LearnerId(factory.Services, name);
        Assert.Equal(0, Count(factory.Services, "SELECT count(*) FROM attempts WHERE learner_id = $id;", ("$id", id)));
        Assert.Equal(0, Count(factory.Services, "SELECT count(*) FROM completions WHERE learner_id = $id;", ("$id", id)));
        Assert.Equal(0, Count(factory.Services, "SELECT count(*) FROM exercise_variants WHERE learner_id = $id;", ("$id", id)));
    }

    [Fact]
    public async Task A_file_with_too_many_attempts_is_refused()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        var attempt = new JsonObject { ["exercise"] = "m2-forward-sigmoid", ["variant"] = 0, ["answer"] = "{}", ["correct"] = false, ["created"] = "2025-03-01T12:00:00.000Z" };
        var attempts = new JsonArray([.. Enumerable.Range(0, 20_001).Select(_ => (JsonNode?)attempt.DeepClone())]);
        var file = new JsonObject { ["format"] = "nonlinear-progress", ["version"] = 1, ["attempts"] = attempts };
        await Problems.AssertAsync(await PostRawAsync(client, "/api/learn/progress/import", file.ToJsonString()), HttpStatusCode.BadRequest, "20001 attempts");
    }

    private static List<string> Modules(JsonElement progress) =>
        [.. progress.GetProperty("modules").EnumerateArray().Select(m =>
            m.GetProperty("id").GetString() + ":" + m.GetProperty("complete").GetBoolean() + ":" +
            string.Join(",", m.GetProperty("exercises").EnumerateArray().Select(e => $"{e.GetProperty("id").GetString()}={e.GetProperty("solved").GetBoolean()}/{e.GetProperty("attempts").GetInt32()}")))];
}
