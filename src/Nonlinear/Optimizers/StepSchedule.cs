using System.Globalization;

namespace Nonlinear.Optimizers;

/// <summary>
/// Step decay: lr(epoch) = base gamma^floor(epoch / stepSize); PyTorch's <c>torch.optim.lr_scheduler.StepLR</c>.
/// </summary>
/// <example><c>new StepSchedule(30, 0.1)</c>: base for epochs 0-29, base/10 for 30-59, base/100 from 60.</example>
public sealed class StepSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="stepSize">Epochs between decays; positive.</param>
    /// <param name="gamma">The factor applied at each decay; finite and positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of its range.</exception>
    public StepSchedule(int stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        if (!(gamma > 0 && double.IsFinite(gamma)))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be finite and positive.");
        }

        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor.</summary>
    public double Gamma { get; }

    /// <summary>"step(30, gamma=0.1)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"step({StepSize}, gamma={Gamma})");

    /// <inheritdoc/>
    protected override double Rate(int epoch, double baseRate) => baseRate * Math.Pow(Gamma, epoch / StepSize);
}
