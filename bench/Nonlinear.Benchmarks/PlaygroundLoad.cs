using System.Diagnostics;
using System.Globalization;
using Nonlinear.Web.Playground;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The playground server under load: N simulated pages (<see cref="PlaygroundPage"/>) each train a 6×8 network on
/// 2-D data and take frames over a WebSocket, as a browser tab does, while a poller times GET /api/health. Only
/// 127.0.0.1, at most 64 sessions and 120 s per measurement; a fresh server per scenario.
/// </summary>
internal static partial class PlaygroundLoad
{
    public const string Heading = "## Playground server";

    private const int MaxSessions = 64;
    private const int MaxSeconds = 120;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Options(
        int[] Sessions, double[] Speeds, int Seconds, double WarmupSeconds, double DrawMilliseconds, double HealthMilliseconds,
        double CostSeconds, string Dataset, string? Out, string? ServerDll, bool InProcess, string CommandLine);

    /// <summary>One page's numbers over the window.</summary>
    private sealed record PageResult(double UpdatesPerSecond, double FramesPerSecond, double P99, int Diverged);

    /// <summary>One scenario (N sessions at one speed): per-page results and the pooled and server-side numbers.</summary>
    private sealed record Scenario(
        int Sessions, double Speed, double Seconds, PageResult[] Pages, double[] Latencies, double[] FrameBytes,
        double[] Health, int HealthFailures, double ServerCpu, double ClientCpu, double OtherCpu, double ServerMegabytes);

