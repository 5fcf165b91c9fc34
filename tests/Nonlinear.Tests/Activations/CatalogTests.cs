using Nonlinear.Activations;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>The registry: names, aliases, parameters in the name, errors, and metadata every entry must carry.</summary>
public sealed class CatalogTests
{
    [Fact]
    public void The_catalog_contains_every_activation_the_issue_requires()
    {
        string[] required =
        [
            "identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "log_softmax", "elu", "selu", "gelu",
            "silu", "mish", "softplus", "softsign", "hardsigmoid", "hardswish", "relu6", "hardtanh", "log_sigmoid",
            "sin", "gaussian", "step",
        ];
        Assert.Equal(required.Order(), ActivationRegistry.All.Select(d => d.Name).Order());
    }

    [Theory]
    [InlineData("ReLU", "relu")]
    [InlineData("swish", "silu")]
    [InlineData("Leaky-ReLU", "leaky_relu")]
    [InlineData("logistic", "sigmoid")]
    [InlineData("LOGSOFTMAX", "log_softmax")]
    [InlineData("hard_swish", "hardswish")]
    [InlineData("Sine", "sin")]
    [InlineData("heaviside", "step")]
    [InlineData("GAUSSIAN", "gaussian")]
    public void Names_are_case_insensitive_with_aliases(string name, string canonical)
        => Assert.Equal(canonical, ActivationRegistry.Parse(name).Name);

    [Theory]
    [InlineData("leaky_relu:0.1", "leaky_relu:0.1")]
    [InlineData("leaky_relu:alpha=0.2", "leaky_relu:0.2")]
    [InlineData("leaky_relu", "leaky_relu")]
    [InlineData("gelu:tanh", "gelu:tanh")]
    [InlineData("gelu:none", "gelu")]
    [InlineData("softplus:beta=2", "softplus:beta=2")]
    [InlineData("softplus:2:10", "softplus:beta=2:threshold=10")]
    [InlineData("hardtanh:-2:2", "hardtanh:min=-2:max=2")]
    [InlineData("elu:0.5", "elu:0.5")]
    public void Parameters_in_the_name_give_a_canonical_spec_that_parses_back(string spec, string canonical)
    {
        var a = ActivationRegistry.Parse(spec);
        Assert.Equal(canonical, a.Spec);
        Assert.Equal(canonical, ActivationRegistry.Parse(a.Spec).Spec);
    }

    [Fact]
    public void Parameters_change_the_function()
    {
        var a = (ElementwiseActivation)ActivationRegistry.Parse("leaky_relu:0.1");
        Assert.Equal(-0.2f, a.Value(-2f), 6);
        Assert.Equal(0.1f, a.Derivative(-2f));
        var sp = (ElementwiseActivation)ActivationRegistry.Parse("softplus:beta=2");
        Assert.Equal(Math.Log(1 + Math.Exp(2.0)) / 2, sp.Value(1f), 6);
    }

    [Theory]
    [InlineData("relu7", "relu6")]
    [InlineData("sigmod", "sigmoid")]
    [InlineData("gleu", "gelu")]
    public void An_unknown_name_suggests_the_closest(string spec, string suggestion)
    {
        var e = Assert.Throws<ActivationSpecException>(() => ActivationRegistry.Parse(spec));
        Assert.Contains(suggestion, e.Suggestions);
        Assert.Contains(suggestion, e.Message);
    }

    [Theory]
    [InlineData("leaky_relu:-0.1", "alpha in [0, 1]")]
    [InlineData("leaky_relu:nan", "alpha in [0, 1]")]
    [InlineData("softplus:beta=0", "beta > 0")]
    [InlineData("softplus:beta=-1", "beta > 0")]
    [InlineData("hardtanh:1:-1", "min < max")]
    [InlineData("gelu:fast", "one of none, tanh")]
    [InlineData("leaky_relu:abc", "not a valid alpha")]
    [InlineData("relu:1", "takes no parameters")]
    [InlineData("softplus:gamma=2", "no parameter 'gamma'")]
    public void A_bad_parameter_is_rejected_with_the_valid_range(string spec, string expected)
    {
        var e = Assert.Throws<ActivationSpecException>(() => ActivationRegistry.Parse(spec));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Constructors_validate_parameters_too()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyRelu(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Softplus(beta: 0));
        Assert.ThrowsAny<ArgumentException>(() => new HardTanh(1, -1));
    }

