using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Layers.Recurrent;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Finds common mistakes in a model and its training setup, each with the reason it matters and the fix.
/// <see cref="Check(IReadOnlyList{Layer}, AdvisorContext?, AdvisorOptions?)"/> looks at the architecture, the
/// task, the loss and the output activation before training; <see cref="FromDiagnostics"/> and
/// <see cref="FromHistory"/> read what training diagnostics measured. Pure: nothing is printed, nothing changed.
/// </summary>
/// <remarks>
/// The model's output end: models here usually end in a dense layer, and the output activation is applied outside
/// (fused into the loss while training, see <see cref="TaskDefaults"/>). An activation layer after the last dense
/// or convolution layer is the model's own output activation, and is checked against the loss and the task too.
/// Findings come in layer order; model-wide ones (layer null) last.
/// </remarks>
/// <example><code>
/// foreach (var advice in Advisor.Check("dense:8,dense:4,relu,dense:1", new AdvisorContext { Task = TaskKind.Binary }))
///     Console.WriteLine($"{advice}  fix: {advice.Fix}");
/// </code></example>
public static partial class Advisor
{
    /// <summary>The static checks on a spec such as "dense:64,relu,dense:10" (see <see cref="ModelSpec"/>).</summary>
    /// <exception cref="ModelSpecException">The spec does not parse.</exception>
    /// <exception cref="ArgumentException">The context names an unknown loss.</exception>
    /// <exception cref="ActivationSpecException">The context's output activation does not parse.</exception>
    public static IReadOnlyList<Advice> Check(string spec, AdvisorContext? context = null, AdvisorOptions? options = null)
        => Check(ModelSpec.Parse(spec), context, options);

    /// <summary>The static checks on a model; a built model supplies its input shape unless the context gives one.</summary>
    /// <exception cref="ArgumentException">The context names an unknown loss.</exception>
    /// <exception cref="ActivationSpecException">The context's output activation does not parse.</exception>
    public static IReadOnlyList<Advice> Check(Sequential model, AdvisorContext? context = null, AdvisorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        context ??= AdvisorContext.None;
        if (model.IsBuilt && context.InputShape is null)
        {
            context = context with { InputShape = model.InputShape };
        }

        return Check(model.Layers, context, options);
    }

    /// <summary>The static checks on a saved model, with the task, loss and output activation it was trained with.</summary>
    /// <exception cref="ArgumentException">The metadata names an unknown loss.</exception>
    /// <exception cref="ActivationSpecException">The metadata's output activation does not parse.</exception>
    public static IReadOnlyList<Advice> Check(SavedModel saved, AdvisorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(saved);
        return Check(saved.Model, AdvisorContext.From(saved.Metadata, saved.Model.IsBuilt ? saved.Model.InputShape : null), options);
    }

    /// <summary>
    /// The static checks on a list of layers (built or not; they are not changed): linear collapse, hidden
    /// softmax, activations that pass no gradient (step), deep saturating stacks, initialisers that do not fit their activation, Leaky ReLU slopes, and,
    /// as far as the context tells, the output activation against the loss and the task. With an input shape,
    /// a layer that cannot take its input is reported as "shape-mismatch".
    /// </summary>
    /// <exception cref="ArgumentException">The context names an unknown loss.</exception>
    /// <exception cref="ActivationSpecException">The context's output activation does not parse.</exception>
    public static IReadOnlyList<Advice> Check(IReadOnlyList<Layer> layers, AdvisorContext? context = null, AdvisorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        context ??= AdvisorContext.None;
        options ??= AdvisorOptions.Default;
        var found = new List<Advice>();
        if (layers.Count == 0)
        {
            return found;
        }

        // Resolve the loss and the output activation first: a bad name is bad input, whatever the model.
        string? loss = context.Loss is { } l ? Loss.Parse(l).Name : context.Task is { } t ? TaskDefaults.Loss(t).Name : null;
        Activation? explicitOutput = context.OutputActivation is { } o ? ActivationRegistry.Parse(o) : null;

        var shapes = ShapeWalk.Of(layers, context.InputShape, found);
        CheckLinearCollapse(layers, shapes, found);
        CheckHiddenSoftmax(layers, found);
        CheckNoGradient(layers, found);
        CheckDeepSaturating(layers, options, found);
        CheckInitializers(layers, found);
        CheckLeakyAlpha(layers, options, found);
        CheckRecurrentClipping(layers, context.ClipNorm, found);
        CheckUnscaledAttention(layers, found);
        CheckLanguageModelLoss(layers, context.Task, loss, found);
        OutputChecks.Run(layers, shapes, context.Task, loss, explicitOutput, found);

        // Stable: layer order, model-wide findings last.
        return found.Select((a, i) => (a, i)).OrderBy(x => x.a.Layer ?? int.MaxValue).ThenBy(x => x.i).Select(x => x.a).ToList();
    }

