using System.Globalization;
using Nonlinear.Layers;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Training;

/// <summary>
/// An L1 or L2 penalty on the weights, added to the loss's gradient before each optimizer step (TensorFlow
/// Playground's "regularization" and "regularization rate"). Parameters whose <see cref="Parameter.Decays"/> is
/// false (biases, batch-norm shifts) are never penalised.
/// </summary>
/// <remarks>
/// L1: penalty rate · Σ|w|, gradient rate · sign(w) (sign(0) = 0). L2: penalty rate · Σw²/2, gradient rate · w,
/// so with plain SGD it is the same as SGD's weight decay. TF Playground additionally snaps an L1 weight that
/// crosses zero to exactly zero; this is the plain subgradient, as in PyTorch when the penalty is added to the loss.
/// </remarks>
/// <example><c>trainer.Regularization = new Regularization(RegularizationKind.L2, 0.001);</c></example>
public sealed class Regularization
{
    /// <summary>A penalty of <paramref name="kind"/> with strength <paramref name="rate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite, or the kind is unknown.</exception>
    public Regularization(RegularizationKind kind, double rate)
    {
        if (kind is not (RegularizationKind.L1 or RegularizationKind.L2))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Regularization is L1 or L2.");
        }

        if (!(rate >= 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The regularization rate must be finite and non-negative.");
        }

        Kind = kind;
        Rate = rate;
    }

    /// <summary>L1 or L2.</summary>
    public RegularizationKind Kind { get; }

    /// <summary>The strength of the penalty.</summary>
    public double Rate { get; }

    /// <summary>The penalty's value over <paramref name="parameters"/> (the weights only).</summary>
    public double Penalty(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sum = 0;
        foreach (var p in parameters)
        {
            if (p.Decays)
            {
                var w = p.Value.Span;
                sum += Kind == RegularizationKind.L1 ? TensorPrimitives.SumOfMagnitudes<float>(w) : 0.5 * TensorPrimitives.SumOfSquares<float>(w);
            }
        }

        return Rate * sum;
    }

    /// <summary>Adds the penalty's gradient to each weight's gradient (allocates nothing).</summary>
    public void AddGradient(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (Rate == 0)
        {
            return;
        }

        float rate = (float)Rate;
        foreach (var p in parameters)
        {
            if (!p.Decays)
            {
                continue;
            }

            var w = p.Value.Span;
            var g = p.Gradient.Span;
            if (Kind == RegularizationKind.L2)
            {
                TensorPrimitives.MultiplyAdd(w, rate, g, g);
            }
            else
            {
                for (int i = 0; i < w.Length; i++)
                {
                    g[i] += w[i] > 0 ? rate : w[i] < 0 ? -rate : 0f;
                }
            }
        }
    }

    /// <summary>"l1(0.001)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Kind.ToString().ToLowerInvariant()}({Rate})");
}
