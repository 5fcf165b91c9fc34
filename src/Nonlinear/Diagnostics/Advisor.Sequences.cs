using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Layers.Recurrent;

namespace Nonlinear.Diagnostics;

public static partial class Advisor
{
    /// <summary>An RNN whose activation is unbounded (relu, leaky_relu, identity, ...) with no gradient clipping.</summary>
    private static void CheckRecurrentClipping(IReadOnlyList<Layer> layers, double? clipNorm, List<Advice> found)
    {
        if (clipNorm is not null)
        {
            return;
        }

        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not Rnn rnn || (double.IsFinite(rnn.Activation.Info.OutputMin) && double.IsFinite(rnn.Activation.Info.OutputMax)))
            {
                continue;
            }

            string f = rnn.Activation.Name;
            found.Add(new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.RecurrentUnboundedNoClip,
                i + 1,
                $"{rnn.Spec} (layer {I(i + 1)}) is a recurrent layer with the unbounded activation {rnn.Activation.Spec}, trained without gradient clipping.",
                $"Backpropagation through time multiplies the gradient by W_hhᵀ diag({f}'(a_t)) once per step. {f} does not bound the state and its derivative is about 1 wherever it is active, so nothing damps the product: once W_hh's largest singular value exceeds 1 the gradient reaching early steps grows like that value to the power T, and a single batch can take a huge step, after which the states overflow (exploding gradients, Pascanu et al. 2013). tanh bounds the state in (-1, 1) and its derivative is at most 1.",
                $"Clip the gradients by their global norm (--clip 1, Optimizer.ClipNorm = 1), or keep the default tanh (rnn:{I(rnn.HiddenSize)}), or use lstm:{I(rnn.HiddenSize)} / gru:{I(rnn.HiddenSize)}."));
        }
    }

    /// <summary>Self-attention whose scores are not divided by √d_k.</summary>
    private static void CheckUnscaledAttention(IReadOnlyList<Layer> layers, List<Advice> found)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not MultiHeadAttention { Scaled: false } attention)
            {
                continue;
            }

            string dk = attention.IsBuilt ? $"d_k = {I(attention.InputShape[1] / attention.Heads)}" : "d_k";
            string spread = attention.IsBuilt ? $", here {N(Math.Sqrt(attention.InputShape[1] / attention.Heads))}" : "";
            found.Add(new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.AttentionUnscaled,
                i + 1,
                $"{attention.Spec} (layer {I(i + 1)}) does not scale its scores by 1/√d_k.",
                $"A score q·k sums {dk} products: with unit-variance queries and keys its standard deviation is √d_k{spread}. The softmax of such spread-out scores is nearly one-hot, and its Jacobian diag(p) − p pᵀ is nearly 0 there, so almost no gradient reaches the queries and keys: the softmax saturates like a sigmoid in its tails, inside the transformer (Vaswani et al. 2017 divide by √d_k for this reason).",
                $"Remove ':unscaled' ({attention.Spec.Replace(":unscaled", "", StringComparison.Ordinal)})."));
        }
    }

    /// <summary>A language model (per-step predictions of the next symbol) trained with another loss than sequence_cross_entropy.</summary>
    private static void CheckLanguageModelLoss(IReadOnlyList<Layer> layers, TaskKind? task, string? loss, List<Advice> found)
    {
        if (loss is null || loss == "sequence_cross_entropy" || !IsLanguageModel(layers, task))
        {
            return;
        }

        string why = loss switch
        {
            "cross_entropy" => "cross_entropy expects one prediction per sample [N, K] and one class index per sample, while a language model predicts at every step [N, T, K] with targets [N, T] whose padded steps are -1",
            "mse" => "mse treats the symbol indices as numbers on a line (so 'b' is closer to 'a' than 'z' is) and gives no probabilities; the next symbol is a choice among K",
            _ => $"{loss} scores each output on its own, while the next symbol is exactly one choice among K",
        };
        found.Add(new Advice(
            AdviceSeverity.Error,
            AdviceCodes.LanguageModelLoss,
            null,
            $"A language model (a prediction at every step) trained with {loss}, not softmax cross-entropy at every step.",
            $"Next-symbol prediction needs a probability distribution over the vocabulary at each step: softmax of the logits, trained by cross-entropy, which is the log-loss of the text in nats per symbol. {why}.",
            "Use the loss sequence_cross_entropy (softmax cross-entropy at every step, padding ignored) and end the model in a per-step dense layer with one output per symbol and no activation."));
    }

    /// <summary>
    /// A model that predicts at every step: the task says so (<see cref="TaskKind.Sequence"/>), or, task unknown,
    /// token inputs (an embedding first) and nothing that reduces the sequence (a recurrent layer returning its last
    /// state, pooling over steps, flatten).
    /// </summary>
    private static bool IsLanguageModel(IReadOnlyList<Layer> layers, TaskKind? task)
    {
        if (task is not null)
        {
            return task == TaskKind.Sequence;
        }

        if (layers[0] is not Embedding)
        {
            return false;
        }

        foreach (var layer in layers)
        {
            if (layer is RecurrentLayer { ReturnSequences: false } or Flatten || layer.Spec.StartsWith("seqpool", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
