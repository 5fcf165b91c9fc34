using Nonlinear.Layers;

namespace Nonlinear.Optimizers;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter); PyTorch's <c>torch.optim.AdamW</c> (amsgrad off).
/// </summary>
/// <remarks>
/// <para>
/// Per parameter p, at that parameter's step t: first p = p (1 - lr wd), then the <see cref="Adam"/> update
/// from the raw gradient (no L2 term): the decay shrinks weights at the same rate whatever their gradient
/// history, instead of being rescaled by Adam's per-coordinate denominator as an L2 gradient term would be.
/// </para>
/// <para>
/// Difference from PyTorch: the decay applies only to parameters with <see cref="Parameter.Decays"/> set.
/// </para>
/// </remarks>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">lr, finite and positive.</param>
    /// <param name="beta1">b1, the first-moment decay, in [0, 1).</param>
    /// <param name="beta2">b2, the second-moment decay, in [0, 1).</param>
    /// <param name="epsilon">eps, added to the denominator; finite and non-negative.</param>
    /// <param name="weightDecay">wd, the decoupled decay rate; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public AdamW(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0.01)
        : base(learningRate, beta1, beta2, epsilon, weightDecay)
    {
    }

    /// <inheritdoc/>
    protected override bool DecoupledWeightDecay => true;
}
