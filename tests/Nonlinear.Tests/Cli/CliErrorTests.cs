using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class CliErrorTests
{
    [Fact]
    public void Eval_of_an_unknown_activation_exits_2_and_names_the_closest()
    {
        var run = CliRun.Of("eval", "relu7", "1");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("relu6", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        AssertOneLineWithoutStackTrace(run);
    }

    [Fact]
    public void Explain_of_an_unknown_activation_exits_2_and_suggests()
    {
        var run = CliRun.Of("explain", "sigmod");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("sigmoid", run.Stderr, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(run);
    }

    [Fact]
    public void Eval_of_a_token_that_is_not_a_number_exits_2_and_names_it_and_its_place()
    {
        var run = CliRun.Of("eval", "relu", "1", "abc");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'abc'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("argument 2", run.Stderr, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(run);
    }

    [Fact]
    public void Eval_of_a_bad_token_on_stdin_names_its_line()
    {
        var run = CliRun.WithStdin("1 2\n3 x4\n", "eval", "relu");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'x4'", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("stdin line 2", run.Stderr, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(run);
    }

    [Fact]
    public void Eval_with_empty_stdin_and_no_arguments_exits_2()
    {
        var run = CliRun.WithStdin("  \n", "eval", "relu");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no inputs", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("leaky_relu:-1", "alpha in [0, 1]")]
    [InlineData("leaky_relu:nan", "alpha in [0, 1]")]
    [InlineData("softplus:beta=0", "beta > 0")]
    public void Eval_with_a_parameter_out_of_range_exits_2_and_states_the_valid_range(string spec, string range)
    {
        var run = CliRun.Of("eval", spec, "1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(range, run.Stderr, StringComparison.Ordinal);
        AssertOneLineWithoutStackTrace(run);
    }

    [Theory]
    [InlineData("frob")]
    [InlineData("activations", "--frob")]
    [InlineData("eval")]
    public void A_command_line_the_parser_rejects_exits_2_with_one_error_line(params string[] args)
    {
        var run = CliRun.Of(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        AssertOneLineWithoutStackTrace(run);
    }

    [Fact]
    public void An_unknown_option_among_eval_inputs_is_reported_by_name()
    {
        var run = CliRun.Of("eval", "relu", "1", "--bogus");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'--bogus'", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_prints_the_version_and_exits_0()
    {
        var run = CliRun.Of("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Stdout);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("activations", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("explain", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("eval", run.Stdout, StringComparison.Ordinal);
    }

    private static void AssertOneLineWithoutStackTrace(CliRun run)
    {
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
