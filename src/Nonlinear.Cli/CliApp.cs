using System.CommandLine;
using Nonlinear.Cli.Commands;

namespace Nonlinear.Cli;

/// <summary>
/// The <c>nonlinear</c> command line: <c>activations</c>, <c>explain</c> and <c>eval</c>. Commands are thin;
/// every number comes from the library.
/// </summary>
public static class CliApp
{
    /// <summary>Exit code for bad input: unknown activation or option, a token that is not a number, a parameter out of range.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for a bug in nonlinear itself.</summary>
    public const int InternalError = 1;

    /// <summary>
    /// Runs the CLI against the given streams and returns the exit code: 0 on success, 2 for bad input,
    /// 1 for an internal error. Errors are one <c>error: ...</c> line on <paramref name="stderr"/>, never a
    /// stack trace (unless the environment variable NONLINEAR_DEBUG is 1).
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(stdin);
        try
        {
            var context = new CliContext(stdout, stderr, stdin);
            var root = new RootCommand("nonlinear: activation functions you can list, explain and evaluate, and networks you can train")
            {
                ActivationsCommand.Create(context),
                ExplainCommand.Create(context),
                EvalCommand.Create(context),
                TrainCommand.Create(context),
                DemoCommand.Create(context),
                CollapseCommand.Create(context),
                PredictCommand.Create(context),
                EvaluateCommand.Create(context),
                BenchCommand.Create(context),
                AdviseCommand.Create(context),
                PlotCommand.Create(context),
                CompareCommand.Create(context),
                GenerateCommand.Create(context),
                ServeCommand.Create(context),
                ExportCommand.Create(context),
                ImportCommand.Create(context),
            };

            // The same name in help whether run as the installed tool, with 'dotnet run' or inside a test host.
            root.HelpName = "nonlinear";

            // Bare 'nonlinear' shows what it can do rather than complaining that no command was given.
            var parseResult = root.Parse(args.Length == 0 ? ["--help"] : args);
            if (parseResult.Errors.Count > 0)
            {
                // System.CommandLine would print every error and the whole help text; one line is easier to read in a script's log.
                // An unknown word also makes "required command was not provided" fire; the word is the real news.
                string message = parseResult.UnmatchedTokens.Count > 0
                    ? $"unrecognized command or option '{parseResult.UnmatchedTokens[0]}'"
                    : parseResult.Errors[0].Message.TrimEnd('.');
                stderr.WriteLine($"error: {message}. Run 'nonlinear --help' for usage.");
                return UsageError;
            }

            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e) when (e is FormatException // activation and model specs, data files (file and line named)
            or CliUsageException
            or Nonlinear.Serialization.ModelFileException
            or FileNotFoundException
            or Nonlinear.Training.TrainingDivergedException)
        {
            // Bad input: the message already names the problem.
            stderr.WriteLine($"error: {e.Message}");
            return UsageError;
        }
        catch (ArgumentException e)
        {
            // Arguments that the library rejects (data that does not fit the model, a bad width, a bad
            // optimizer name): the library's message names the problem; the parameter-name suffix is for programmers.
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            stderr.WriteLine($"error: {message}");
            return UsageError;
        }
#pragma warning disable CA1031 // The last line of defence: a user must see one line, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            bool debug = Environment.GetEnvironmentVariable("NONLINEAR_DEBUG") == "1";
            stderr.WriteLine(debug
                ? $"error: internal error: {e}"
                : $"error: internal error: {e.Message} (set NONLINEAR_DEBUG=1 for details, and please report it)");
            return InternalError;
        }
    }
}
