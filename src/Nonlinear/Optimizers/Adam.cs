using System.Globalization;
using Nonlinear.Layers;

namespace Nonlinear.Optimizers;

/// <summary>
/// Adam with bias correction and optional L2 weight decay added to the gradient; PyTorch's
/// <c>torch.optim.Adam</c> (amsgrad off). For decoupled weight decay use <see cref="AdamW"/>.
/// </summary>
/// <remarks>
/// <para>
/// Per parameter p with gradient grad, at that parameter's step t = 1, 2, ...:
/// g = grad + wd p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps), with m = v = 0 before the first step.
/// </para>
/// <para>
/// Difference from PyTorch: weight decay applies only to parameters with <see cref="Parameter.Decays"/> set.
/// </para>
/// </remarks>
public class Adam : Optimizer
{
    private readonly Dictionary<Parameter, Moments> _moments = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">lr, finite and positive.</param>
    /// <param name="beta1">b1, the decay of the first-moment (mean) estimate, in [0, 1).</param>
    /// <param name="beta2">b2, the decay of the second-moment (uncentred variance) estimate, in [0, 1).</param>
    /// <param name="epsilon">eps, added to the denominator; finite and non-negative.</param>
    /// <param name="weightDecay">wd, the L2 coefficient added to the gradient; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : base(learningRate)
    {
        CheckUnitInterval(beta1, nameof(beta1));
        CheckUnitInterval(beta2, nameof(beta2));
        CheckNonNegative(epsilon, nameof(epsilon));
        CheckNonNegative(weightDecay, nameof(weightDecay));
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
    }

    /// <summary>b1, the first-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>b2, the second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>eps, the denominator's floor.</summary>
    public double Epsilon { get; }

    /// <summary>The weight-decay coefficient wd (applied to <see cref="Parameter.Decays"/> parameters only).</summary>
    public double WeightDecay { get; }

    /// <summary>Whether weight decay is decoupled from the gradient (AdamW) rather than added to it as L2 (Adam).</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <summary>"adam(lr=0.001, betas=(0.9, 0.999), eps=1E-08, weight_decay=0)".</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{(DecoupledWeightDecay ? "adamw" : "adam")}(lr={LearningRate}, betas=({Beta1}, {Beta2}), eps={Epsilon}, weight_decay={WeightDecay})");

    /// <inheritdoc/>
    internal override IReadOnlyList<string> StateBufferNames => ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc/>
    internal override (int Step, float[][] Buffers)? GetParameterState(Parameter parameter)
        => _moments.TryGetValue(parameter, out var state) ? (state.Step, [state.First, state.Second]) : null;

    /// <inheritdoc/>
    internal override void SetParameterState(Parameter parameter, int step, float[][] buffers)
    {
        var state = new Moments(parameter.Length) { Step = step };
        buffers[0].AsSpan().CopyTo(state.First);
        buffers[1].AsSpan().CopyTo(state.Second);
        _moments[parameter] = state;
    }

    /// <inheritdoc/>
    protected sealed override void Update(Parameter parameter, float gradientScale)
    {
        Span<float> p = parameter.Value.Span;
        ReadOnlySpan<float> grad = parameter.Gradient.Span;
        if (!_moments.TryGetValue(parameter, out var state))
        {
            state = new Moments(p.Length);
            _moments.Add(parameter, state);
        }

        int t = ++state.Step;
        double wdValue = parameter.Decays ? WeightDecay : 0;
        if (DecoupledWeightDecay && wdValue != 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(p, (float)(1 - (LearningRate * wdValue)), p);
        }

        float wd = DecoupledWeightDecay ? 0f : (float)wdValue;
        float b1 = (float)Beta1, b2 = (float)Beta2;
        float c1 = (float)(1 - Beta1), c2 = (float)(1 - Beta2);

        // As PyTorch: the bias corrections are folded into a step size lr / (1 - b1^t) and a divisor
        // sqrt(1 - b2^t) of sqrt(v), computed in double (b^t for large t is where float would lose digits).
        float stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, t)));
        float correction2 = (float)Math.Sqrt(1 - Math.Pow(Beta2, t));
        float eps = (float)Epsilon;
        Span<float> m = state.First;
        Span<float> v = state.Second;
        // The vector loop does the same operations in the same order as the scalar loop below (no fused
        // multiply-adds), so every element gets the same bits whichever loop handles it: only faster.
        int i = OptimizerKernels.Adam(p, grad, m, v, new AdamConstants(b1, b2, c1, c2, wd, gradientScale, stepSize, correction2, eps));
        for (; i < p.Length; i++)
        {
            float g = (gradientScale * grad[i]) + (wd * p[i]);
            float mi = (b1 * m[i]) + (c1 * g);
            float vi = (b2 * v[i]) + (c2 * g * g);
            m[i] = mi;
            v[i] = vi;
            p[i] -= stepSize * mi / ((MathF.Sqrt(vi) / correction2) + eps);
        }
    }

    private sealed class Moments(int length)
    {
        public float[] First { get; } = new float[length];

        public float[] Second { get; } = new float[length];

        public int Step { get; set; }
    }
}
