using System.Globalization;

namespace Nonlinear.Optimizers;

/// <summary>
/// Cosine annealing: lr(epoch) = min + (base - min) (1 + cos(pi epoch / T)) / 2, from base at epoch 0 to min at
/// epoch T; the closed form of PyTorch's <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> (T_max = T, eta_min = min).
/// </summary>
/// <remarks>
/// As in PyTorch the formula is not clamped: past epoch T the rate rises again along the cosine (period 2T).
/// Train for T epochs (0 to T - 1), where every rate is positive even with min = 0.
/// </remarks>
public sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="totalEpochs">T, the epoch at which the rate reaches the minimum; positive.</param>
    /// <param name="minimumRate">min, the final rate; finite and non-negative.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public CosineSchedule(int totalEpochs, double minimumRate = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalEpochs);
        if (!(minimumRate >= 0 && double.IsFinite(minimumRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(minimumRate), minimumRate, "The minimum rate must be finite and non-negative.");
        }

        TotalEpochs = totalEpochs;
        MinimumRate = minimumRate;
    }

    /// <summary>T, the length of the half cosine in epochs.</summary>
    public int TotalEpochs { get; }

    /// <summary>The rate reached at epoch T.</summary>
    public double MinimumRate { get; }

    /// <summary>"cosine(100, min=0)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cosine({TotalEpochs}, min={MinimumRate})");

    /// <inheritdoc/>
    protected override double Rate(int epoch, double baseRate) =>
        MinimumRate + ((baseRate - MinimumRate) * (1 + Math.Cos(Math.PI * epoch / TotalEpochs)) / 2);
}
