using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Nonlinear.Cli.Commands;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_prints_its_loopback_address_answers_there_and_stops_cleanly()
    {
        var started = new TaskCompletionSource<WebApplication>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStarted(WebApplication app) => started.TrySetResult(app);
        ServeCommand.Started += OnStarted;
        try
        {
            var run = Task.Run(() => CliRun.Of("serve", "--port", "0", "--json", "--db", TempDb()));
            var app = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var client = new HttpClient();
            string url = Nonlinear.Web.WebServer.Address(app);
            Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
            var health = await client.GetFromJsonAsync<JsonElement>(url + "/api/health");
            Assert.Equal("ok", health.GetProperty("status").GetString());
            var page = await client.GetStringAsync(url + "/");
            Assert.Contains("<html", page, StringComparison.OrdinalIgnoreCase);

            await app.StopAsync();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(url, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("url").GetString());
        }
        finally
        {
            ServeCommand.Started -= OnStarted;
        }
    }

    [Fact]
    public async Task Serve_finds_the_shipped_images_and_data_points_elsewhere()
    {
        // The tests run in bin/...: the images are found by walking up to the repository's data/ directory.
        Assert.Equal(System.Net.HttpStatusCode.OK, await GalleryStatusAsync([]));
        string empty = Directory.CreateTempSubdirectory("nonlinear-serve-data").FullName;
        try
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, await GalleryStatusAsync(["--data", empty]));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    private static async Task<System.Net.HttpStatusCode> GalleryStatusAsync(string[] options)
    {
        var started = new TaskCompletionSource<WebApplication>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStarted(WebApplication app) => started.TrySetResult(app);
        ServeCommand.Started += OnStarted;
        try
        {
            var run = Task.Run(() => CliRun.Of(["serve", "--port", "0", "--json", "--db", TempDb(), .. options]));
            var app = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var client = new HttpClient();
            using var response = await client.GetAsync(Nonlinear.Web.WebServer.Address(app) + "/api/images/gallery");
            await app.StopAsync();
            Assert.Equal(0, (await run.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);
            return response.StatusCode;
        }
        finally
        {
            ServeCommand.Started -= OnStarted;
        }
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.10")]
    [InlineData("example.com")]
    public void A_host_that_is_not_loopback_is_refused_with_the_reason(string host)
    {
        var run = CliRun.Of("serve", "--host", host);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not a loopback address", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_host_for_other_machines_needs_classroom_mode()
    {
        var run = CliRun.Of("serve", "--host", "0.0.0.0", "--db", TempDb());
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--classroom", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_classroom_host_must_be_an_ip_address()
    {
        var run = CliRun.Of("serve", "--classroom", "--host", "example.com", "--db", TempDb());
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not an IP address", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_db_that_is_not_a_database_is_refused_in_one_line_and_left_unchanged()
    {
        string path = TempDb();
        File.WriteAllText(path, "shopping list\nmilk\n");
        try
        {
            var run = CliRun.Of("serve", "--port", "0", "--db", path);
            Assert.Equal(2, run.ExitCode);
            Assert.Single(run.Stderr.Trim().Split('\n'));
            Assert.Contains("not a SQLite database", run.Stderr, StringComparison.Ordinal);
            Assert.Contains(path, run.Stderr, StringComparison.Ordinal);
            Assert.Equal("shopping list\nmilk\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Serve_in_classroom_mode_prints_both_codes_and_the_join_code_works()
    {
        var started = new TaskCompletionSource<WebApplication>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStarted(WebApplication app) => started.TrySetResult(app);
        ServeCommand.Started += OnStarted;
        try
        {
            var run = Task.Run(() => CliRun.Of("serve", "--classroom", "--port", "0", "--json", "--db", TempDb()));
            var app = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            string url = Nonlinear.Web.WebServer.Address(app);
            using var client = new HttpClient();
            var options = (Nonlinear.Web.ServeOptions)app.Services.GetService(typeof(Nonlinear.Web.ServeOptions))!;
            using var joined = await client.PostAsJsonAsync(url + "/api/classroom/join", new { code = options.JoinCode!.ToLowerInvariant(), name = "Ada" });
            Assert.Equal(System.Net.HttpStatusCode.OK, joined.StatusCode);
            await app.StopAsync();
            var result = await run.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, result.ExitCode);

            var classroom = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("classroom");
            string join = classroom.GetProperty("joinCode").GetString()!;
            string instructor = classroom.GetProperty("instructorCode").GetString()!;
            Assert.Equal(options.JoinCode, join);
            Assert.Equal(6, join.Length);
            Assert.True(instructor.Replace("-", "", StringComparison.Ordinal).Length >= 12, instructor);
            Assert.NotEqual(join, instructor);
            Assert.False(join.Any(c => "0O1IL".Contains(c, StringComparison.Ordinal)), $"{join} has a look-alike character");
            Assert.Equal(url + "/learn", Assert.Single(classroom.GetProperty("learnerUrls").EnumerateArray()).GetString());
        }
        finally
        {
            ServeCommand.Started -= OnStarted;
        }
    }

    [Fact]
    public void A_port_out_of_range_is_refused()
    {
        var run = CliRun.Of("serve", "--port", "70000");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("out of range", run.Stderr, StringComparison.Ordinal);
    }

    private static string TempDb() => Path.Combine(Path.GetTempPath(), $"nonlinear-serve-test-{Guid.NewGuid():N}.db");
}
