using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Learn.Exercises;
using Nonlinear.Web.Storage;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesApi;

namespace Nonlinear.Web.Tests;

/// <summary>GET /api/learn/exercises/{id}, POST .../answers and .../next over the app (in-memory server, temp database).</summary>
public sealed class ExercisesEndpointTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private const string Sigmoid = "m2-forward-sigmoid";

    [Fact]
    public async Task Without_a_learner_exercises_and_progress_are_401()
    {
        using var client = factory.CreateClient();
        var calls = new Func<Task<HttpResponseMessage>>[]
        {
            () => client.GetAsync($"/api/learn/exercises/{Sigmoid}"),
            () => client.PostAsJsonAsync($"/api/learn/exercises/{Sigmoid}/answers", new { variant = 0, answers = new { z = 1, a = 1 } }),
            () => client.PostAsync($"/api/learn/exercises/{Sigmoid}/next", null),
            () => client.GetAsync("/api/learn/progress"),
            () => client.GetAsync("/api/learn/progress/export"),
            () => client.PostAsJsonAsync("/api/learn/progress/import", new { format = "nonlinear-progress", version = 1 }),
        };
        foreach (var call in calls)
        {
            using var response = await call();
            await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "name");
        }
    }

    [Fact]
    public async Task An_unknown_exercise_is_404()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        await Problems.AssertAsync(await client.GetAsync("/api/learn/exercises/m2-nothing"), HttpStatusCode.NotFound, "m2-nothing");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/learn/exercises/m2-nothing/answers", new { variant = 0, answers = new { } }), HttpStatusCode.NotFound, "m2-nothing");
    }

    [Fact]
    public async Task A_course_exercise_of_a_kind_this_build_lacks_is_a_clear_404()
    {
        using var app = factory.WithWebHostBuilder(builder => builder.ConfigureServices(services => services.AddSingleton(new ExerciseKinds(ExerciseKinds.ByHand))));
        using var client = app.CreateClient();
        await SignInAsync(client, NewName());
        await Problems.AssertAsync(await client.GetAsync("/api/learn/exercises/m1-learn-xor"), HttpStatusCode.NotFound, "not available in this build");
        await Problems.AssertAsync(await client.PostAsJsonAsync("/api/learn/exercises/m1-learn-xor/answers", new { variant = 0, answers = new { } }), HttpStatusCode.NotFound, "not available");
    }

    [Fact]
    public async Task An_exercise_has_the_contracts_shape_and_the_same_numbers_after_a_reload_but_not_for_another_learner()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        var exercise = await GetJsonAsync(client, $"/api/learn/exercises/{Sigmoid}");
        Assert.Equal(Sigmoid, exercise.GetProperty("id").GetString());
        Assert.Equal("m2", exercise.GetProperty("module").GetString());
        Assert.Equal("forward", exercise.GetProperty("kind").GetString());
        Assert.Equal(0, exercise.GetProperty("variant").GetInt32());
        Assert.Equal(0, exercise.GetProperty("attempts").GetInt32());
        Assert.False(exercise.GetProperty("solved").GetBoolean());
        Assert.Equal(JsonValueKind.Null, exercise.GetProperty("solution").ValueKind);
        var fields = exercise.GetProperty("fields").EnumerateArray().ToList();
        Assert.Equal(["z", "a"], fields.Select(f => f.GetProperty("name").GetString()));
        Assert.All(fields, f => Assert.Equal(0.001, f.GetProperty("tolerance").GetDouble()));
        Assert.All(fields, f => Assert.False(f.TryGetProperty("options", out _)));

        var again = await GetJsonAsync(client, $"/api/learn/exercises/{Sigmoid}");
        Assert.Equal(exercise.GetProperty("prompt").GetString(), again.GetProperty("prompt").GetString());

        var prompts = new HashSet<string>();
        for (int i = 0; i < 3; i++)
        {
            using var other = factory.CreateClient();
            await SignInAsync(other, NewName());
            prompts.Add((await GetJsonAsync(other, $"/api/learn/exercises/{Sigmoid}")).GetProperty("prompt").GetString()!);
        }

        Assert.DoesNotContain(exercise.GetProperty("prompt").GetString()!, prompts);

        var concept = await GetJsonAsync(client, "/api/learn/exercises/m2-concept-binary");
        var choice = concept.GetProperty("fields")[0];
        Assert.Equal("choice", choice.GetProperty("type").GetString());
        Assert.True(choice.GetProperty("options").GetArrayLength() >= 3);
    }

    [Fact]
    public async Task Next_gives_new_numbers_and_an_answer_for_the_old_variant_is_a_409()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        var first = await GetJsonAsync(client, $"/api/learn/exercises/{Sigmoid}");
        var next = await PostJsonAsync(client, $"/api/learn/exercises/{Sigmoid}/next", new { });
        Assert.Equal(1, next.GetProperty("variant").GetInt32());
        Assert.NotEqual(first.GetProperty("prompt").GetString(), next.GetProperty("prompt").GetString());
        Assert.Equal(next.GetProperty("prompt").GetString(), (await GetJsonAsync(client, $"/api/learn/exercises/{Sigmoid}")).GetProperty("prompt").GetString());

        await Problems.AssertAsync(
            await client.PostAsJsonAsync($"/api/learn/exercises/{Sigmoid}/answers", new { variant = 0, answers = new { z = 1, a = 1 } }),
            HttpStatusCode.Conflict,
            "variant 1");
        var answered = await PostJsonAsync(client, $"/api/learn/exercises/{Sigmoid}/answers", new { variant = 1, answers = RightAnswers(Sigmoid, next.GetProperty("prompt").GetString()!) });
        Assert.True(answered.GetProperty("correct").GetBoolean());
    }

    [Theory]
    [InlineData("""{"variant":0,"answers":{"z":"0.5","a":0.5}}""", "'z'")]
    [InlineData("""{"variant":0,"answers":{"z":0.5}}""", "'a'")]
    [InlineData("""{"variant":0,"answers":{"z":"NaN","a":0.5}}""", "'z'")]
    [InlineData("""{"variant":0,"answers":{"z":0.5,"a":"Infinity"}}""", "'a'")]
    [InlineData("""{"variant":0,"answers":{"z":null,"a":0.5}}""", "'z'")]
    [InlineData("""{"variant":0,"answers":{"z":[1],"a":0.5}}""", "'z'")]
    [InlineData("""{"variant":0,"answers":{"z":1e999,"a":0.5}}""", "'z'")]
    [InlineData("""{"answers":{"z":0.5,"a":0.5}}""", "'variant'")]
    [InlineData("""{"variant":"0","answers":{"z":0.5,"a":0.5}}""", "variant")]
    [InlineData("""{"variant":0,"answers":[0.5,0.5]}""", "'answers'")]
    [InlineData("""{"variant":0}""", "'answers'")]
    [InlineData("""not json""", "not a valid")]
    public async Task A_malformed_answer_is_a_400_naming_the_field_and_does_not_count(string body, string named)
    {
        using var client = factory.CreateClient();
        string name = NewName();
        await SignInAsync(client, name);
        await Problems.AssertAsync(await PostRawAsync(client, $"/api/learn/exercises/{Sigmoid}/answers", body), HttpStatusCode.BadRequest, named);
        Assert.Equal(0, (await GetJsonAsync(client, $"/api/learn/exercises/{Sigmoid}")).GetProperty("attempts").GetInt32());
        Assert.Equal(0, Count(factory.Services, "SELECT count(*) FROM attempts WHERE learner_id = $id;", ("$id", LearnerId(factory.Services, name))));
    }

    [Fact]
    public async Task An_oversized_answer_is_refused()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        string body = """{"variant":0,"answers":{"z":0.5,"a":0.5,"pad":"PAD"}}""".Replace("PAD", new string('x', ExerciseEndpoints.MaxAnswerBytes), StringComparison.Ordinal);
        using var response = await PostRawAsync(client, $"/api/learn/exercises/{Sigmoid}/answers", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Attempts_are_stored_verbatim_with_hints_in_steps_then_the_solution_and_a_copied_solution_does_not_solve()
    {
        using var client = factory.CreateClient();
        string name = NewName();
        await SignInAsync(client, name);
        const string answer = """{ "z" : 1.50e0, "a":0.25 }""";
        var responses = new List<JsonElement>();
        for (int i = 0; i < 3; i++)
        {
            using var response = await PostRawAsync(client, $"/api/learn/exercises/{Sigmoid}/answers", "{\"variant\":0,\"answers\":" + answer + "}");
            response.EnsureSuccessStatusCode();
            responses.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).Clone());
        }

        Assert.Equal([1, 2, 3], responses.Select(r => r.GetProperty("attempts").GetInt32()));
        Assert.All(responses, r => Assert.False(r.GetProperty("correct").GetBoolean()));
        Assert.NotEqual(responses[0].GetProperty("hint").GetString(), responses[1].GetProperty("hint").GetString());
        Assert.Equal(JsonValueKind.Null, responses[1].GetProperty("solution").ValueKind);
        Assert.Contains("z =", responses[2].GetProperty("solution").GetString(), StringComparison.Ordinal);
        Assert.Equal("w-sigmoid", responses[0].GetProperty("see").GetProperty("anchor").GetString());
        Assert.False(string.IsNullOrEmpty(responses[0].GetProperty("feedback").GetString()));

        long learner = LearnerId(factory.Services, name);
        Assert.Equal(3, Count(factory.Services, "SELECT count(*) FROM attempts WHERE learner_id = $id AND answer = $answer AND variant = 0 AND correct = 0;", ("$id", learner), ("$answer", answer)));

        // The page reloads: the solution stays shown.
        var reloaded = await GetJsonAsync(client, $"/api/learn/exercises/{Sigmoid}");
        Assert.Equal(3, reloaded.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.String, reloaded.GetProperty("solution").ValueKind);

        // Copying the shown solution is right but does not solve the exercise.
        var copied = await PostJsonAsync(client, $"/api/learn/exercises/{Sigmoid}/answers", new { variant = 0, answers = RightAnswers(Sigmoid, reloaded.GetProperty("prompt").GetString()!) });
        Assert.True(copied.GetProperty("correct").GetBoolean());
        Assert.False(copied.GetProperty("solved").GetBoolean());
        Assert.Equal(ExerciseEndpoints.AfterSolution, copied.GetProperty("mistake").GetString());

        // A fresh variant starts over, and solving it counts.
        var fresh = await PostJsonAsync(client, $"/api/learn/exercises/{Sigmoid}/next", new { });
        Assert.Equal(0, fresh.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, fresh.GetProperty("solution").ValueKind);
        var solved = await SolveAsync(client, Sigmoid);
        Assert.True(solved.GetProperty("solved").GetBoolean());
        Assert.Equal(1, solved.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.String, solved.GetProperty("solution").ValueKind);
        Assert.True((await GetJsonAsync(client, $"/api/learn/exercises/{Sigmoid}")).GetProperty("solved").GetBoolean());
    }

    [Fact]
    public async Task A_recognised_mistake_is_named_in_the_answer_and_stored()
    {
        using var client = factory.CreateClient();
        string name = NewName();
        await SignInAsync(client, name);
        var exercise = await GetJsonAsync(client, "/api/learn/exercises/m3-forward-tanh");
        var right = RightAnswers("m3-forward-tanh", exercise.GetProperty("prompt").GetString()!);
        var verdict = await PostJsonAsync(client, "/api/learn/exercises/m3-forward-tanh/answers", new { variant = 0, answers = new { z = right["z"], a = right["z"] } });
        Assert.Equal("forgot-activation", verdict.GetProperty("mistake").GetString());
        Assert.True(verdict.GetProperty("fields").GetProperty("z").GetBoolean());
        Assert.False(verdict.GetProperty("fields").GetProperty("a").GetBoolean());
        Assert.Equal(1, Count(factory.Services, "SELECT count(*) FROM attempts WHERE learner_id = $id AND mistake = 'forgot-activation';", ("$id", LearnerId(factory.Services, name))));
    }

    [Theory]
    [InlineData("m2", new[] { "m2-forward-sigmoid", "m2-derivative-sigmoid", "m2-concept-binary" })]
    [InlineData("m3", new[] { "m3-forward-tanh", "m3-derivative-tanh", "m3-concept-zero-centred" })]
    public async Task Solving_every_exercise_of_a_module_completes_it(string module, string[] exercises)
    {
        Assert.Equal(exercises, ExercisesKit.Course.Module(module).Exercises.Select(e => e.Id));
        using var client = factory.CreateClient();
        string name = NewName();
        await SignInAsync(client, name);
        JsonElement last = default;
        foreach (string id in exercises)
        {
            Assert.Equal(0, Count(factory.Services, "SELECT count(*) FROM completions WHERE learner_id = $id;", ("$id", LearnerId(factory.Services, name))));
            last = await SolveAsync(client, id);
            Assert.True(last.GetProperty("solved").GetBoolean(), id);
        }

        Assert.True(last.GetProperty("moduleComplete").GetBoolean());
        Assert.Equal(1, Count(factory.Services, "SELECT count(*) FROM completions WHERE learner_id = $id AND module_id = $module;", ("$id", LearnerId(factory.Services, name)), ("$module", module)));
        var progress = await GetJsonAsync(client, "/api/learn/progress");
        var row = progress.GetProperty("modules").EnumerateArray().Single(m => m.GetProperty("id").GetString() == module);
        Assert.True(row.GetProperty("complete").GetBoolean());
        Assert.Equal(3, progress.GetProperty("solved").GetInt32());
    }
}
