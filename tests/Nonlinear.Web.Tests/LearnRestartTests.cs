using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>What a learner did is still there after the server stops and starts again on the same database file.</summary>
public sealed class LearnRestartTests
{
    [Fact]
    public async Task Progress_attempts_and_posts_survive_a_restart()
    {
        var jar = new CookieContainer();
        string db;
        long thread;
        int attemptsBefore;
        using (var before = new WebAppFactory())
        {
            db = before.Db;
            using var client = before.ClientWith(jar);
            await CsrfToken.SignInAsync(client, "Hana");
            await ExercisesApi.SolveAsync(client, "m2-forward-sigmoid");
            await ExercisesApi.AnswerAsync(client, "m2-derivative-sigmoid", new { value = 9.0, derivative = 9.0 });
            var posted = await ExercisesApi.PostJsonAsync(client, "/api/discuss/threads", new { board = "m2", title = "Saturation", body = "Why does σ′ vanish for **large** |z|?" });
            thread = posted.GetProperty("id").GetInt64();
            attemptsBefore = Attempts(await client.GetFromJsonAsync<JsonElement>("/api/learn/progress"));
        }

        using var after = new WebAppFactory { Db = db };
        using var again = after.ClientWith(jar);

        // The same browser is still signed in (the cookie's session is in the file), with the same progress.
        var me = await again.GetFromJsonAsync<JsonElement>("/api/learn/me");
        Assert.Equal("Hana", me.GetProperty("learner").GetProperty("name").GetString());
        var progress = await again.GetFromJsonAsync<JsonElement>("/api/learn/progress");
        Assert.Equal(attemptsBefore, Attempts(progress));
        Assert.True(attemptsBefore >= 2);
        var m2 = progress.GetProperty("modules").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "m2");
        var exercises = m2.GetProperty("exercises").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!);
        Assert.True(exercises["m2-forward-sigmoid"].GetProperty("solved").GetBoolean());
        Assert.False(exercises["m2-derivative-sigmoid"].GetProperty("solved").GetBoolean());

        // The post is there, rendered again from its stored Markdown.
        var read = await again.GetFromJsonAsync<JsonElement>($"/api/discuss/threads/{thread}");
        Assert.Equal("Saturation", read.GetProperty("title").GetString());
        Assert.Contains("<strong>large</strong>", read.GetProperty("posts")[0].GetProperty("html").GetString(), StringComparison.Ordinal);

        // A profile picked again by name on a new browser finds the same progress.
        using var other = after.CreateClient();
        await CsrfToken.SignInAsync(other, "hana");
        Assert.Equal(attemptsBefore, Attempts(await other.GetFromJsonAsync<JsonElement>("/api/learn/progress")));
    }

    [Fact]
    public async Task An_exercise_keeps_its_numbers_across_a_restart()
    {
        var jar = new CookieContainer();
        string db;
        string prompt;
        using (var before = new WebAppFactory())
        {
            db = before.Db;
            using var client = before.ClientWith(jar);
            await CsrfToken.SignInAsync(client, "Ivo");
            await ExercisesApi.PostJsonAsync(client, "/api/learn/exercises/m3-forward-tanh/next", new { });
            prompt = (await ExercisesApi.GetJsonAsync(client, "/api/learn/exercises/m3-forward-tanh")).GetProperty("prompt").GetString()!;
        }

        using var after = new WebAppFactory { Db = db };
        using var again = after.ClientWith(jar);
        var exercise = await ExercisesApi.GetJsonAsync(again, "/api/learn/exercises/m3-forward-tanh");
        Assert.Equal(1, exercise.GetProperty("variant").GetInt32());
        Assert.Equal(prompt, exercise.GetProperty("prompt").GetString());
    }

    private static int Attempts(JsonElement progress) => progress.GetProperty("modules").EnumerateArray()
        .SelectMany(m => m.GetProperty("exercises").EnumerateArray())
        .Sum(e => e.GetProperty("attempts").GetInt32());
}