    /// <summary>Layers that are one affine map of their input (they collapse with their neighbours when nothing non-linear is between).</summary>
    private static bool IsAffine(Layer layer) => layer is Dense or Conv2D;

    /// <summary>
    /// Layers with weights that backpropagation trains: the affine ones, embeddings, and the recurrent and attention
    /// layers (which are not affine: their non-linearities are inside, so they never take part in a linear collapse).
    /// </summary>
    private static bool IsWeighted(Layer layer) => IsAffine(layer) || layer is Embedding or RecurrentLayer or MultiHeadAttention or TransformerEncoderBlock;

    /// <summary>Layers that are affine per sample (at inference): they do not break a stretch of linear layers.</summary>
    private static bool IsLinearPassThrough(Layer layer)
        => layer is Dropout or BatchNorm or Flatten || layer is ActivationLayer { Activation.Info.Family: ActivationFamily.Linear };

    private static Activation? ActivationOf(Layer layer) => (layer as ActivationLayer)?.Activation;

    private static bool HasWeightedAfter(IReadOnlyList<Layer> layers, int index)
    {
        for (int j = index + 1; j < layers.Count; j++)
        {
            if (IsWeighted(layers[j]))
            {
                return true;
            }
        }

        return false;
    }

    private static string N(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string LayerRange(int first, int last) => first == last ? $"layer {I(first)}" : $"layers {I(first)}-{I(last)}";

    private static void CheckLinearCollapse(IReadOnlyList<Layer> layers, ShapeWalk shapes, List<Advice> found)
    {
        int i = 0;
        while (i < layers.Count)
        {
            if (!IsAffine(layers[i]))
            {
                i++;
                continue;
            }

            var weighted = new List<int> { i };
            int j = i + 1;
            for (; j < layers.Count && (IsAffine(layers[j]) || IsLinearPassThrough(layers[j])); j++)
            {
                if (IsAffine(layers[j]))
                {
                    weighted.Add(j);
                }
            }

            if (weighted.Count >= 2)
            {
                found.Add(Collapse(layers, shapes, weighted));
            }

            i = j;
        }
    }

    private static Advice Collapse(IReadOnlyList<Layer> layers, ShapeWalk shapes, List<int> weighted)
    {
        int first = weighted[0], last = weighted[^1];
        string names = weighted.Count <= 4
            ? string.Join(" then ", weighted.Select(k => layers[k].Spec))
            : $"{I(weighted.Count)} layers from {layers[first].Spec} to {layers[last].Spec}";
        var between = Enumerable.Range(first, last - first + 1).Where(k => !IsAffine(layers[k])).Select(k => layers[k].Spec).Distinct().ToList();
        string gap = between.Count == 0 ? "with nothing between them" : $"with only {string.Join(", ", between)} between them, no activation";
        string where = LayerRange(first + 1, last + 1);

        if (weighted.All(k => layers[k] is Dense))
        {
            var dense = weighted.Select(k => (Dense)layers[k]).ToList();
            int? inputs = shapes.Width(first, input: true);
            int outputs = dense[^1].Units;
            int rank = dense.Min(d => d.Units);
            if (inputs is { } n)
            {
                rank = Math.Min(rank, n);
            }

            string map = inputs is { } m ? $"one affine map R^{I(m)} -> R^{I(outputs)}" : $"one affine map to {I(outputs)} outputs";
            string rankNote = rank < Math.Min(inputs ?? int.MaxValue, outputs)
                ? $", and of rank at most {I(rank)} (the narrowest layer), so it is even weaker than a single dense:{I(outputs)}"
                : "";
            string parameters = "";
            if (inputs is { } p)
            {
                long stacked = 0;
                int width = p;
                foreach (var d in dense)
                {
                    stacked += ((long)width + 1) * d.Units;
                    width = d.Units;
                }

                parameters = $" ({stacked:N0} parameters where one dense layer needs {((long)p + 1) * outputs:N0})";
            }

            return new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.LinearCollapse,
                first + 1,
                $"{names} ({where}) {gap}: together they are {map}.",
                $"W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2): a stack of affine maps is {map}{parameters}{rankNote}. Depth adds parameters but no expressiveness; only a non-linearity between the layers lets them bend the decision boundary.",
                $"Put an activation between them (e.g. {layers[first].Spec},relu,{layers[weighted[1]].Spec}), or replace them by a single dense:{I(outputs)}.");
        }

        if (weighted.All(k => layers[k] is Conv2D))
        {
            var convs = weighted.Select(k => (Conv2D)layers[k]).ToList();
            int field = convs[0].KernelSize, stride = convs[0].Stride;
            foreach (var c in convs.Skip(1))
            {
                field += (c.KernelSize - 1) * stride;
                stride *= c.Stride;
            }

            string conv = $"one convolution with a {I(field)}x{I(field)} kernel{(stride > 1 ? $" and stride {I(stride)}" : "")} and {I(convs[^1].Filters)} filters";
            return new Advice(
                AdviceSeverity.Warning,
                AdviceCodes.LinearCollapse,
                first + 1,
                $"{names} ({where}) {gap}: together they are {conv}.",
                $"A convolution is linear, and a linear map of a linear map is one linear map: the stack computes {conv}, so the extra layer adds parameters and compute but no expressiveness.",
                $"Put an activation after each convolution (e.g. {layers[first].Spec},relu,{layers[weighted[1]].Spec}), or use a single larger convolution.");
        }

        int? outputWidth = shapes.Width(last, input: false);
        string target = outputWidth is { } w ? $"one affine map to {I(w)} outputs" : "one affine map";
        return new Advice(
            AdviceSeverity.Warning,
            AdviceCodes.LinearCollapse,
            first + 1,
            $"{names} ({where}) {gap}: together they are {target}.",
            "Convolution, flattening and dense layers are all affine: with no non-linearity between them they compose into a single affine map of the input, so the extra depth adds parameters but no expressiveness.",
            $"Put an activation (e.g. relu) after {layers[first].Spec}, or keep only one of the layers.");
    }

