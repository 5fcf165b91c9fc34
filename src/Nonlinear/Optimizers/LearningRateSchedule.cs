namespace Nonlinear.Optimizers;

/// <summary>
/// The learning rate as a function of the epoch: set <see cref="Optimizer.LearningRate"/> to
/// <c>At(epoch, baseRate)</c> at the start of each epoch (epoch 0 first).
/// </summary>
/// <remarks>Schedules are closed forms of the epoch, stateless, so resuming at any epoch gives the same rate.</remarks>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for <paramref name="epoch"/> (0-based) given the initial rate <paramref name="baseRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The epoch is negative, or the base rate not finite and positive.</exception>
    public double At(int epoch, double baseRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (!(baseRate > 0 && double.IsFinite(baseRate)))
        {
            throw new ArgumentOutOfRangeException(nameof(baseRate), baseRate, "The base learning rate must be finite and positive.");
        }

        return Rate(epoch, baseRate);
    }

    /// <summary>The rate, called by <see cref="At"/> with a non-negative epoch and a valid base rate.</summary>
    protected abstract double Rate(int epoch, double baseRate);
}
