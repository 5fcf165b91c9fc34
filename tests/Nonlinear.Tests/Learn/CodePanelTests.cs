using System.Reflection;
using Nonlinear.Learn.Code;
using Nonlinear.Tests.Cli;
using Xunit;

namespace Nonlinear.Tests.Learn;

/// <summary>
/// Each Learn module's code panel does what the panel claims: its C# (Learn/Content/code/mN.cs, compiled into these
/// tests) prints numbers that an independent float64 computation here agrees with, and every command of its
/// <c>nonlinear</c> panel (mN.sh, read from the web app's assembly as it ships) runs with exit code 0.
/// </summary>
public sealed class CodePanelTests
{
    [Fact]
    public void M1_two_linear_layers_print_the_single_layer_they_equal()
    {
        var output = PanelOutput.Of(TwoLinearLayers.Run);
        double[] w1 = output.Field("W1"), b1 = output.Field("b1"), w2 = output.Field("W2"), b2 = output.Field("b2");
        int hidden = b1.Length, outputs = b2.Length, inputs = w1.Length / hidden;
        Assert.Equal(hidden * inputs, w1.Length);
        Assert.Equal(outputs * hidden, w2.Length);
        Assert.Contains(b1, v => v != 0);

        // W' = W2·W1 and b' = W2·b1 + b2, in float64 here.
        var w = new double[outputs * inputs];
        var b = new double[outputs];
        for (int i = 0; i < outputs; i++)
        {
            b[i] = b2[i];
            for (int k = 0; k < hidden; k++)
            {
                b[i] += w2[i * hidden + k] * b1[k];
                for (int j = 0; j < inputs; j++)
                {
                    w[i * inputs + j] += w2[i * hidden + k] * w1[k * inputs + j];
                }
            }
        }

        AssertClose(w, output.Field("W'"), 1e-6);
        AssertClose(b, output.Field("b'"), 1e-6);
        AssertClose(w, output.Field("LinearCollapse W'"), 1e-6);
        AssertClose(b, output.Field("LinearCollapse b'"), 1e-6);

        // Each input row: the network's output equals W'x + b' (the two-layer forward pass, computed here).
        var rows = output.Lines("x = ");
        Assert.True(rows.Count >= 3);
        foreach (string row in rows)
        {
            var f = PanelOutput.Fields(row).ToDictionary(p => p.Name, p => p.Values);
            double[] x = f["x"];
            double network = b2[0];
            for (int k = 0; k < hidden; k++)
            {
                network += w2[k] * (b1[k] + Enumerable.Range(0, inputs).Sum(j => w1[k * inputs + j] * x[j]));
            }

            Assert.Equal(network, Assert.Single(f["network"]), 1e-4);
            Assert.Equal(network, Assert.Single(f["W'x + b'"]), 1e-9);
        }

        Assert.InRange(Assert.Single(output.Field("largest difference")), 0, 1e-4);
    }

    [Fact]
    public void M2_sigmoid_slope_is_s_times_one_minus_s_and_peaks_at_a_quarter()
    {
        var output = PanelOutput.Of(SigmoidSlope.Run);
        var rows = output.Lines("x = ");
        Assert.True(rows.Count >= 5);
        foreach (string row in rows)
        {
            var f = PanelOutput.Fields(row).ToDictionary(p => p.Name, p => Assert.Single(p.Values));
            double s = 1 / (1 + Math.Exp(-f["x"]));
            Assert.Equal(s, f["sigmoid"], 1e-5);
            Assert.Equal(s * (1 - s), f["slope"], 1e-5);
            Assert.Equal(s * (1 - s), f["s(1-s)"], 1e-5);
            Assert.InRange(f["sigmoid"], 0, 1);
            Assert.True(f["slope"] <= 0.25);
        }

        var peak = PanelOutput.Numbers(output.Line("largest slope"));
        Assert.Equal([0.25, 0], peak);
    }

    [Fact]
    public void M3_tanh_is_a_stretched_sigmoid_with_slope_one_at_zero_and_zero_mean()
    {
        var output = PanelOutput.Of(TanhZeroCentred.Run);
        var rows = output.Lines("x = ");
        Assert.True(rows.Count >= 5);
        foreach (string row in rows)
        {
            var f = PanelOutput.Fields(row).ToDictionary(p => p.Name, p => Assert.Single(p.Values));
            double t = Math.Tanh(f["x"]);
            Assert.Equal(t, f["tanh"], 1e-5);
            Assert.Equal(1 - t * t, f["slope"], 1e-5);
            Assert.Equal(t, f["2s(2x)-1"], 1e-5);
        }

        Assert.Equal([1, 0], PanelOutput.Numbers(output.Line("largest slope")));
        Assert.Equal(0, Assert.Single(output.Field("mean output: tanh")), 1e-5);
        Assert.Equal(0.5, Assert.Single(output.Field("sigmoid")), 1e-5);
    }

