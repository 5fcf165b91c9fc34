using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Layers;

namespace Nonlinear.Diagnostics;

public static partial class Advisor
{
    /// <summary>The output end: the model's own final activation, the loss, the activation applied outside, the task.</summary>
    private static class OutputChecks
    {
        public static void Run(IReadOnlyList<Layer> layers, ShapeWalk shapes, TaskKind? task, string? loss, Activation? explicitOutput, List<Advice> found)
        {
            int lastWeighted = -1;
            for (int i = 0; i < layers.Count; i++)
            {
                if (IsWeighted(layers[i]))
                {
                    lastWeighted = i;
                }
            }

            if (lastWeighted < 0)
            {
                return;
            }

            // The model's own output activation: the last non-linear activation after the last layer with weights.
            Activation? trailing = null;
            int trailingAt = -1;
            for (int j = lastWeighted + 1; j < layers.Count; j++)
            {
                if (ActivationOf(layers[j]) is { Info.Family: not ActivationFamily.Linear } a)
                {
                    trailing = a;
                    trailingAt = j;
                }
            }

            int? trailingLayer = trailing is null ? null : trailingAt + 1;
            int? outputs = shapes.Width(layers.Count - 1, input: false) ?? (layers[lastWeighted] is Dense d ? d.Units : null);
            string? fused = loss switch
            {
                "bce_logits" => "sigmoid",
                "cross_entropy" or "sequence_cross_entropy" => "softmax",
                _ => null,
            };

            bool softmaxWithBce = false;
            if (trailing is not null && fused is not null)
            {
                if (trailing.Info.Family == ActivationFamily.Probability && loss == "bce_logits")
                {
                    found.Add(SoftmaxWithBce($"{trailing.Spec} (layer {I(trailingAt + 1)}) ends the model", trailingLayer, $"Remove the {trailing.Spec} layer."));
                    softmaxWithBce = true;
                }
                else
                {
                    found.Add(ActivationBeforeFusedLoss(trailing, trailingAt, loss!, fused, outputs));
                }
            }

            if (explicitOutput is not null && loss is not null)
            {
                if (fused is not null && explicitOutput.Name != fused)
                {
                    if (explicitOutput.Info.Family == ActivationFamily.Probability && loss == "bce_logits")
                    {
                        if (!softmaxWithBce)
                        {
                            found.Add(SoftmaxWithBce($"The output activation is {explicitOutput.Spec}", null, "Use the output activation sigmoid with bce_logits."));
                            softmaxWithBce = true;
                        }
                    }
                    else
                    {
                        found.Add(new Advice(
                            AdviceSeverity.Error,
                            AdviceCodes.OutputLossMismatch,
                            null,
                            $"The output activation is {explicitOutput.Spec}, but the loss {loss} trains {fused} of the outputs.",
                            $"{loss} applies {fused} to the logits itself, so training optimises {fused}(z); predicting with {explicitOutput.Spec}(z) reads the trained logits through a different function, and the predictions are not what the loss made good.",
                            $"Use the output activation {fused} with {loss}, or choose the loss that fits {explicitOutput.Name} (mse with the activation as the model's last layer)."));
                    }
                }
                else if (loss == "mse" && explicitOutput.Info.Family != ActivationFamily.Linear)
                {
                    found.Add(new Advice(
                        AdviceSeverity.Warning,
                        AdviceCodes.OutputLossMismatch,
                        null,
                        $"The output activation {explicitOutput.Spec} is applied only when predicting, but mse trains the raw outputs.",
                        $"mse does not apply any activation, so the model is fitted without {explicitOutput.Spec} and predictions then pass the fitted values through it: what is predicted is not what was trained.",
                        $"End the model with a {explicitOutput.Spec} layer so that mse trains what is predicted ('nonlinear train --loss mse --output-activation {explicitOutput.Spec}' does this), or use bce_logits for sigmoid and cross_entropy for softmax."));
                }
            }

            // What the predictions finally pass through: the activation applied outside, else the model's own.
            Activation? external = explicitOutput ?? (fused is null ? null : ActivationRegistry.Parse(fused));
            Activation? effective = external is { Info.Family: not ActivationFamily.Linear } ? external : trailing;
            bool effectiveIsTrailing = ReferenceEquals(effective, trailing) && trailing is not null;

            var probability = trailing is { Info.Family: ActivationFamily.Probability } ? trailing : effective is { Info.Family: ActivationFamily.Probability } ? effective : null;
            if (outputs == 1 && probability is not null)
            {
                bool log = probability.Name == "log_softmax";
                found.Add(new Advice(
                    AdviceSeverity.Error,
                    AdviceCodes.SoftmaxSingleOutput,
                    ReferenceEquals(probability, trailing) ? trailingLayer : null,
                    $"{probability.Spec} over a single output is constant ({(log ? "always 0" : "always 1")}).",
                    $"{probability.Name} normalises over the outputs of a row; with one output, {(log ? "log_softmax(z) = z - log(e^z) = 0" : "softmax(z) = e^z / e^z = 1")} for every input, so the prediction never changes and no gradient flows through it: nothing can be learned.",
                    "For two classes use one output with sigmoid (bce_logits), or two outputs with softmax (cross_entropy)."));
            }

            if (task is null)
            {
                return;
            }

            string count = outputs is { } k ? $"{I(k)} " : "";
            switch (task.Value)
            {
                case TaskKind.Multiclass when !softmaxWithBce && (loss == "bce_logits" || IsSigmoidLike(effective)):
                    found.Add(new Advice(
                        AdviceSeverity.Error,
                        AdviceCodes.SigmoidMulticlass,
                        effectiveIsTrailing ? trailingLayer : null,
                        loss == "bce_logits"
                            ? $"bce_logits (a sigmoid per output) for {count}mutually exclusive classes."
                            : $"{effective!.Spec} output for {count}mutually exclusive classes.",
                        "A sigmoid scores each class on its own: the probabilities do not sum to 1 and nothing makes the classes compete, so several classes can look likely at once, or none; bce_logits also expects a 0/1 target per output, not one class index per sample.",
                        "Use cross_entropy: the model ends in a dense layer with one output per class and no activation, and the loss applies softmax. Keep sigmoid with bce_logits only for multi-label data, where classes are not exclusive."));
                    break;
                case TaskKind.Multiclass or TaskKind.Binary when effective is null || effective.Info.Family == ActivationFamily.Linear:
                    found.Add(new Advice(
                        AdviceSeverity.Error,
                        AdviceCodes.IdentityOutputClassification,
                        null,
                        $"{(task == TaskKind.Binary ? "Binary" : "Multiclass")} classification with an identity output{(loss is null ? "" : $" and loss {loss}")}: the outputs are never turned into probabilities.",
                        "Raw outputs are unbounded scores: regressing them onto 0/1 labels (or class indices) with mse treats classes as numbers on a line, punishes confident correct answers, and gives no probabilities to threshold.",
                        task == TaskKind.Binary
                            ? "Use bce_logits (sigmoid applied by the loss, one output)."
                            : "Use cross_entropy (softmax applied by the loss, one output per class)."));
                    break;
                case TaskKind.Multiclass or TaskKind.Binary when loss == "mse":
                    found.Add(new Advice(
                        AdviceSeverity.Warning,
                        AdviceCodes.MseClassification,
                        effectiveIsTrailing ? trailingLayer : null,
                        $"mse on a classification task with a {effective!.Spec} output.",
                        $"The gradient of mse through {effective.Name} is (p - y) {effective.Name}'(z): when a prediction is confidently wrong, {effective.Name} saturates and the derivative, hence the gradient, is near 0, so the worst mistakes are corrected the slowest. Cross-entropy on logits cancels that derivative and keeps a gradient of p - y.",
                        task == TaskKind.Binary ? "Use bce_logits and drop the output activation layer." : "Use cross_entropy and drop the output activation layer."));
                    break;
                case TaskKind.Regression when fused is not null:
                    found.Add(new Advice(
                        AdviceSeverity.Error,
                        AdviceCodes.BoundedOutputRegression,
                        null,
                        $"The classification loss {loss} on a regression task.",
                        $"{loss} applies {fused} and compares the result with class labels: predictions are confined to (0, 1) and real-valued targets are not labels.",
                        "Use mse with an identity output (no output activation)."));
                    break;
                case TaskKind.Regression when effective is not null && double.IsFinite(effective.Info.OutputMin) && double.IsFinite(effective.Info.OutputMax):
                    bool probabilityLike = effective.Info.Family == ActivationFamily.Probability || IsSigmoidLike(effective);
                    found.Add(new Advice(
                        probabilityLike ? AdviceSeverity.Warning : AdviceSeverity.Info,
                        AdviceCodes.BoundedOutputRegression,
                        effectiveIsTrailing ? trailingLayer : null,
                        $"{effective.Spec} output (range {effective.Info.OutputRange}) for a regression task.",
                        $"Regression targets can take any value; a {effective.Name} output never leaves {effective.Info.OutputRange}, so targets outside it cannot be reached and targets near its edges need huge pre-activations, where the gradient vanishes{(effective.Info.Family == ActivationFamily.Probability ? "; softmax also forces the outputs to sum to 1" : "")}.",
                        $"End the model with a dense layer and no activation (identity output, mse); keep {effective.Name} only if the targets are deliberately scaled into {effective.Info.OutputRange}."));
                    break;
            }
        }

