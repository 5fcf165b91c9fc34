using Nonlinear.Layers;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Optimizers;

/// <summary>
/// Several steps of each optimizer on a decaying weight and a non-decaying bias, against
/// <see cref="ReferenceOptimizer"/> (PyTorch's formulas in float64).
/// </summary>
/// <remarks>
/// The gradients depend on the step and the element only, not on the parameter values, so the float32 run and
/// the float64 reference see identical gradients and differ only by float32 rounding: 1e-5 relative plus 1e-6
/// absolute after 6 steps.
/// </remarks>
public sealed class OptimizerReferenceTests
{
    private const int StepCount = 6;

    public static TheoryData<string> Configurations() =>
    [
        "sgd", "sgd_wd", "momentum", "momentum_wd", "nesterov", "nesterov_wd",
        "adam", "adam_wd", "adam_betas", "adamw", "adamw_no_decay",
    ];

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Updates_match_PyTorchs_rules_computed_in_float64(string configuration)
    {
        var (optimizer, reference) = Make(configuration);
        var weight = new Parameter("0.weight", Tensor.FromArray([0.5f, -1.25f, 2f, 0.03f, -0.7f, 1.1f], 2, 3));
        var bias = new Parameter("0.bias", Tensor.FromArray([0.4f, -0.2f, 1.5f], 3), decays: false);
        var w64 = weight.Value.Span.ToArray().Select(v => (double)v).ToArray();
        var b64 = bias.Value.Span.ToArray().Select(v => (double)v).ToArray();
        Parameter[] parameters = [weight, bias];
        for (int t = 1; t <= StepCount; t++)
        {
            var gw = Gradient(t, weight.Length, 0);
            var gb = Gradient(t, bias.Length, 100);
            gw.Select(v => (float)v).ToArray().CopyTo(weight.Gradient.Span);
            gb.Select(v => (float)v).ToArray().CopyTo(bias.Gradient.Span);
            optimizer.Step(parameters);
            reference.Step(w64, gw, decays: true);
            reference.Step(b64, gb, decays: false);
        }

        Assert.Equal(StepCount, optimizer.Steps);
        AssertClose(w64, weight, configuration);
        AssertClose(b64, bias, configuration);
    }

    [Fact]
    public void Adamw_decay_is_decoupled_from_the_gradient_and_skips_biases()
    {
        // With zero gradients Adam's moments stay 0, so AdamW moves weights only by the decay factor (1 - lr wd)
        // per step, while Adam's L2 term is normalised by sqrt(v) and moves them by about lr per step.
        var weight = new Parameter("w", Tensor.FromArray([2f, -4f], 2));
        var bias = new Parameter("b", Tensor.FromArray([3f], 1), decays: false);
        var adamW = new AdamW(learningRate: 0.1, weightDecay: 0.5);
        for (int t = 0; t < 3; t++)
        {
            adamW.Step([weight, bias]);
        }

        double factor = Math.Pow(1 - (0.1 * 0.5), 3);
        Assert.Equal(2 * factor, weight.Value.Span[0], 1e-6);
        Assert.Equal(-4 * factor, weight.Value.Span[1], 1e-6);
        Assert.Equal(3f, bias.Value.Span[0]);

        var coupled = new Parameter("w", Tensor.FromArray([2f, -4f], 2));
        var adam = new Adam(learningRate: 0.1, weightDecay: 0.5);
        for (int t = 0; t < 3; t++)
        {
            adam.Step([coupled]);
        }

        // Not exactly lr per step: the L2 gradient shrinks with the weight, so m-hat / sqrt(v-hat) dips below 1.
        Assert.Equal(2 - 0.3, coupled.Value.Span[0], 2e-3);
        Assert.Equal(-4 + 0.3, coupled.Value.Span[1], 2e-3);
    }

