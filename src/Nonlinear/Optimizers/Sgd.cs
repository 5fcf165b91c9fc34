using System.Globalization;
using Nonlinear.Layers;

namespace Nonlinear.Optimizers;

/// <summary>
/// Stochastic gradient descent, optionally with (Nesterov) momentum and L2 weight decay; PyTorch's
/// <c>torch.optim.SGD</c> with dampening 0.
/// </summary>
/// <remarks>
/// <para>
/// Per parameter p with gradient grad, as in PyTorch:
/// g = grad + wd p; with momentum mu != 0: b = g on the first step, else b = mu b + g, and then
/// g = g + mu b (Nesterov) or g = b; finally p = p - lr g.
/// </para>
/// <para>
/// Difference from PyTorch: weight decay applies only to parameters with <see cref="Parameter.Decays"/> set
/// (weights, not biases). PyTorch decays every parameter of a parameter group; to get this behaviour there you
/// would put biases in a second group with weight_decay = 0.
/// </para>
/// </remarks>
public sealed class Sgd : Optimizer
{
    private readonly Dictionary<Parameter, float[]> _momentumBuffers = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">lr, finite and positive.</param>
    /// <param name="momentum">mu in [0, 1); 0 for plain SGD.</param>
    /// <param name="nesterov">Use Nesterov momentum (requires mu &gt; 0).</param>
    /// <param name="weightDecay">wd, the L2 coefficient added to the gradient; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    /// <exception cref="ArgumentException">Nesterov momentum without momentum.</exception>
    public Sgd(double learningRate, double momentum = 0, bool nesterov = false, double weightDecay = 0)
        : base(learningRate)
    {
        CheckUnitInterval(momentum, nameof(momentum));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && momentum == 0)
        {
            throw new ArgumentException("Nesterov momentum requires momentum > 0.", nameof(nesterov));
        }

        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
    }

    /// <summary>The momentum coefficient mu (0: none).</summary>
    public double Momentum { get; }

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    /// <summary>The L2 weight-decay coefficient wd (applied to <see cref="Parameter.Decays"/> parameters only).</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    internal override IReadOnlyList<string> StateBufferNames => Momentum == 0 ? [] : ["momentum_buffer"];

    /// <inheritdoc/>
    internal override (int Step, float[][] Buffers)? GetParameterState(Parameter parameter)
        => _momentumBuffers.TryGetValue(parameter, out var buffer) ? (1, [buffer]) : null;

    /// <inheritdoc/>
    internal override void SetParameterState(Parameter parameter, int step, float[][] buffers)
    {
        if (Momentum != 0)
        {
            _momentumBuffers[parameter] = (float[])buffers[0].Clone();
        }
    }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, float gradientScale)
    {
        Span<float> p = parameter.Value.Span;
        ReadOnlySpan<float> grad = parameter.Gradient.Span;
        float lr = (float)LearningRate;
        float wd = parameter.Decays ? (float)WeightDecay : 0f;
        if (Momentum == 0)
        {
            int i = OptimizerKernels.SgdPlain(p, grad, lr, wd, gradientScale);
            for (; i < p.Length; i++)
            {
                p[i] -= lr * ((gradientScale * grad[i]) + (wd * p[i]));
            }

            return;
        }

        float mu = (float)Momentum;
        bool firstStep = !_momentumBuffers.TryGetValue(parameter, out var buffer);
        if (firstStep)
        {
            buffer = new float[p.Length];
            _momentumBuffers.Add(parameter, buffer);
        }

        Apply(p, grad, buffer!, lr, wd, mu, gradientScale, firstStep);
    }

    /// <summary>"sgd(lr=0.1, momentum=0.9, nesterov, weight_decay=0.0001)".</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string s = string.Create(c, $"sgd(lr={LearningRate}");
        if (Momentum != 0)
        {
            s += string.Create(c, $", momentum={Momentum}") + (Nesterov ? ", nesterov" : string.Empty);
        }

        if (WeightDecay != 0)
        {
            s += string.Create(c, $", weight_decay={WeightDecay}");
        }

        return s + ")";
    }

    private void Apply(Span<float> p, ReadOnlySpan<float> grad, Span<float> buffer, float lr, float wd, float mu, float scale, bool firstStep)
    {
        // The vector loop does the same operations in the same order (no fused multiply-adds): same bits, faster.
        int i = OptimizerKernels.SgdMomentum(p, grad, buffer, lr, wd, mu, scale, firstStep, Nesterov);
        for (; i < p.Length; i++)
        {
            float g = (scale * grad[i]) + (wd * p[i]);

            // PyTorch starts the buffer at the first gradient: b = g, not mu b + g with b = 0 (equal here, but
            // not once dampening is added).
            float b = firstStep ? g : (mu * buffer[i]) + g;
            buffer[i] = b;
            p[i] -= lr * (Nesterov ? g + (mu * b) : b);
        }
    }
}
