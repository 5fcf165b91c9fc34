using System.CommandLine;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Nonlinear.Cli.Output;
using Nonlinear.Web;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear serve [--port 8080] [--host 127.0.0.1] [--open]</c>: the web app (the playground) on the loopback
/// address; prints the URL and serves until Ctrl+C. The page ships inside the assembly, so nothing else is needed.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Raised once the server listens (tests stop it through the app).</summary>
    internal static event Action<WebApplication>? Started;

    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port", "-p") { Description = "The TCP port (0: any free port)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "The address to bind; only loopback addresses (127.0.0.1, ::1, localhost) for now", DefaultValueFactory = _ => "127.0.0.1" };
        var open = new Option<bool>("--open") { Description = "Open the page in the default browser" };
        var data = new Option<string?>("--data") { Description = "The Fashion-MNIST directory for the Images tab (default: the repository's data/fashion-mnist-subset, found from the current directory up)" };
        var db = new Option<string?>("--db") { Description = "The Learn database file (progress, profiles, posts); default: learn.db in the user's data directory" };
        var json = JsonOption.Create("the address");
        var command = new Command("serve", "Start the web app: the playground where a network learns before your eyes")
        {
            port,
            host,
            open,
            data,
            db,
            json,
        };
        command.SetAction(parseResult =>
        {
            var app = WebServer.Build([], o =>
            {
                o.Host = parseResult.GetRequiredValue(host);
                o.Port = parseResult.GetValue(port);
                o.Data = parseResult.GetValue(data) ?? o.Data;
                o.Db = parseResult.GetValue(db) ?? o.Db;
            });
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
            }
            catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliUsageException($"cannot listen on port {parseResult.GetValue(port)}: {e.Message} Choose another with --port (0 picks a free one).");
            }

            string url = WebServer.Address(app);
            if (parseResult.GetValue(json))
            {
                Json.Write(context.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("url", url);
                    w.WriteEndObject();
                });
            }
            else
            {
                context.Out.WriteLine($"Nonlinear is serving the playground at {url}  (Ctrl+C to stop)");
            }

            context.Out.Flush();
            if (parseResult.GetValue(open) && !TryOpen(url))
            {
                context.Out.WriteLine($"note: could not start a browser; open {url} yourself.");
            }

            Started?.Invoke(app);
            app.WaitForShutdownAsync().GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }

    private static bool TryOpen(string url)
    {
        try
        {
            var start = OperatingSystem.IsWindows()
                ? new ProcessStartInfo(url) { UseShellExecute = true }
                : new ProcessStartInfo(OperatingSystem.IsMacOS() ? "open" : "xdg-open", url) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            using var process = Process.Start(start);
            return process is not null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
