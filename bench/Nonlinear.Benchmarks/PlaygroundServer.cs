using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Nonlinear.Web;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The playground server under test, on 127.0.0.1 only: by default the built Nonlinear.Web.dll in its own process
/// (as <c>nonlinear serve</c> runs, with its own thread pool and GC, and its CPU time readable from /proc), or
/// hosted in this process for profiling.
/// </summary>
internal sealed class PlaygroundServer : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly WebApplication? _app;
    private readonly Queue<string> _output = new();

    private PlaygroundServer(Uri address, Process? process, WebApplication? app)
    {
        Address = address;
        _process = process;
        _app = app;
    }

    /// <summary>e.g. http://127.0.0.1:41234/</summary>
    public Uri Address { get; }

    /// <summary>The server's process id (ours when in-process).</summary>
    public int ProcessId => _process?.Id ?? Environment.ProcessId;

    public bool InProcess => _app is not null;

    /// <summary>The last lines the server process wrote (for error messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts <paramref name="dll"/> with <c>dotnet</c> on a free loopback port and waits until /api/health answers.</summary>
    public static async Task<PlaygroundServer> StartProcessAsync(string dll, int maxSessions, CancellationToken token)
    {
        int port = FreePort();
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--Nonlinear:Host=127.0.0.1");
        psi.ArgumentList.Add($"--Nonlinear:Port={port.ToString(CultureInfo.InvariantCulture)}");
        psi.ArgumentList.Add($"--Nonlinear:Limits:MaxSessions={maxSessions.ToString(CultureInfo.InvariantCulture)}");
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start dotnet {dll}");
        var server = new PlaygroundServer(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), process, null);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilHealthyAsync(token).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>Hosts the server in this process (same code, shared thread pool and GC with the simulated pages).</summary>
    public static async Task<PlaygroundServer> StartInProcessAsync(int maxSessions, CancellationToken token)
    {
        var app = WebServer.Build(["--Nonlinear:Host=127.0.0.1", "--Nonlinear:Port=0", $"--Nonlinear:Db={Path.Combine(Path.GetTempPath(), $"nonlinear-bench-{Environment.ProcessId}.db")}", $"--Nonlinear:Limits:MaxSessions={maxSessions.ToString(CultureInfo.InvariantCulture)}"]);
        await app.StartAsync(token).ConfigureAwait(false);
        var server = new PlaygroundServer(new Uri(WebServer.Address(app).TrimEnd('/') + "/"), null, app);
        await server.WaitUntilHealthyAsync(token).ConfigureAwait(false);
        return server;
    }

    /// <summary>The server process's user + system CPU seconds so far (/proc/&lt;pid&gt;/stat), or NaN without /proc.</summary>
    public double CpuSeconds() => CpuMeter.ProcessSeconds(ProcessId);

    /// <summary>The server process's resident memory in MiB (/proc/&lt;pid&gt;/status VmRSS), or NaN.</summary>
    public double ResidentMegabytes() => CpuMeter.ResidentMegabytes(ProcessId);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > 20)
            {
                _output.Dequeue();
            }
        }
    }

    private async Task WaitUntilHealthyAsync(CancellationToken token)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"the server exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var answer = await http.GetAsync(new Uri("api/health", UriKind.Relative), token).ConfigureAwait(false);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
            {
            }

            await Task.Delay(100, token).ConfigureAwait(false);
        }

        throw new TimeoutException($"the server at {Address} did not answer /api/health within 30 s:\n{Output}");
    }

    private static int FreePort()
    {
        // The port is free now; the server binds it a moment later (a collision makes the start fail with a message).
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                // Only the process this run started, by its own handle.
                _process.Kill();
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }

            _process.Dispose();
        }
    }
}
