namespace Nonlinear.Diagnostics;

/// <summary>What the diagnostics saw inside one recurrent layer (rnn, lstm, gru) during an epoch.</summary>
/// <param name="StepGradientNorms">
/// For each time step t (0 = first), ||dL/dh_t|| (L2 over the hidden units) averaged over the samples of a batch and
/// over the epoch's batches: the gradient that reaches step t by backpropagation through time. Read from the layer
/// (<see cref="Layers.Recurrent.RecurrentLayer.StepGradientNorms"/>), not recomputed. Empty when no backward pass
/// was observed.
/// </param>
/// <param name="Gates">Saturation per gate, in the layer's gate order (sampled on the statistics batches).</param>
public sealed record RecurrentDiagnostics(IReadOnlyList<double> StepGradientNorms, IReadOnlyList<GateSaturation> Gates)
{
    /// <summary>
    /// ||dL/dh_1|| / ||dL/dh_T||, the first step's gradient over the last one's: far below 1, the gradient fades on
    /// its way back through time (a tanh RNN on long sequences); far above 1, it grows (exploding, e.g. a ReLU RNN).
    /// NaN without steps.
    /// </summary>
    public double StepGradientRatio => StepGradientNorms.Count == 0 ? double.NaN : StepGradientNorms[0] / StepGradientNorms[^1];

    /// <summary>The saturated share over all gates with a bounded activation (their mean), NaN when none is bounded.</summary>
    public double MeanSaturation
    {
        get
        {
            var shares = Gates.Select(g => g.Share).Where(s => !double.IsNaN(s)).ToArray();
            return shares.Length == 0 ? double.NaN : shares.Average();
        }
    }
}
