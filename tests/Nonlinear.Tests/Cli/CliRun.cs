using Nonlinear.Cli;

namespace Nonlinear.Tests.Cli;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Runs <c>nonlinear</c> with <paramref name="args"/>, feeding <paramref name="stdin"/> as standard input.</summary>
    public static CliRun WithStdin(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        int code = CliApp.Run(args, output, error, input);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs <c>nonlinear</c> with <paramref name="args"/> and empty standard input.</summary>
    public static CliRun Of(params string[] args) => WithStdin("", args);
}