        private static bool IsSigmoidLike(Activation? a)
            => a is { Info.Family: ActivationFamily.Saturating } && a.Info.OutputMin >= 0 && a.Info.OutputMax <= 1;

        private static Advice SoftmaxWithBce(string what, int? layer, string fix) => new(
            AdviceSeverity.Error,
            AdviceCodes.SoftmaxWithBce,
            layer,
            $"{what}, but the loss bce_logits applies a sigmoid to each output.",
            "Binary cross-entropy treats each output as an independent yes/no probability sigmoid(z). Softmax outputs lie in (0, 1) and sum to 1, so the sigmoid after it only sees inputs in (0, 1) and predicts between 0.5 and 0.73: the loss can never approach 0, and the classes are made to compete and be independent at once.",
            fix + " For mutually exclusive classes use cross_entropy (it applies softmax itself); for yes/no or multi-label targets use bce_logits on the raw outputs.");

        private static Advice ActivationBeforeFusedLoss(Activation trailing, int at, string loss, string fused, int? outputs)
        {
            int layer = at + 1;
            if (trailing.Name == "log_softmax" && loss == "cross_entropy")
            {
                return new Advice(
                    AdviceSeverity.Info,
                    AdviceCodes.ActivationBeforeFusedLoss,
                    layer,
                    $"{trailing.Spec} (layer {I(layer)}) ends the model, but cross_entropy already applies softmax to the outputs.",
                    "log_softmax only shifts each row by a constant, which softmax ignores, so training is unaffected; but the layer is redundant work, and the model's raw outputs are no longer logits.",
                    $"Remove the {trailing.Spec} layer.");
            }

            string reason;
            if (trailing.Name == fused)
            {
                string cap = fused == "sigmoid"
                    ? "predicted probabilities are stuck between 0.5 and 0.73"
                    : outputs is { } k and > 1
                        ? $"no class can get a probability above e / (e + {I(k - 1)}) = {N(Math.E / (Math.E + k - 1))}"
                        : "no class can get a probability near 1";
                reason = $"The loss computes {fused}({fused}(z)): the outer {fused} only sees inputs in (0, 1), so {cap}; the loss can never approach 0, and the extra derivative shrinks every gradient.";
            }
            else
            {
                reason = $"{loss} applies {fused} to the model's outputs itself and expects raw logits in (-inf, inf); {trailing.Name} confines them to {trailing.Info.OutputRange}, so some probabilities cannot be predicted, and its derivative (at most {N(trailing.Info.DerivativeMax)}) scales the gradient of every layer below.";
            }

            return new Advice(
                trailing.Name == fused ? AdviceSeverity.Error : AdviceSeverity.Warning,
                AdviceCodes.ActivationBeforeFusedLoss,
                layer,
                $"{trailing.Spec} (layer {I(layer)}) ends the model, but {loss} already applies {fused} to the outputs.",
                reason,
                $"Remove the {trailing.Spec} layer: the model should end in its last dense layer (logits); {loss} applies {fused} while training and predictions apply it afterwards.");
        }
    }
}
