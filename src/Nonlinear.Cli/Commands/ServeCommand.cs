using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nonlinear.Cli.Output;
using Nonlinear.Web;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear serve [--port 8080] [--host 127.0.0.1] [--open] [--db file] [--classroom]</c>: the web app (the
/// playground and Learn) on the loopback address; prints the URL and serves until Ctrl+C. The page ships inside the
/// assembly, so nothing else is needed. With <c>--classroom</c> it may listen on other addresses (0.0.0.0) and prints
/// the join code for learners and the instructor code.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Raised once the server listens (tests stop it through the app).</summary>
    internal static event Action<WebApplication>? Started;

    public static Command Create(CliContext context)
    {
        var port = new Option<int>("--port", "-p") { Description = "The TCP port (0: any free port)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "The address to bind: a loopback address (127.0.0.1, ::1, localhost); with --classroom also 0.0.0.0, :: or one of this machine's addresses", DefaultValueFactory = _ => "127.0.0.1" };
        var open = new Option<bool>("--open") { Description = "Open the page in the default browser" };
        var data = new Option<string?>("--data") { Description = "The Fashion-MNIST directory for the Images tab (default: the repository's data/fashion-mnist-subset, found from the current directory up)" };
        var db = new Option<string?>("--db") { Description = "The Learn database file (progress, profiles, posts); default: learn.db in the user's data directory" };
        var classroom = new Option<bool>("--classroom") { Description = "Classroom mode: learners join with a join code, the instructor signs in with an instructor code (both printed) and sees the class's progress; allows a non-loopback --host" };
        var json = JsonOption.Create("the address (and the classroom's codes)");
        var command = new Command("serve", "Start the web app: the playground where a network learns before your eyes")
        {
            port,
            host,
            open,
            data,
            db,
            classroom,
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
                o.Classroom = parseResult.GetValue(classroom) || o.Classroom;
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
            var options = app.Services.GetRequiredService<ServeOptions>();
            var learnerUrls = options.Classroom ? LearnerUrls(url) : [];
            if (parseResult.GetValue(json))
            {
                Json.Write(context.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("url", url);
                    if (options.Classroom)
                    {
                        w.WriteStartObject("classroom");
                        w.WriteString("joinCode", options.JoinCode);
                        w.WriteString("instructorCode", options.InstructorCode);
                        w.WriteStartArray("learnerUrls");
                        foreach (string address in learnerUrls)
                        {
                            w.WriteStringValue(address + "/learn");
                        }

                        w.WriteEndArray();
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                });
            }
            else
            {
                context.Out.WriteLine($"Nonlinear is serving the playground at {url}  (Ctrl+C to stop)");
                if (options.Classroom)
                {
                    WriteClassroom(context.Out, options, url, learnerUrls);
                }
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

    private static void WriteClassroom(TextWriter output, ServeOptions options, string url, IReadOnlyList<string> learnerUrls)
    {
        output.WriteLine();
        output.WriteLine("Classroom mode.");
        if (learnerUrls.Count == 0)
        {
            output.WriteLine($"  Learners open this machine's address, port {new Uri(url).Port}, at /learn and enter the join code.");
        }
        else
        {
            output.WriteLine($"  Learners open {string.Join(" or ", learnerUrls.Select(u => u + "/learn"))} and enter the join code.");
        }

        output.WriteLine($"  Join code:       {options.JoinCode}");
        output.WriteLine($"  Instructor code: {options.InstructorCode}  (keep it to yourself; sign in at {learnerUrls.FirstOrDefault() ?? url}/learn/classroom)");
    }

    /// <summary>
    /// The addresses learners type: the bound one, or for 0.0.0.0 / :: this machine's addresses on its network
    /// interfaces that are up (none found: empty, and the caller says "this machine's address").
    /// </summary>
    private static List<string> LearnerUrls(string url)
    {
        var bound = new Uri(url);
        string host = bound.Host.Trim('[', ']');
        if (!IPAddress.TryParse(host, out var ip) || !(ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            return [url];
        }

        try
        {
            return
            [
                .. NetworkInterface.GetAllNetworkInterfaces()
                    .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                    .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                    .Select(a => a.Address)
                    .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (ip.Equals(IPAddress.IPv6Any) && a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal))
                    .Select(a => $"{bound.Scheme}://{(a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString())}:{bound.Port}")
                    .Distinct(),
            ];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
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
