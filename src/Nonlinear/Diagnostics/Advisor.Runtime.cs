using Nonlinear.Activations;

namespace Nonlinear.Diagnostics;

public static partial class Advisor
{
    /// <summary>
    /// Advice from one epoch's diagnostics: dead units, saturation, vanishing or exploding gradients, and
    /// non-finite values, each judged against <paramref name="thresholds"/> (default <see cref="DiagnosticsThresholds.Default"/>).
    /// Healthy diagnostics give an empty list.
    /// </summary>
    public static IReadOnlyList<Advice> FromDiagnostics(EpochDiagnostics diagnostics, DiagnosticsThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        thresholds ??= DiagnosticsThresholds.Default;
        var found = new List<Advice>();
        foreach (var layer in diagnostics.Layers)
        {
            int index = layer.Index + 1;
            if (layer.DeadShare > thresholds.DeadShare)
            {
                found.Add(DeadUnits(layer, diagnostics.Epoch, null));
            }

            if (layer.SaturatedShare > thresholds.SaturatedShare)
            {
                found.Add(new Advice(
                    AdviceSeverity.Warning,
                    AdviceCodes.Saturation,
                    index,
                    $"{Percent(layer.SaturatedShare)} of the pre-activations of layer {I(index)} ({layer.Spec}) were saturated in epoch {I(diagnostics.Epoch)}: its derivative there was below {Percent(thresholds.SaturationDerivative)} of its maximum.",
                    $"In the flat tails of {layer.Spec} the derivative is nearly 0, so the gradient passing back through this layer is multiplied by nearly 0: the layers below barely learn, and the saturated units hardly move either.",
                    "Use a ReLU-family activation (relu, leaky_relu, gelu) with He initialisation, or add normalisation (batchnorm before the activation, and standardised inputs) to keep pre-activations in the responsive range; a lower learning rate helps if weights grew large."));
            }

            if (layer.Recurrent is { } recurrent)
            {
                ThroughTime(layer, recurrent, diagnostics.Epoch, thresholds, found);
            }
        }

        double ratio = diagnostics.GradientRatio;
        if (ratio < thresholds.VanishingRatio)
        {
            found.Add(new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.VanishingGradients,
                null,
                $"In epoch {I(diagnostics.Epoch)} the first layer's weight gradients were {N(ratio)} times the last layer's.",
                $"Each layer multiplies the gradient on its way back by its weights and its activation's derivative; below {N(thresholds.VanishingRatio)} the first layers receive almost no signal and stay near their random initialisation while only the last layers learn.",
                "Use ReLU-family activations (relu, leaky_relu, gelu) with He initialisation, add normalisation (batchnorm) between layers, and standardise the inputs; fewer layers also help."));
        }
        else if (ratio > thresholds.ExplodingRatio)
        {
            found.Add(new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.ExplodingGradients,
                null,
                $"In epoch {I(diagnostics.Epoch)} the first layer's weight gradients were {N(ratio)} times the last layer's.",
                $"The gradient grows at each layer on its way back (weights too large for the depth); above {N(thresholds.ExplodingRatio)} the first layers take huge steps, the loss jumps around, and values can overflow to infinity or NaN.",
                "Lower the learning rate, add normalisation (batchnorm), and check the initialisation (the automatic choice: He for the ReLU family, Glorot for tanh and sigmoid)."));
        }

        if (diagnostics.FirstNonFinite is { } where)
        {
            found.Add(new Advice(
                AdviceSeverity.Error,
                AdviceCodes.NonFinite,
                null,
                $"A NaN or infinity appeared: {where}.",
                "One NaN spreads to every weight it touches in the next update, and from there to every output: training cannot recover once it happens.",
                "Lower the learning rate (e.g. by 10x), standardise the inputs, keep the fused losses (bce_logits, cross_entropy) on logits rather than an explicit sigmoid or softmax layer before the loss, and add normalisation (batchnorm)."));
        }

        return found.Select((a, i) => (a, i)).OrderBy(x => x.a.Layer ?? int.MaxValue).ThenBy(x => x.i).Select(x => x.a).ToList();
    }

    /// <summary>
    /// Advice over a training history: the last epoch's advice (see <see cref="FromDiagnostics"/>), with the dead
    /// share's growth since the first epoch named where units died during training, and a "dead-units-growing"
    /// note for a layer whose dead share grew by <see cref="AdvisorOptions.DeadShareGrowth"/> or more while
    /// still under the threshold. An empty history gives an empty list.
    /// </summary>
    public static IReadOnlyList<Advice> FromHistory(IReadOnlyList<EpochDiagnostics> history, DiagnosticsThresholds? thresholds = null, AdvisorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            return [];
        }

        thresholds ??= DiagnosticsThresholds.Default;
        options ??= AdvisorOptions.Default;
        var first = history[0];
        var last = history[^1];
        var advice = FromDiagnostics(last, thresholds).ToList();
        if (history.Count < 2)
        {
            return advice;
        }

        foreach (var layer in last.Layers)
        {
            var start = first.Layers.FirstOrDefault(l => l.Index == layer.Index);
            if (start is null || !(layer.DeadShare - start.DeadShare >= options.DeadShareGrowth))
            {
                continue;
            }

            int index = layer.Index + 1;
            int at = advice.FindIndex(a => a.Code == AdviceCodes.DeadUnits && a.Layer == index);
            if (at >= 0)
            {
                advice[at] = DeadUnits(layer, last.Epoch, (start.DeadShare, first.Epoch));
            }
            else
            {
                advice.Add(new Advice(
                    AdviceSeverity.Info,
                    AdviceCodes.DeadUnitsGrowing,
                    index,
                    $"The dead share of layer {I(index)} ({layer.Spec}) grew from {Percent(start.DeadShare)} in epoch {I(first.Epoch)} to {Percent(layer.DeadShare)} in epoch {I(last.Epoch)}.",
                    "Units that stop activating on every sample get no gradient and do not come back; a share that keeps growing usually means updates are too large and push biases negative.",
                    "Lower the learning rate, or use leaky_relu:0.1 so inactive units still get a gradient."));
            }
        }

        return advice.Select((a, i) => (a, i)).OrderBy(x => x.a.Layer ?? int.MaxValue).ThenBy(x => x.i).Select(x => x.a).ToList();
    }

    /// <summary>The gradient reaching a recurrent layer's first step against its last step's.</summary>
    private static void ThroughTime(LayerDiagnostics layer, RecurrentDiagnostics recurrent, int epoch, DiagnosticsThresholds thresholds, List<Advice> found)
    {
        double ratio = recurrent.StepGradientRatio;
        int index = layer.Index + 1, steps = recurrent.StepGradientNorms.Count;
        string what = $"In epoch {I(epoch)} the gradient reaching step 1 of layer {I(index)} ({layer.Spec}) was {N(ratio)} times that at step {I(steps)}.";
        bool gated = !layer.Spec.StartsWith("rnn", StringComparison.Ordinal);
        if (ratio < thresholds.VanishingRatio && !gated)
        {
            found.Add(new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.VanishingThroughTime,
                index,
                what,
                $"Backpropagation through time multiplies the gradient by W_hhᵀ and the activation's derivative once per step; when those factors are below 1 (tanh' ≤ 1, and far less where it saturates) the gradient shrinks geometrically with distance, so what happened {I(steps)} steps back barely changes the weights: the layer cannot learn long-range dependencies.",
                "Use lstm or gru (their gated, additive state path keeps the gradient alive over many steps), or shorter sequences."));
        }
        else if (ratio < thresholds.VanishingRatio)
        {
            // LSTM and GRU: a small ratio may be right (the early steps carry little, e.g. the blank top rows of an image).
            found.Add(new Advice(
                AdviceSeverity.Info,
                AdviceCodes.VanishingThroughTime,
                index,
                what,
                $"The gates decide how far back the gradient reaches: through the hidden state it shrinks at every step the forget (LSTM) or update (GRU) gate lets the old state fade. That is right when the early steps carry little for the task (the blank top rows of an image), and a problem only when information {I(steps)} steps back matters.",
                "If long-range information matters: train longer (gates learn to keep state), start the LSTM's forget-gate bias at 1 (Jozefowicz et al. 2015), or shorten the sequences."));
        }
        else if (ratio > thresholds.ExplodingRatio)
        {
            found.Add(new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.ExplodingThroughTime,
                index,
                what,
                "Backpropagation through time multiplies the gradient by W_hhᵀ and the activation's derivative once per step; when those factors exceed 1 (an unbounded activation such as relu, large recurrent weights) the gradient grows geometrically with distance, updates become huge and the loss jumps or overflows.",
                "Clip the gradients by their global norm (--clip 1), lower the learning rate, or use tanh, lstm or gru."));
        }
    }

    private static Advice DeadUnits(LayerDiagnostics layer, int epoch, (double Share, int Epoch)? start)
    {
        int index = layer.Index + 1;
        string growth = start is { } s ? $", up from {Percent(s.Share)} in epoch {I(s.Epoch)}" : "";
        bool all = layer.DeadShare >= 1;
        if (ActivationRegistry.TryParse(layer.Spec, out var activation, out _) && activation!.Info.DerivativeMax == 0)
        {
            // Not units dying from large updates: this activation (step) has no gradient anywhere, by definition.
            return new Advice(
                AdviceSeverity.Error,
                AdviceCodes.DeadUnits,
                index,
                $"{Percent(layer.DeadShare)} of the units of layer {I(index)} ({layer.Spec}) passed no gradient in epoch {I(epoch)}: {activation.Name}'(x) = 0 for every input.",
                $"{activation.Name} is flat on both sides of its jump, so every gradient through it is multiplied by 0: the layers with weights before it keep their initial weights however long training runs. It is the perceptron's activation, trained by the perceptron rule, not by gradients.",
                "Use a differentiable activation (sigmoid or tanh for a smooth step, relu for speed) in hidden layers.");
        }

        return new Advice(
            all ? AdviceSeverity.Error : AdviceSeverity.Warning,
            AdviceCodes.DeadUnits,
            index,
            $"{Percent(layer.DeadShare)} of the units of layer {I(index)} ({layer.Spec}) were dead in epoch {I(epoch)}{growth}: zero on every sample.",
            $"A dead {layer.Spec} unit outputs 0 with derivative 0 for every input, so no gradient reaches the weights feeding it and it cannot recover; the layer works with {(all ? "no units at all and passes no gradient to the layers below" : $"{Percent(1 - layer.DeadShare)} of its width")}. Units usually die from updates too large for the learning rate, which push their biases negative.",
            "Lower the learning rate (e.g. by 3-10x), or use Leaky ReLU (leaky_relu:0.1) or another activation with a slope for x < 0 (elu, gelu) so inactive units still get a gradient; He initialisation and batchnorm before the activation also help.");
    }
}