    public static int Run(string[] args)
    {
        Options o;
        try
        {
            o = Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var cpuAtStart = CpuMeter.Read();
        var started = DateTime.UtcNow;
        var results = new List<Scenario>();
        IReadOnlyList<PlaygroundCosts.Piece> costs = [];
        try
        {
            if (o.CostSeconds > 0)
            {
                Console.Error.WriteLine("  CPU cost of an epoch and a frame, in this process");
                costs = PlaygroundCosts.Measure(Config(o.Dataset, 1, 0), o.CostSeconds);
                foreach (var piece in costs)
                {
                    Console.Error.WriteLine(string.Create(Inv, $"    {piece.Name}: {piece.Milliseconds:F3} ms ({piece.Count} runs)"));
                }
            }

            foreach (int sessions in o.Sessions)
            {
                foreach (double speed in o.Speeds)
                {
                    // Each scenario is bounded in time whatever happens to the server.
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(o.WarmupSeconds + o.Seconds + 60));
                    var scenario = RunScenarioAsync(o, sessions, speed, bound.Token).GetAwaiter().GetResult();
                    results.Add(scenario);
                    Console.Error.WriteLine(Summary(scenario));
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException or Nonlinear.Web.WebRequestException)
        {
            Console.Error.WriteLine($"playground-load failed: {e.Message}");
            return 1;
        }

        string section = Report(o, results, costs, started, CpuMeter.OthersSince(cpuAtStart));
        Console.WriteLine(section);
        if (o.Out is { } path)
        {
            MarkdownSection.WriteInto(path, Heading, section);
            Console.Error.WriteLine($"wrote the '{Heading}' section of {path}");
        }

        return 0;
    }

    private static async Task<Scenario> RunScenarioAsync(Options o, int sessions, double speed, CancellationToken token)
    {
        Console.Error.WriteLine(string.Create(Inv, $"  {sessions} session(s), speed {speed}: starting the server"));
        await using var server = o.InProcess
            ? await PlaygroundServer.StartInProcessAsync(Math.Max(40, sessions), token).ConfigureAwait(false)
            : await PlaygroundServer.StartProcessAsync(o.ServerDll!, Math.Max(40, sessions), token).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(10) };
        var pages = new List<PlaygroundPage>();
        var window = new MeasuringWindow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var running = new List<Task>();
        try
        {
            for (int i = 0; i < sessions; i++)
            {
                pages.Add(await PlaygroundPage.OpenAsync(http, Config(o.Dataset, speed, i), token).ConfigureAwait(false));
            }

            var draw = TimeSpan.FromMilliseconds(o.DrawMilliseconds);
            running.AddRange(pages.Select(p => Task.Run(() => p.RunAsync(window, draw, stop.Token), CancellationToken.None)));
            foreach (var page in pages)
            {
                await page.PlayAsync(token).ConfigureAwait(false);
            }

            var health = PollHealthAsync(server.Address, window, TimeSpan.FromMilliseconds(o.HealthMilliseconds), stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(o.WarmupSeconds), token).ConfigureAwait(false);

            var machineBefore = CpuMeter.Read();
            double serverBefore = server.CpuSeconds();
            double clientBefore = CpuMeter.ProcessSeconds(Environment.ProcessId);
            window.Open(TimeSpan.FromSeconds(o.Seconds));
            await Task.Delay(TimeSpan.FromSeconds(o.Seconds), token).ConfigureAwait(false);
            var machineAfter = CpuMeter.Read();
            double serverCpu = server.CpuSeconds() - serverBefore;
            double clientCpu = CpuMeter.ProcessSeconds(Environment.ProcessId) - clientBefore;
            double megabytes = server.ResidentMegabytes();
            double seconds = window.Seconds;
            var (healthMs, failures) = await health.ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running).ConfigureAwait(false);

            // In-process, the server's CPU time is this process's: the pages' share cannot be told apart.
            double machine = machineBefore is null || machineAfter is null ? double.NaN : machineAfter.MachineBusy - machineBefore.MachineBusy;
            double other = server.InProcess ? machine - serverCpu : machine - serverCpu - clientCpu;
            return new Scenario(
                sessions, speed, seconds,
                [.. pages.Select(p => new PageResult(p.UpdatesPerSecond, p.Frames / seconds, Percentile(p.Latencies, 0.99), p.Diverged))],
                [.. pages.SelectMany(p => p.Latencies)],
                [.. pages.SelectMany(p => p.Sizes).Select(s => (double)s)],
                [.. healthMs], failures,
                serverCpu / seconds, server.InProcess ? double.NaN : clientCpu / seconds, Math.Max(0, other) / seconds, megabytes);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            foreach (var page in pages)
            {
                await page.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The network: 6 hidden layers of 8 tanh neurons, batch 10, half the points for training; one seed per page.</summary>
    private static PlaygroundConfig Config(string dataset, double speed, int page) => new()
    {
        Problem = "classification",
        Dataset = dataset,
        Classes = 2,
        Noise = 0,
        PercTrainData = 50,
        BatchSize = 10,
        LearningRate = 0.03,
        Activation = "tanh",
        Layers = [.. Enumerable.Range(0, 6).Select(_ => new HiddenLayerConfig { Units = 8 })],
        Optimizer = "sgd",
        Features = ["x", "y"],
        Seed = (page + 1).ToString(Inv),
        Speed = speed,
    };

    /// <summary>
    /// GET /api/health every <paramref name="interval"/> on its own connection (another tab's request), timing each
    /// answer; counts the requests that started inside the window, and failures (non-2xx, errors, over 5 s).
    /// </summary>
    private static async Task<(List<double> Milliseconds, int Failures)> PollHealthAsync(Uri address, MeasuringWindow window, TimeSpan interval, CancellationToken token)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var times = new List<double>();
        int failures = 0;
        var health = new Uri("api/health", UriKind.Relative);
        try
        {
            while (Stopwatch.GetTimestamp() < window.EndTicks && !token.IsCancellationRequested)
            {
                long start = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    using var answer = await http.GetAsync(health, token).ConfigureAwait(false);
                    await answer.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
                    ok = answer.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
                {
                    ok = false;
                }

                if (window.Contains(start))
                {
                    times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    failures += ok ? 0 : 1;
                }

                var rest = interval - Stopwatch.GetElapsedTime(start);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (times, failures);
    }

    /// <summary>Nearest-rank percentile (<paramref name="p"/> in [0, 1]); NaN for no values.</summary>
    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static Options Parse(string[] args)
    {
        const string usage = "[--sessions 1,20] [--seconds 10] [--speed 1,0] [--warmup 2] [--draw-ms 2] [--health-ms 20] [--costs-seconds 1] [--dataset spiral] [--server-dll PATH] [--in-process] [--out docs/benchmarks.md]";
        int[] sessions = [1, 20];
        double[] speeds = [1, 0];
        int seconds = 10;
        double warmup = 2, draw = 2, healthMs = 20, costs = 1;
        string dataset = "spiral";
        string? output = null, dll = null;
        bool inProcess = false;
        new BenchArguments("playground-load", usage)
            .Value("--sessions", v => sessions = BenchArguments.Ints(v))
            .Value("--speed", v => speeds = Doubles(v))
            .Value("--seconds", v => seconds = BenchArguments.Int(v))
            .Value("--warmup", v => warmup = Double(v))
            .Value("--draw-ms", v => draw = Double(v))
            .Value("--health-ms", v => healthMs = Double(v))
            .Value("--costs-seconds", v => costs = Double(v))
            .Value("--dataset", v => dataset = v)
            .Value("--server-dll", v => dll = v)
            .Value("--out", v => output = v)
            .Flag("--in-process", () => inProcess = true)
            .Parse(args);
        if (sessions.Length == 0 || sessions.Any(n => n is < 1 or > MaxSessions))
        {
            throw new ArgumentException($"--sessions: each count must be 1-{MaxSessions}");
        }

        if (seconds is < 1 or > MaxSeconds)
        {
            throw new ArgumentException($"--seconds {seconds}: expected 1-{MaxSeconds}");
        }

        if (speeds.Length == 0 || speeds.Any(s => s != 0 && s is < 0.25 or > 16))
        {
            throw new ArgumentException("--speed: each must be 0 (as fast as possible) or 0.25-16");
        }

        if (warmup is < 0 or > 30 || draw is < 0 or > 1000 || healthMs is < 5 or > 1000 || costs is < 0 or > 10)
        {
            throw new ArgumentException("--warmup must be 0-30 s, --draw-ms 0-1000, --health-ms 5-1000, --costs-seconds 0-10 (0: skip)");
        }

        if (sessions.Length * speeds.Length > 16)
        {
            throw new ArgumentException("at most 16 scenarios (sessions × speeds) per run");
        }

        if (!inProcess)
        {
            // The ProjectReference copies the built server (with its runtimeconfig and deps) next to this program.
            dll ??= Path.Combine(AppContext.BaseDirectory, "Nonlinear.Web.dll");
            if (!File.Exists(dll))
            {
                throw new ArgumentException($"--server-dll {dll}: no such file (build src/Nonlinear.Web, or use --in-process)");
            }
        }

        return new Options(sessions, speeds, seconds, warmup, draw, healthMs, costs, dataset, output, dll, inProcess, BenchArguments.Command("playground-load", args));
    }

    private static double[] Doubles(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Double)];

    private static double Double(string text) => double.TryParse(text, NumberStyles.Float, Inv, out double value) && double.IsFinite(value)
        ? value
        : throw new FormatException($"'{text}' is not a number");
}