    [Fact]
    public void Every_entry_carries_complete_metadata()
    {
        foreach (var d in ActivationRegistry.All)
        {
            var info = d.CreateDefault().Info;
            Assert.False(string.IsNullOrWhiteSpace(info.Formula), d.Name);
            Assert.False(string.IsNullOrWhiteSpace(info.DerivativeFormula), d.Name);
            Assert.False(string.IsNullOrWhiteSpace(info.UsedIn), d.Name);
            Assert.False(string.IsNullOrWhiteSpace(info.WhyItWorks), d.Name);
            Assert.False(string.IsNullOrWhiteSpace(info.Convention), d.Name);
            Assert.NotEmpty(info.Limitations);
            Assert.True(info.OutputMin <= info.OutputMax, d.Name);

            // Zero only for an activation that passes no gradient at all (step), and then its family says so.
            Assert.True(info.DerivativeMax > 0 || (info.DerivativeMax == 0 && info.Family == ActivationFamily.Threshold), d.Name);
        }
    }

    [Fact]
    public void Metadata_states_the_classic_facts()
    {
        Assert.Equal(0.25, ActivationRegistry.Parse("sigmoid").Info.DerivativeMax);
        Assert.Contains("x = 0", ActivationRegistry.Parse("sigmoid").Info.DerivativePeak);
        Assert.Equal(1, ActivationRegistry.Parse("tanh").Info.DerivativeMax);
        Assert.Equal("{0, 1}", ActivationRegistry.Parse("relu").Info.DerivativeRange);
        Assert.Equal("{0.1, 1}", ActivationRegistry.Parse("leaky_relu:0.1").Info.DerivativeRange);
        Assert.False(ActivationRegistry.Parse("sigmoid").Info.ZeroCentred);
        Assert.True(ActivationRegistry.Parse("tanh").Info.ZeroCentred);
        Assert.Contains(ActivationRegistry.Parse("sigmoid").Info.Limitations, l => l.Contains("anishing", StringComparison.Ordinal));
        Assert.Contains(ActivationRegistry.Parse("relu").Info.Limitations, l => l.Contains("Dying", StringComparison.Ordinal));
        Assert.Contains(ActivationRegistry.Parse("leaky_relu").Info.Limitations, l => l.Contains("0.01-0.3", StringComparison.Ordinal));
        Assert.Contains(ActivationRegistry.Parse("softmax").Info.Limitations, l => l.Contains("mutually exclusive", StringComparison.Ordinal));
        Assert.Contains(ActivationRegistry.Parse("softmax").Info.Limitations, l => l.Contains("Overflow", StringComparison.Ordinal));
        Assert.False(ActivationRegistry.Parse("sin").Info.Monotonic);
        Assert.False(ActivationRegistry.Parse("gaussian").Info.Monotonic);
        Assert.Equal(Math.Sqrt(2 / Math.E), ActivationRegistry.Parse("gaussian").Info.DerivativeMax, 12);
        Assert.Equal(0, ActivationRegistry.Parse("step").Info.DerivativeMax);
        Assert.Contains(ActivationRegistry.Parse("step").Info.Limitations, l => l.Contains("Zero gradient", StringComparison.Ordinal));
    }

    [Fact]
    public void Step_is_the_perceptrons_threshold_with_no_gradient_anywhere()
    {
        var step = (ElementwiseActivation)ActivationRegistry.Parse("heaviside");
        float[] x = [-3f, -1e-30f, -0f, 0f, 1e-45f, 2f, float.PositiveInfinity, float.NegativeInfinity];
        Assert.Equal([0f, 0f, 0f, 0f, 1f, 1f, 1f, 0f], x.Select(step.Value));
        Assert.All(x, v => Assert.Equal(0f, step.Derivative(v)));

        // Whatever flows back, nothing comes out (but a NaN input is not hidden).
        var dx = new float[3];
        step.Backward([1f, 0f, float.NaN], [1f, 0f, float.NaN], [5f, float.PositiveInfinity, 1f], dx);
        Assert.Equal(0f, dx[0]);
        Assert.Equal(0f, dx[1]);
        Assert.True(float.IsNaN(dx[2]));
    }

    [Fact]
    public void Measured_extrema_agree_with_the_metadata()
    {
        // The stated minimum of f and maximum of f' are checked against a fine sweep of the kernel itself.
        foreach (var d in ActivationRegistry.All)
        {
            if (d.CreateDefault() is not ElementwiseActivation a)
            {
                continue;
            }

            double minF = double.PositiveInfinity, maxD = double.NegativeInfinity;
            for (double x = -20; x <= 20; x += 1e-3)
            {
                minF = Math.Min(minF, a.Value((float)x));
                maxD = Math.Max(maxD, a.Derivative((float)x));
            }

            // Only where the minimum is attained (a closed range, e.g. GELU's [-0.17, inf)), not an asymptote.
            if (a.Info.OutputRange.StartsWith('['))
            {
                Assert.True(Math.Abs(minF - a.Info.OutputMin) < 2e-3, $"{d.Name}: min f {minF} vs stated {a.Info.OutputMin}");
            }

            Assert.True(Math.Abs(maxD - a.Info.DerivativeMax) < 2e-3, $"{d.Name}: max f' {maxD} vs stated {a.Info.DerivativeMax}");
        }
    }
}
