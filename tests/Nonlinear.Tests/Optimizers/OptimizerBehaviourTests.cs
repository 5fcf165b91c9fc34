using Nonlinear.Layers;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Optimizers;

/// <summary>Convergence on a quadratic, the factory, and argument validation.</summary>
public sealed class OptimizerBehaviourTests
{
    [Theory]
    [InlineData("sgd", 0.1)]
    [InlineData("momentum", 0.05)]
    [InlineData("nesterov", 0.05)]
    [InlineData("adam", 0.1)]
    [InlineData("adamw", 0.1)]
    public void Every_optimizer_minimises_a_one_dimensional_quadratic(string name, double learningRate)
    {
        // f(x) = (x - 3)^2, f'(x) = 2 (x - 3), from x = -2. x does not decay, so AdamW's default decay cannot
        // move the minimum.
        var x = new Parameter("x", Tensor.FromArray([-2f], 1), decays: false);
        var optimizer = Optimizer.Create(name, learningRate);
        for (int i = 0; i < 2000; i++)
        {
            x.Gradient.Span[0] = 2 * (x.Value.Span[0] - 3);
            optimizer.Step([x]);
        }

        Assert.Equal(3.0, x.Value.Span[0], 1e-3);
        Assert.Equal(2000, optimizer.Steps);
    }

    [Theory]
    [InlineData("sgd", typeof(Sgd), 0, false)]
    [InlineData("Momentum", typeof(Sgd), 0.9, false)]
    [InlineData("NESTEROV", typeof(Sgd), 0.9, true)]
    [InlineData("adam", typeof(Adam), 0, false)]
    [InlineData("AdamW", typeof(AdamW), 0, false)]
    public void Create_builds_the_named_optimizer_case_insensitively(string name, Type type, double momentum, bool nesterov)
    {
        var optimizer = Optimizer.Create(name, 0.02);
        Assert.IsType(type, optimizer);
        Assert.Equal(0.02, optimizer.LearningRate);
        if (optimizer is Sgd sgd)
        {
            Assert.Equal(momentum, sgd.Momentum);
            Assert.Equal(nesterov, sgd.Nesterov);
        }

        if (optimizer is AdamW adamW)
        {
            Assert.Equal(0.01, adamW.WeightDecay);
        }
    }

    [Fact]
    public void Create_rejects_an_unknown_name_listing_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Optimizer.Create("rmsprop", 0.01));
        Assert.Contains("'rmsprop'", e.Message, StringComparison.Ordinal);
        foreach (string name in new[] { "sgd", "momentum", "nesterov", "adam", "adamw" })
        {
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void The_learning_rate_must_be_finite_and_positive(double rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(rate));
        Assert.Contains("learning rate", e.Message, StringComparison.Ordinal);
        var adam = new Adam();
        Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = rate);
        Assert.Equal(1e-3, adam.LearningRate);
    }

    [Fact]
    public void Hyperparameters_out_of_range_are_rejected_with_their_names()
    {
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1, momentum: 1)).Message, StringComparison.Ordinal);
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1, momentum: -0.5)).Message, StringComparison.Ordinal);
        Assert.Contains("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1, weightDecay: -1)).Message, StringComparison.Ordinal);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd(0.1, nesterov: true)).Message, StringComparison.Ordinal);
        Assert.Contains("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1)).Message, StringComparison.Ordinal);
        Assert.Contains("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(beta2: double.NaN)).Message, StringComparison.Ordinal);
        Assert.Contains("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: -1e-8)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new Sgd(0.1).Step(null!));
        Assert.Throws<ArgumentNullException>(() => new Sgd(0.1).Step([null!]));
    }
}
