using System.CommandLine;
using System.Diagnostics;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear bench [mode]</c>: runs the benchmark project (bench/Nonlinear.Benchmarks) side by side with
/// PyTorch when it is run from a checkout of the repository; otherwise it says how to. Benchmarks live in
/// their own Release-built project so that BenchmarkDotNet and the PyTorch peer never ship with the tool.
/// </summary>
internal static class BenchCommand
{
    /// <summary>The benchmark project's modes (see bench/Nonlinear.Benchmarks/Program.cs).</summary>
    public static readonly string[] Modes = ["fashion-mnist", "accuracy", "gemm", "train-step", "side-by-side", "bdn"];

    private const string ProjectPath = "bench/Nonlinear.Benchmarks/Nonlinear.Benchmarks.csproj";

    public static Command Create(CliContext context)
    {
        var mode = new Argument<string>("mode")
        {
            Description = $"What to measure: {string.Join(", ", Modes)}",
            DefaultValueFactory = _ => "fashion-mnist",
        };
        var rest = new Argument<string[]>("options") { Arity = ArgumentArity.ZeroOrMore, Description = "Passed on to the benchmark, e.g. --quick or --out docs/benchmarks.md" };
        var repo = new Option<string?>("--repo") { Description = "The repository checkout holding bench/ (default: found upwards from the current directory)" };
        var print = new Option<bool>("--print") { Description = "Only print the command that runs the benchmark" };
        var json = JsonOption.Create("the command (and its exit code once run)");
        var command = new Command("bench", "Measure speed side by side with PyTorch (runs the benchmark project)") { mode, rest, repo, print, json };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parseResult =>
        {
            string what = parseResult.GetValue(mode)!;
            if (!Modes.Contains(what, StringComparer.Ordinal))
            {
                throw new CliUsageException($"unknown benchmark '{what}'; expected one of {string.Join(", ", Modes)}.");
            }

            var extra = (parseResult.GetValue(rest) ?? []).Concat(parseResult.UnmatchedTokens).ToArray();
            string? root = parseResult.GetValue(repo) is { } r ? Path.GetFullPath(r) : FindRepository(Directory.GetCurrentDirectory());
            string[] argumentList = ["run", "-c", "Release", "--project", ProjectPath, "--", what, .. extra];
            string arguments = string.Join(" ", argumentList.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
            if (root is null || !File.Exists(Path.Combine(root, ProjectPath)))
            {
                throw new CliUsageException(
                    $"the benchmark project ({ProjectPath}) is not under {(root ?? "this directory or its parents")}. "
                    + $"Run this from a checkout of the Nonlinear repository (or pass --repo), or there run: dotnet {arguments}. "
                    + "The PyTorch peer needs Debian's python3-torch and libopenblas0-pthread (sudo apt-get install python3-torch libopenblas0-pthread).");
            }

            if (parseResult.GetValue(print))
            {
                if (parseResult.GetValue(json))
                {
                    Output.Json.Write(context.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("directory", root);
                        w.WriteString("command", $"dotnet {arguments}");
                        w.WriteEndObject();
                    });
                }
                else
                {
                    context.Out.WriteLine($"cd {root} && dotnet {arguments}");
                }

                return 0;
            }

            // The benchmark prints its own tables and progress straight to the terminal.
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, UseShellExecute = false };
            foreach (var a in argumentList)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start) ?? throw new CliUsageException("could not start 'dotnet'; is the .NET SDK on PATH?");
            process.WaitForExit();
            if (parseResult.GetValue(json))
            {
                Output.Json.Write(context.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("directory", root);
                    w.WriteString("command", $"dotnet {arguments}");
                    w.WriteNumber("exitCode", process.ExitCode);
                    w.WriteEndObject();
                });
            }

            return process.ExitCode == 0 ? 0 : CliApp.UsageError;
        });
        return command;
    }

    /// <summary>The nearest directory at or above <paramref name="start"/> that holds the benchmark project.</summary>
    internal static string? FindRepository(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, ProjectPath)))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