    private static void CheckHiddenSoftmax(IReadOnlyList<Layer> layers, List<Advice> found)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            if (ActivationOf(layers[i]) is { Info.Family: ActivationFamily.Probability } a && HasWeightedAfter(layers, i))
            {
                found.Add(new Advice(
                    AdviceSeverity.Warning,
                    AdviceCodes.HiddenSoftmax,
                    i + 1,
                    $"{a.Spec} (layer {I(i + 1)}) is a hidden layer: more layers with weights follow it.",
                    $"{a.Spec} normalises each row over all its units (softmax rows sum to 1), so the next layer sees only relative values squeezed into a simplex, every unit's gradient depends on all the others, and with many units each output is near 1/n with derivatives of at most 0.25. It is a way to read out probabilities, not a hidden non-linearity.",
                    $"Use a ReLU-family activation (relu, gelu, leaky_relu) in hidden layers, and keep {a.Name} for the output (or let cross_entropy apply it)."));
            }
        }
    }

    /// <summary>An activation with f' = 0 everywhere (step) blocks every gradient to the layers with weights before it.</summary>
    private static void CheckNoGradient(IReadOnlyList<Layer> layers, List<Advice> found)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            if (ActivationOf(layers[i]) is not { Info.DerivativeMax: 0 } a)
            {
                continue;
            }

            var before = Enumerable.Range(0, i).Where(j => IsWeighted(layers[j])).ToList();
            if (before.Count == 0)
            {
                continue;
            }

            string frozen = before.Count == 1 ? $"{layers[before[0]].Spec} (layer {I(before[0] + 1)})" : $"the {I(before.Count)} layers with weights before it ({LayerRange(before[0] + 1, before[^1] + 1)})";
            bool hidden = HasWeightedAfter(layers, i);
            found.Add(new Advice(
                hidden ? AdviceSeverity.Warning : AdviceSeverity.Error,
                AdviceCodes.NoGradient,
                i + 1,
                hidden
                    ? $"{a.Spec} (layer {I(i + 1)}) passes no gradient: {frozen} will never learn."
                    : $"{a.Spec} (layer {I(i + 1)}) ends the model and passes no gradient: no layer of the model can learn.",
                $"{a.Name}'(x) = {a.Info.DerivativeFormula}, so backpropagation multiplies every gradient passing through it by 0 and {frozen} {(before.Count == 1 ? "keeps its" : "keep their")} random initialisation for good{(hidden ? "; only the layers after it learn, on fixed random 0/1 features" : "")}. This is why the perceptron, whose activation is a step, was trained by its own rule (w += lr (target - output) x) and why backpropagation needed smooth activations.",
                hidden
                    ? $"Use a differentiable activation in hidden layers: sigmoid or tanh for a smooth step, relu (or leaky_relu) for speed. Keep {a.Name} for thresholding predictions after training."
                    : $"Remove the {a.Spec} layer and train with bce_logits (the loss applies sigmoid); threshold the predicted probability at 0.5 afterwards if you want 0/1 answers."));
        }
    }

    private static void CheckDeepSaturating(IReadOnlyList<Layer> layers, AdvisorOptions options, List<Advice> found)
    {
        var stack = new List<int>();
        for (int i = 0; i < layers.Count; i++)
        {
            if (ActivationOf(layers[i]) is { Info.Family: ActivationFamily.Saturating } && HasWeightedAfter(layers, i) && !Normalised(layers, i))
            {
                stack.Add(i);
            }
        }

        if (stack.Count < Math.Max(1, options.DeepSaturatingLayers))
        {
            return;
        }

        var activations = stack.Select(k => ActivationOf(layers[k])!).ToList();
        string names = string.Join(", ", activations.Select(a => a.Spec).Distinct());
        double bound = activations.Aggregate(1.0, (p, a) => p * a.Info.DerivativeMax);
        string factors = string.Join(", ", activations.Select(a => $"{a.Name}' <= {N(a.Info.DerivativeMax)}").Distinct());
        string boundText = bound < 0.5
            ? $"the gradient reaching the first layer is multiplied by at most {N(bound)} from the activations alone ({factors})"
            : $"each multiplies the gradient by its derivative ({factors}), which falls far below its maximum once |x| grows (tanh'(2) = 0.07)";
        found.Add(new Advice(
            AdviceSeverity.Warning,
            AdviceCodes.DeepSaturating,
            stack[0] + 1,
            $"{I(stack.Count)} hidden saturating activations ({names}; layers {string.Join(", ", stack.Select(k => I(k + 1)))}) with no normalisation before them.",
            $"Through {I(stack.Count)} layers, {boundText}, and by almost 0 wherever units saturate, so the first layers barely learn (vanishing gradients).",
            "Use a ReLU-family activation (relu, leaky_relu, gelu) with He initialisation, or add batchnorm before each saturating activation; fewer layers also help."));
    }

    /// <summary>Whether the activation at <paramref name="index"/> is fed by batch normalisation (looking past dropout).</summary>
    private static bool Normalised(IReadOnlyList<Layer> layers, int index)
    {
        for (int j = index - 1; j >= 0; j--)
        {
            if (layers[j] is BatchNorm)
            {
                return true;
            }

            if (layers[j] is not Dropout)
            {
                return false;
            }
        }

        return false;
    }

    private static void CheckInitializers(IReadOnlyList<Layer> layers, List<Advice> found)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            var init = layers[i] switch
            {
                Dense d => d.Initializer,
                Conv2D c => c.Initializer,
                _ => Initializer.Auto,
            };
            if (init == Initializer.Auto)
            {
                continue;
            }

            // The same look-ahead as Sequential.Build: past shape, dropout and normalisation layers.
            bool normalised = false;
            Activation? next = null;
            int at = -1;
            for (int j = i + 1; j < layers.Count; j++)
            {
                if (layers[j] is BatchNorm)
                {
                    normalised = true;
                    continue;
                }

                if (layers[j] is Dropout or MaxPool2D or Flatten)
                {
                    continue;
                }

                next = ActivationOf(layers[j]);
                at = j;
                break;
            }

            if (next is null)
            {
                continue;
            }

            string? reason = (next.Info.Family, init) switch
            {
                (ActivationFamily.Saturating, Initializer.He) =>
                    $"He draws weights with variance 2/fan_in, about twice what {next.Name} wants (Glorot: 2/(fan_in + fan_out)); pre-activations start large, so many {next.Name} units begin in their flat tails with derivatives near 0 and learn slowly.",
                (ActivationFamily.Rectifier, Initializer.Glorot or Initializer.LeCun) =>
                    $"{next.Name} passes about half of its inputs, so with {init} variance ({(init == Initializer.Glorot ? "2/(fan_in + fan_out)" : "1/fan_in")}) the signal's variance roughly halves at every layer and deep stacks start with vanishing activations and gradients; He's 2/fan_in makes up for the lost half.",
                (ActivationFamily.SelfNormalising, Initializer.He or Initializer.Glorot) =>
                    $"{next.Name} keeps activations at mean 0 and variance 1 through depth only with LeCun normal weights (variance 1/fan_in); with {init} the fixed point is lost and activations drift.",
                _ => null,
            };
            if (reason is null)
            {
                continue;
            }

            var expected = Initialization.For(next);
            string auto = layers[i] is Dense dense ? $"dense:{I(dense.Units)}" : layers[i].Spec.Replace(":" + init.ToString().ToLowerInvariant(), "", StringComparison.Ordinal);
            found.Add(new Advice(
                normalised ? AdviceSeverity.Info : AdviceSeverity.Warning,
                AdviceCodes.InitMismatch,
                i + 1,
                $"{layers[i].Spec} (layer {I(i + 1)}) uses {init} initialisation but feeds {next.Spec} (layer {I(at + 1)}), which wants {expected}.{(normalised ? " Batch normalisation between them softens this." : "")}",
                reason,
                $"Drop the initializer suffix ({auto}) so the model picks {expected} for {next.Name}, or write :{expected.ToString().ToLowerInvariant()}."));
        }
    }

    private static void CheckLeakyAlpha(IReadOnlyList<Layer> layers, AdvisorOptions options, List<Advice> found)
    {
        for (int i = 0; i < layers.Count; i++)
        {
            if (ActivationOf(layers[i]) is not LeakyRelu leaky)
            {
                continue;
            }

            double alpha = leaky.Parameters.TryGetValue("alpha", out var a) ? a : leaky.Alpha;
            string range = $"{N(options.LeakyAlphaMin)}-{N(options.LeakyAlphaMax)}";
            if (alpha < options.LeakyAlphaMin)
            {
                found.Add(new Advice(
                    AdviceSeverity.Info,
                    AdviceCodes.LeakyAlphaRange,
                    i + 1,
                    alpha == 0
                        ? $"{leaky.Spec} (layer {I(i + 1)}) has alpha 0: it is plain ReLU."
                        : $"{leaky.Spec} (layer {I(i + 1)}) has alpha {N(alpha)}, below the usual {range}.",
                    $"With a slope of {N(alpha)} for x < 0 an inactive unit gets almost no gradient, so units can die as with ReLU, which is what Leaky ReLU is meant to prevent.",
                    alpha == 0 ? "Write relu if that is what you mean, or use leaky_relu:0.01 to leaky_relu:0.1." : "Use alpha between 0.01 and 0.1 (e.g. leaky_relu:0.1), or relu if dead units are not a concern."));
            }
            else if (alpha > options.LeakyAlphaMax)
            {
                found.Add(new Advice(
                    AdviceSeverity.Warning,
                    AdviceCodes.LeakyAlphaRange,
                    i + 1,
                    alpha >= 1
                        ? $"{leaky.Spec} (layer {I(i + 1)}) has alpha {N(alpha)}: it is the identity."
                        : $"{leaky.Spec} (layer {I(i + 1)}) has alpha {N(alpha)}, above the usual {range}.",
                    $"The slopes on both sides are 1 and {N(alpha)}: the closer alpha is to 1, the closer the unit is to linear, and a stack of nearly linear layers approaches a single affine map{(alpha >= 1 ? " (at alpha 1 it is exactly one)" : "")}.",
                    "Use alpha between 0.01 and 0.3 (0.1 is a common choice), or prelu to learn the slope."));
            }
        }
    }
}