    [Fact]
    public void Sgd_weight_decay_leaves_parameters_that_do_not_decay_untouched()
    {
        var weight = new Parameter("w", Tensor.FromArray([2f], 1));
        var bias = new Parameter("b", Tensor.FromArray([2f], 1), decays: false);
        new Sgd(0.1, momentum: 0.9, weightDecay: 0.5).Step([weight, bias]);
        Assert.Equal(2 - (0.1 * 0.5 * 2), weight.Value.Span[0], 1e-6);
        Assert.Equal(2f, bias.Value.Span[0]);
    }

    [Fact]
    public void Optimizers_read_gradients_without_changing_them()
    {
        var weight = new Parameter("w", Tensor.FromArray([1f, 2f], 2));
        weight.Gradient.Span[0] = 0.5f;
        weight.Gradient.Span[1] = -0.25f;
        foreach (var optimizer in new Optimizer[] { new Sgd(0.1, 0.9, true, 0.1), new Adam(weightDecay: 0.1), new AdamW() })
        {
            optimizer.Step([weight]);
            Assert.Equal([0.5f, -0.25f], weight.Gradient.Span.ToArray());
        }
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("nesterov")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void Steps_allocate_nothing_once_the_state_exists(string name)
    {
        var optimizer = Optimizer.Create(name, 0.01);
        Parameter[] parameters = [new Parameter("w", new Tensor(4, 4)), new Parameter("b", new Tensor(4), decays: false)];
        optimizer.Step(parameters);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            optimizer.Step(parameters);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static (Optimizer Optimizer, ReferenceOptimizer Reference) Make(string configuration) => configuration switch
    {
        "sgd" => (new Sgd(0.1), new ReferenceOptimizer("sgd", 0.1)),
        "sgd_wd" => (new Sgd(0.1, weightDecay: 0.05), new ReferenceOptimizer("sgd", 0.1, weightDecay: 0.05)),
        "momentum" => (new Sgd(0.1, momentum: 0.9), new ReferenceOptimizer("sgd", 0.1, momentum: 0.9)),
        "momentum_wd" => (new Sgd(0.05, momentum: 0.8, weightDecay: 0.1), new ReferenceOptimizer("sgd", 0.05, momentum: 0.8, weightDecay: 0.1)),
        "nesterov" => (new Sgd(0.1, momentum: 0.9, nesterov: true), new ReferenceOptimizer("sgd", 0.1, momentum: 0.9, nesterov: true)),
        "nesterov_wd" => (new Sgd(0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1), new ReferenceOptimizer("sgd", 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1)),
        "adam" => (new Adam(0.01), new ReferenceOptimizer("adam", 0.01)),
        "adam_wd" => (new Adam(0.01, weightDecay: 0.1), new ReferenceOptimizer("adam", 0.01, weightDecay: 0.1)),
        "adam_betas" => (new Adam(0.05, beta1: 0.5, beta2: 0.9, epsilon: 1e-3), new ReferenceOptimizer("adam", 0.05, beta1: 0.5, beta2: 0.9, eps: 1e-3)),
        "adamw" => (new AdamW(0.01, weightDecay: 0.1), new ReferenceOptimizer("adamw", 0.01, weightDecay: 0.1)),
        "adamw_no_decay" => (new AdamW(0.01, weightDecay: 0), new ReferenceOptimizer("adamw", 0.01, weightDecay: 0)),
        _ => throw new ArgumentException(configuration),
    };

    /// <summary>A gradient that varies in sign and size with the step and the element (never 0).</summary>
    private static double[] Gradient(int step, int length, int offset) =>
        Enumerable.Range(0, length).Select(i => (double)(float)(Math.Sin((1.7 * (i + offset)) + (0.9 * step)) + 0.05)).ToArray();

    private static void AssertClose(double[] expected, Parameter actual, string configuration)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float a = actual.Value.Span[i];
            Assert.True(Math.Abs(a - expected[i]) <= 1e-6 + (1e-5 * Math.Abs(expected[i])), $"{configuration}: {actual.Name}[{i}] = {a:R}, reference {expected[i]:R}.");
        }
    }
}
