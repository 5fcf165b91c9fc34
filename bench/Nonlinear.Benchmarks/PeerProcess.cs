using System.Diagnostics;
using System.Text.Json;

namespace Nonlinear.Benchmarks;

/// <summary>
/// Runs a PyTorch peer script (bench/peer/*.py) and reads its JSON lines: "info" (torch version, BLAS) and
/// "error" records are handled here, every other record goes to the caller's handler.
/// </summary>
internal static class PeerProcess
{
    public const string InstallHint = "PyTorch peer unavailable: install it for benchmarks only with `apt-get install -y python3-torch libopenblas0-pthread` (Debian; /usr/bin/python3).";

    /// <summary>Runs the peer; returns its version text and an error (null when it ran cleanly).</summary>
    public static (string? Version, string? Error) Run(ProcessStartInfo psi, Action<string, JsonElement> handle)
    {
        string? version = null, error = null;
        using var process = Process.Start(psi)!;
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string kind = r.GetProperty("kind").GetString()!;
            switch (kind)
            {
                case "info":
                    version = r.GetProperty("torch").GetString();
                    if (r.TryGetProperty("blas", out var blas))
                    {
                        version += $"; BLAS: {blas.GetString()}";
                    }

                    break;
                case "error":
                    error = r.GetProperty("message").GetString();
                    break;
                default:
                    handle(kind, r);
                    break;
            }
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            error = $"peer exited with code {process.ExitCode}{(error is null ? "" : ": " + error)}. {InstallHint}";
        }

        return (version, error);
    }
}