    [Fact]
    public void M4_relu_is_max_of_zero_and_x_with_slope_zero_at_zero_and_half_its_units_silent()
    {
        var output = PanelOutput.Of(ReluSparse.Run);
        var rows = output.Lines("x = ");
        Assert.Contains(rows, r => PanelOutput.Fields(r).First().Values[0] == 0);
        foreach (string row in rows)
        {
            var f = PanelOutput.Fields(row).ToDictionary(p => p.Name, p => Assert.Single(p.Values));
            Assert.Equal(Math.Max(0, f["x"]), f["relu"], 1e-6);
            Assert.Equal(f["x"] > 0 ? 1 : 0, f["slope"]);
        }

        double[] zeros = PanelOutput.Numbers(output.Line("zero outputs"));
        Assert.Equal(zeros[0] / zeros[1], zeros[2], 1e-3);
        Assert.InRange(zeros[2], 0.35, 0.65);
    }

    [Fact]
    public void M5_a_unit_below_zero_everywhere_gets_no_gradient_with_relu_and_alpha_times_it_with_leaky_relu()
    {
        var output = PanelOutput.Of(DeadUnit.Run);
        double[] x = output.Field("x"), w = output.Field("w");
        double b = Assert.Single(output.Field("b"));
        int n = x.Length / 2;
        double[] z = [.. Enumerable.Range(0, n).Select(i => w[0] * x[2 * i] + w[1] * x[2 * i + 1] + b)];
        Assert.All(z, v => Assert.True(v < 0));

        Assert.All(output.Field("relu: a"), v => Assert.Equal(0, v));
        var relu = PanelOutput.Fields(output.Line("relu: dw")).ToDictionary(p => p.Name, p => p.Values);
        Assert.All(relu["relu: dw"], v => Assert.Equal(0, v));
        Assert.Equal(0, Assert.Single(relu["db"]));

        const double alpha = 0.1;
        AssertClose([.. z.Select(v => alpha * v)], output.Field("leaky_relu:0.1: a"), 1e-6);
        var leaky = PanelOutput.Fields(output.Line("leaky_relu:0.1: dw")).ToDictionary(p => p.Name, p => p.Values);
        double[] dw = [alpha * Enumerable.Range(0, n).Sum(i => x[2 * i]), alpha * Enumerable.Range(0, n).Sum(i => x[2 * i + 1])];
        AssertClose(dw, leaky["leaky_relu:0.1: dw"], 1e-6);
        Assert.Equal(alpha * n, Assert.Single(leaky["db"]), 1e-6);
    }

    [Fact]
    public void M6_naive_softmax_of_large_logits_is_nan_and_the_stable_one_matches_float64()
    {
        var output = PanelOutput.Of(LargeLogits.Run);
        double[] logits = output.Field("logits");
        Assert.True(logits.Max() > 89, "The logits are large enough to overflow e^x in float32.");
        Assert.All(output.Field("naive"), v => Assert.True(double.IsNaN(v)));
        AssertClose([.. logits.Select(z => z - logits.Max())], output.Field("shifted"), 0);
        AssertClose([.. logits.Select(z => Math.Exp(z - logits.Max()))], output.Field("exp"), 1e-12);
        AssertClose(Softmax(logits, 1), output.Field("by hand"), 1e-12);
        AssertClose(Softmax(logits, 1), output.Field("library"), 1e-6);

        double[] scores = output.Field("scores");
        var temperatures = output.Lines("T = ");
        Assert.True(temperatures.Count >= 3);
        double previousTop = 1;
        foreach (string line in temperatures)
        {
            double[] numbers = PanelOutput.Numbers(line);
            double[] p = numbers[1..(1 + scores.Length)];
            AssertClose(Softmax(scores, numbers[0]), p, 1e-6);
            Assert.Equal(1, numbers[^1], 1e-6);
            Assert.True(p[0] < previousTop, "A higher temperature flattens the distribution.");
            previousTop = p[0];
        }
    }

    [Fact]
    public void M7_gradients_vanish_through_ten_sigmoid_layers_and_not_through_relu()
    {
        var output = PanelOutput.Of(GradientThroughDepth.Run);
        Assert.Equal(Math.Pow(0.25, 10), Assert.Single(output.Field("0.25^10")), 1e-12);

        double[] sigmoid = output.Field("sigmoid: norms"), relu = output.Field("relu: norms");
        Assert.Equal(11, sigmoid.Length);
        Assert.Equal(11, relu.Length);
        double sigmoidRatio = Assert.Single(output.Field("sigmoid: first/last"));
        double reluRatio = Assert.Single(output.Field("relu: first/last"));
        Assert.Equal(sigmoid[0] / sigmoid[^1], sigmoidRatio, sigmoidRatio * 0.02);
        Assert.Equal(relu[0] / relu[^1], reluRatio, reluRatio * 0.02);
        Assert.True(sigmoidRatio < 1e-3, $"sigmoid first/last {sigmoidRatio}: expected vanishing (< 1e-3)");
        Assert.InRange(reluRatio, 0.1, 10);
    }

