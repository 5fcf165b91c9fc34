using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Learn.Exercises;
using Xunit;
using static Nonlinear.Web.Tests.ExercisesApi;

namespace Nonlinear.Web.Tests;

/// <summary>The training exercises through the app's exercise endpoints: registered, trained, stored, refused.</summary>
public sealed class TrainingExerciseEndpointTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public async Task Fix_network_over_the_api_trains_the_answer_counts_tries_and_solves()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        const string id = "m1-fix-collapsed";
        var exercise = await GetJsonAsync(client, $"/api/learn/exercises/{id}");
        Assert.Equal("fix-network", exercise.GetProperty("kind").GetString());
        var spec = exercise.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "spec");
        Assert.Equal("text", spec.GetProperty("type").GetString());
        string preset = spec.GetProperty("preset").GetString()!;

        var wrong = await AnswerAsync(client, id, new { spec = preset });
        Assert.False(wrong.GetProperty("correct").GetBoolean());
        Assert.Equal("linear-collapse", wrong.GetProperty("mistake").GetString());
        var training = wrong.GetProperty("training");
        Assert.Equal(50, training.GetProperty("epochs").GetInt32());
        Assert.True(training.GetProperty("testAccuracy").GetDouble() < training.GetProperty("target").GetDouble());
        Assert.Equal("before training", training.GetProperty("advice")[0].GetProperty("stage").GetString());
        Assert.Equal(1, wrong.GetProperty("attempts").GetInt32());

        // Over the caps: refused, and not counted.
        using (var refused = await client.PostAsJsonAsync($"/api/learn/exercises/{id}/answers", new { variant = exercise.GetProperty("variant").GetInt32(), answers = new { spec = "dense:500,relu,dense:1" } }))
        {
            await Problems.AssertAsync(refused, HttpStatusCode.BadRequest, "units");
        }

        var right = await AnswerAsync(client, id, new { spec = "dense:8,relu,dense:8,relu,dense:1" });
        Assert.True(right.GetProperty("correct").GetBoolean(), right.GetProperty("feedback").GetString());
        Assert.True(right.GetProperty("solved").GetBoolean());
        Assert.Equal(2, right.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Make_it_learn_over_the_api_replaces_the_data_settings_and_says_so()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        const string id = "m4-learn-circle";
        var exercise = await GetJsonAsync(client, $"/api/learn/exercises/{id}");
        var field = exercise.GetProperty("fields")[0];
        Assert.Equal("playground", field.GetProperty("type").GetString());
        Assert.Contains("seed=m4-learn-circle", field.GetProperty("preset").GetString(), StringComparison.Ordinal);

        // A hand-written link: four ReLU units, the playground's default seed (replaced by the exercise's).
        var verdict = await AnswerAsync(client, id, new { hash = "#activation=relu&networkShape=4&learningRate=0.03&noise=10" });
        var training = verdict.GetProperty("training");
        var overridden = training.GetProperty("overridden").EnumerateArray().Select(o => o.GetString()).ToList();
        Assert.Contains("seed 'm4-learn-circle' (yours: '0.5')", overridden);
        Assert.Contains("noise 0 % (yours: 10 %)", overridden);
        Assert.True(verdict.GetProperty("correct").GetBoolean(), verdict.GetProperty("feedback").GetString());
        Assert.InRange(training.GetProperty("epochs").GetInt32(), 1, training.GetProperty("maxEpochs").GetInt32());
    }

    [Fact]
    public async Task A_busy_server_answers_429_and_the_try_is_not_counted()
    {
        using var app = factory.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.AddSingleton(new TrainingCheckGate(1, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1)))));
        using var client = app.CreateClient();
        await SignInAsync(client, NewName());
        const string id = "m1-fix-collapsed";
        var exercise = await GetJsonAsync(client, $"/api/learn/exercises/{id}");
        var gate = app.Services.GetRequiredService<TrainingCheckGate>();
        using var hold = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var busy = gate.RunAsync(_ => { started.Set(); hold.Wait(); return 0; }, CancellationToken.None);
        started.Wait();
        try
        {
            using var response = await client.PostAsJsonAsync($"/api/learn/exercises/{id}/answers", new { variant = exercise.GetProperty("variant").GetInt32(), answers = new { spec = "dense:8,relu,dense:1" } });
            await Problems.AssertAsync(response, HttpStatusCode.TooManyRequests, "again");
        }
        finally
        {
            hold.Set();
        }

        await busy;
        var after = await GetJsonAsync(client, $"/api/learn/exercises/{id}");
        Assert.Equal(0, after.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_spec_that_does_not_parse_is_a_counted_wrong_try_not_a_400()
    {
        using var client = factory.CreateClient();
        await SignInAsync(client, NewName());
        var verdict = await AnswerAsync(client, "m6-fix-softmax-hidden", new { spec = "dense:8,softmx,dense:3" });
        Assert.False(verdict.GetProperty("correct").GetBoolean());
        Assert.Equal("spec-syntax", verdict.GetProperty("mistake").GetString());
        Assert.Contains("softmx", verdict.GetProperty("feedback").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, verdict.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Object, verdict.GetProperty("training").ValueKind);
    }
}
