using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>A session whose training blows up pauses, says where the first non-finite value appeared, and stays paused until changed.</summary>
public sealed partial class DivergenceTests(LimitedWebAppFactory factory) : IClassFixture<LimitedWebAppFactory>
{
    // Squared inputs up to 36, ReLU and a learning rate of 10: the first updates overshoot and the outputs overflow.
    private const string Diverging = "{\"problem\":\"regression\",\"features\":[\"xSquared\",\"ySquared\"],\"activation\":\"relu\",\"learningRate\":10,\"speed\":0}";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_diverging_session_pauses_naming_the_first_non_finite_value_and_play_does_not_resume_it()
    {
        using var client = factory.CreateClient();
        var (id, _) = await StreamTests.CreateAsync(client, Diverging);
        try
        {
            await using var stream = await FrameStream.OpenAsync(factory, id);
            await StreamTests.PostAsync(client, $"/api/sessions/{id}/play");
            var diverged = await stream.AckUntilAsync(f => f.Status == "diverged", Wait);
            Assert.Equal("diverged", diverged.Status);
            // "Training diverged at epoch E, batch B: ... The first non-finite value: epoch E, batch b ≤ B, layer L (spec) output."
            var stopped = StoppedRegex().Match(diverged.Error!);
            var where = WhereRegex().Match(diverged.Error!);
            Assert.True(stopped.Success && where.Success, diverged.Error);
            Assert.Equal(stopped.Groups["epoch"].Value, where.Groups["epoch"].Value);
            Assert.InRange(int.Parse(where.Groups["batch"].Value, CultureInfo.InvariantCulture), 1, int.Parse(stopped.Groups["batch"].Value, CultureInfo.InvariantCulture));
            if (where.Value.EndsWith("the loss", StringComparison.Ordinal))
            {
                // Training stops at the first batch whose loss is not finite, so "the loss" can only be that batch.
                Assert.Equal(stopped.Groups["batch"].Value, where.Groups["batch"].Value);
            }

            // Play, step and pause answer "diverged" and change nothing: every frame they bring shows the same epoch.
            Assert.Equal("diverged", await StatusAsync(client, $"/api/sessions/{id}/play"));
            Assert.Equal("diverged", await StatusAsync(client, $"/api/sessions/{id}/step"));
            Assert.Equal("diverged", await StatusAsync(client, $"/api/sessions/{id}/pause"));
            await Task.Delay(300);
            while (await stream.NextAsync(TimeSpan.FromMilliseconds(300)) is { } after)
            {
                await stream.AckAsync(after.Number);
                Assert.Equal(("diverged", diverged.Epoch, diverged.Updates), (after.Status, after.Epoch, after.Updates));
            }

            Assert.Equal("paused", await StatusAsync(client, $"/api/sessions/{id}/reset"));
            var reset = await stream.AckUntilAsync(f => f.Status == "paused", Wait);
            Assert.Equal(0, reset.Epoch);
            Assert.Null(reset.Error);
            Assert.Equal("running", await StatusAsync(client, $"/api/sessions/{id}/play"));
        }
        finally
        {
            await StreamTests.DeleteAsync(client, id);
        }

        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task A_weight_edit_or_a_new_config_lifts_the_divergence()
    {
        using var client = factory.CreateClient();
        var (id, _) = await StreamTests.CreateAsync(client, Diverging);
        try
        {
            await using var stream = await FrameStream.OpenAsync(factory, id);
            await StreamTests.PostAsync(client, $"/api/sessions/{id}/play");
            await stream.AckUntilAsync(f => f.Status == "diverged", Wait);

            using (var edit = await client.PostAsync($"/api/sessions/{id}/weight", Json("{\"layer\":0,\"to\":0,\"from\":0,\"value\":0.1}")))
            {
                Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
            }

            var edited = await stream.AckUntilAsync(f => f.Status != "diverged", Wait);
            Assert.Equal("paused", edited.Status);
            Assert.Null(edited.Error);
            Assert.Equal("running", await StatusAsync(client, $"/api/sessions/{id}/play"));
            await stream.AckUntilAsync(f => f.Status == "diverged", Wait);

            using (var calmer = await client.PutAsync($"/api/sessions/{id}/config", Json(Diverging.Replace("\"learningRate\":10", "\"learningRate\":0.001", StringComparison.Ordinal))))
            {
                Assert.Equal(HttpStatusCode.OK, calmer.StatusCode);
            }

            var configured = await stream.AckUntilAsync(f => f.Status != "diverged", Wait);
            Assert.Equal(("paused", 0L), (configured.Status, configured.Epoch));
        }
        finally
        {
            await StreamTests.DeleteAsync(client, id);
        }

        factory.AssertNoErrorsLogged();
    }

    private static async Task<string> StatusAsync(HttpClient client, string path)
    {
        using var response = await StreamTests.PostAsync(client, path);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [GeneratedRegex(@"^Training diverged at epoch (?<epoch>\d+), batch (?<batch>\d+)")]
    private static partial Regex StoppedRegex();

    [GeneratedRegex(@"The first non-finite value: epoch (?<epoch>\d+), batch (?<batch>\d+), (layer \d+ \(.+\) (output|weight gradient)|the loss)")]
    private static partial Regex WhereRegex();
}