    [Fact]
    public void M8_the_chain_rule_by_hand_and_the_engine_give_the_same_gradient_of_one_weight()
    {
        var output = PanelOutput.Of(BackpropByHand.Run);
        double[] w = output.Field("w"), b = output.Field("b"), v = output.Field("v"), x = output.Field("x");
        double c = Assert.Single(output.Field("c")), y = Assert.Single(output.Field("y"));

        // An independent float64 forward pass, then dL/dw11 by a central difference of the loss.
        double Loss(double w11)
        {
            static double S(double z) => 1 / (1 + Math.Exp(-z));
            double a1 = S(w11 * x[0] + w[1] * x[1] + b[0]);
            double a2 = S(w[2] * x[0] + w[3] * x[1] + b[1]);
            double yHat = S(v[0] * a1 + v[1] * a2 + c);
            return (yHat - y) * (yHat - y);
        }

        const double step = 1e-5;
        double expected = (Loss(w[0] + step) - Loss(w[0] - step)) / (2 * step);
        Assert.True(Math.Abs(expected) > 1e-3);
        double[] factors = output.Field("factors");
        Assert.Equal(5, factors.Length);
        Assert.Equal(expected, factors.Aggregate(1.0, (p, f) => p * f), 1e-3);   // factors are printed to 4 decimals
        Assert.Equal(expected, Assert.Single(output.Field("by hand: dL/dw11")), 1e-8);

        var engine = PanelOutput.Fields(output.Line("engine:")).ToDictionary(p => p.Name, p => Assert.Single(p.Values));
        Assert.Equal(expected, engine["dL/dw11"], 1e-6);
        Assert.Equal(Loss(w[0]), engine["L"], 1e-4);
    }

    [Fact]
    public void M9_each_task_gets_its_output_and_loss_and_the_advisor_flags_the_wrong_ones()
    {
        var output = PanelOutput.Of(ChoosingOutput.Run);
        Assert.Equal("Binary: output sigmoid, loss bce_logits", output.Line("Binary:"));
        Assert.Equal("Multiclass: output softmax, loss cross_entropy", output.Line("Multiclass:"));
        Assert.Equal("Regression: output identity, loss mse", output.Line("Regression:"));

        var advice = output.Lines("advise ");
        Assert.Equal(3, advice.Count);
        Assert.Contains("sigmoid-multiclass", advice[0], StringComparison.Ordinal);
        Assert.Contains("hidden-softmax", advice[1], StringComparison.Ordinal);
        Assert.EndsWith(": no problems", advice[2], StringComparison.Ordinal);
    }

    public static TheoryData<string> Modules => [.. Enumerable.Range(1, 9).Select(i => $"m{i}")];

    [Theory]
    [MemberData(nameof(Modules))]
    public void Every_command_of_the_cli_panel_runs(string module)
    {
        string script = ShippedPanel($"{module}.sh");
        var commands = new List<string[]>();
        foreach (string line in script.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            // Plain words only (no quotes, pipes or variables), so splitting at spaces is what a shell would do.
            Assert.StartsWith("nonlinear ", line, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"[""'`$|&;<>\\]", line);
            commands.Add(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]);
        }

        Assert.NotEmpty(commands);
        foreach (var args in commands)
        {
            var run = CliRun.Of(args);
            Assert.True(run.ExitCode == 0, $"nonlinear {string.Join(' ', args)} exited {run.ExitCode}: {run.Stderr}");
            Assert.False(string.IsNullOrWhiteSpace(run.Stdout));
        }
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Each_module_ships_its_three_panels(string module)
    {
        Assert.Contains("// <show>", ShippedPanel($"{module}.cs"), StringComparison.Ordinal);
        Assert.Contains("nonlinear ", ShippedPanel($"{module}.sh"), StringComparison.Ordinal);
        Assert.Contains("import torch", ShippedPanel($"{module}.py"), StringComparison.Ordinal);
    }

    private static string ShippedPanel(string file)
    {
        var assembly = typeof(Nonlinear.Web.WebServer).Assembly;
        using var stream = assembly.GetManifestResourceStream($"learn/code/{file}")
            ?? throw new Xunit.Sdk.XunitException($"Learn/Content/code/{file} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static double[] Softmax(double[] logits, double temperature)
    {
        double max = logits.Max() / temperature;
        double[] e = [.. logits.Select(z => Math.Exp(z / temperature - max))];
        return [.. e.Select(v => v / e.Sum())];
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
        }
    }
}
