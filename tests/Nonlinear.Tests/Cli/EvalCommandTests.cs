using System.Text.Json;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class EvalCommandTests
{
    [Fact]
    public void Eval_relu_json_gives_outputs_and_derivatives()
    {
        var run = CliRun.Of("eval", "relu", "-1", "0", "2", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            """{"activation": "relu", "params": {}, "inputs": [-1, 0, 2], "outputs": [0, 0, 2], "derivatives": [0, 0, 1]}""",
            run.Stdout.Trim());
    }

    [Fact]
    public void Eval_accepts_negative_numbers_as_arguments()
    {
        var run = CliRun.Of("eval", "relu", "-5", "3", "-0.5", "-1e-3", "--json");

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        Assert.Equal([-5f, 3f, -0.5f, -1e-3f], Floats(document.RootElement.GetProperty("inputs")));
        Assert.Equal([0f, 3f, 0f, 0f], Floats(document.RootElement.GetProperty("outputs")));
    }

    [Fact]
    public void Eval_accepts_negative_numbers_after_a_double_dash()
    {
        var run = CliRun.Of("eval", "relu", "--json", "--", "-5", "-inf");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"inputs\": [-5, \"-Infinity\"]", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_table_has_a_row_per_input()
    {
        var run = CliRun.Of("eval", "leaky_relu:0.1", "-2", "0", "3");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("│ -2 │ -0.2 │   0.1 │", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("│  0 │    0 │   0.1 │", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("│  3 │    3 │     1 │", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_reads_inputs_from_stdin_when_none_are_given()
    {
        var run = CliRun.WithStdin("-1, 0\n2\n", "eval", "relu", "--json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("\"inputs\": [-1, 0, 2]", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"derivatives\": [0, 0, 1]", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_softmax_of_large_logits_gives_a_finite_jacobian_and_outputs_summing_to_one()
    {
        var run = CliRun.Of("eval", "softmax", "1000", "1001", "1002", "--json");

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        var root = document.RootElement;
        var outputs = Floats(root.GetProperty("outputs"));
        Assert.Equal(1.0, outputs.Sum(v => (double)v), 5);
        Assert.False(root.TryGetProperty("derivatives", out _));
        var jacobian = root.GetProperty("jacobian").EnumerateArray().Select(Floats).ToList();
        Assert.Equal(3, jacobian.Count);
        Assert.All(jacobian, row => Assert.Equal(3, row.Length));
        Assert.All(jacobian.SelectMany(r => r), v => Assert.True(float.IsFinite(v)));

        // dy_i/dx_j = y_i (delta_ij - y_j)
        Assert.Equal(outputs[0] * (1 - outputs[0]), jacobian[0][0], 5);
        Assert.Equal(-outputs[0] * outputs[1], jacobian[0][1], 5);
    }

    [Fact]
    public void Eval_softmax_table_prints_the_output_and_the_jacobian()
    {
        var run = CliRun.Of("eval", "log_softmax", "0", "0");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Jacobian", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("-0.6931472", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_writes_non_finite_numbers_as_strings_in_json()
    {
        var run = CliRun.Of("eval", "sigmoid", "nan", "inf", "-Infinity", "--json");

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        var inputs = document.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        Assert.Equal(["NaN", "Infinity", "-Infinity"], inputs.Select(e => e.GetString()));
        Assert.Equal("NaN", document.RootElement.GetProperty("outputs")[0].GetString());
        Assert.Equal(1, document.RootElement.GetProperty("outputs")[1].GetDouble());
    }

    [Fact]
    public void Eval_json_prints_floats_round_trippably()
    {
        var run = CliRun.Of("eval", "sigmoid", "0.1", "--json");

        using var document = JsonDocument.Parse(run.Stdout);
        var printed = document.RootElement.GetProperty("outputs")[0].GetRawText();
        Assert.Equal(new Nonlinear.Activations.Sigmoid().Value(0.1f), float.Parse(printed, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Eval_json_names_parameters_by_value_and_choices_by_word()
    {
        Assert.Contains("\"params\": {\"alpha\": 0.1}", CliRun.Of("eval", "leaky_relu:0.1", "1", "--json").Stdout, StringComparison.Ordinal);
        Assert.Contains("\"params\": {\"approximate\": \"tanh\"}", CliRun.Of("eval", "gelu:tanh", "1", "--json").Stdout, StringComparison.Ordinal);
    }

    private static float[] Floats(JsonElement array)
        => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? float.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetSingle()).ToArray();
}
