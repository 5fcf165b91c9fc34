namespace Nonlinear.Diagnostics;

/// <summary>One activation's runs over the seeds, and their summary.</summary>
/// <param name="Activation">The activation spec.</param>
/// <param name="Spec">The model spec trained.</param>
/// <param name="Runs">One run per seed.</param>
public sealed record ComparisonRow(string Activation, string Spec, IReadOnlyList<ComparisonRun> Runs)
{
    /// <summary>Mean test accuracy over the seeds.</summary>
    public double MeanAccuracy => Runs.Average(r => r.TestAccuracy);

    /// <summary>Sample standard deviation of the test accuracy over the seeds (0 for one seed).</summary>
    public double AccuracyStd
    {
        get
        {
            if (Runs.Count < 2)
            {
                return 0;
            }

            double mean = MeanAccuracy;
            return Math.Sqrt(Runs.Sum(r => (r.TestAccuracy - mean) * (r.TestAccuracy - mean)) / (Runs.Count - 1));
        }
    }

    /// <summary>How many seeds reached the target accuracy.</summary>
    public int ReachedTarget => Runs.Count(r => r.EpochsToTarget is not null);

    /// <summary>Mean epochs to the target over the seeds that reached it (NaN if none did).</summary>
    public double MeanEpochsToTarget => ReachedTarget == 0 ? double.NaN : Runs.Where(r => r.EpochsToTarget is not null).Average(r => (double)r.EpochsToTarget!.Value);

    /// <summary>Mean wall time per run, in seconds.</summary>
    public double MeanSeconds => Runs.Average(r => r.Seconds);

    /// <summary>Mean final dead share over the seeds (NaN when undefined for this activation).</summary>
    public double DeadShare => Mean(Runs.Select(r => r.FinalDeadShare));

    /// <summary>Geometric mean of the final first/last gradient ratios over the seeds (NaN without diagnostics).</summary>
    public double GradientRatio
    {
        get
        {
            var ratios = Runs.Select(r => r.FinalGradientRatio).Where(r => r > 0 && double.IsFinite(r)).ToArray();
            return ratios.Length == 0 ? double.NaN : Math.Exp(ratios.Average(Math.Log));
        }
    }

    /// <summary>Mean test loss over the seeds.</summary>
    public double MeanLoss => Runs.Average(r => r.TestLoss);

    /// <summary>
    /// Geometric mean over the seeds of the recurrent layer's first/last step gradient ratio at the last epoch
    /// (NaN without a recurrent layer): below 1 the gradient fades going back in time, above 1 it grows.
    /// </summary>
    public double StepGradientRatio
    {
        get
        {
            var ratios = Runs.Select(r => r.FinalStepGradientRatio).Where(r => r > 0 && double.IsFinite(r)).ToArray();
            return ratios.Length == 0 ? double.NaN : Math.Exp(ratios.Average(Math.Log));
        }
    }

    /// <summary>Mean over the seeds of the recurrent layer's saturated share at the last epoch (NaN when undefined).</summary>
    public double Saturation => Mean(Runs.Select(r => r.FinalSaturation));

    private static double Mean(IEnumerable<double> values)
    {
        var finite = values.Where(v => !double.IsNaN(v)).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }
}
