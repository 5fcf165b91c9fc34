using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Losses;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Nonlinear.Web.Images;

namespace Nonlinear.Web.ModelFiles;

/// <summary>
/// A model file's results on the server's Fashion-MNIST test images, every number from the library: the loss and
/// accuracy (<see cref="Trainer.Evaluate"/>), the probabilities (<see cref="SavedModel.Predict(Tensor)"/>, through the model's
/// own saved normalisation and output activation), the confusion matrix and per-class scores
/// (<see cref="ConfusionMatrix"/>), a few test images with their predictions, and the per-layer diagnostics of one
/// pass over the images (<see cref="ModelProbe"/>) with the advisor's reading of them (<see cref="Advisor.FromDiagnostics"/>).
/// </summary>
internal static class ModelEvaluation
{
    /// <summary>Images per forward pass: bounds the memory of a wide model's layer outputs.</summary>
    public const int BatchSize = 100;

    /// <summary>The first test images shown with their predictions.</summary>
    public const int FirstExamples = 8;

    /// <summary>Then the most confident mistakes among the other test images.</summary>
    public const int MistakeExamples = 4;

    /// <summary>Classes listed per example, the most likely first.</summary>
    public const int Top = 3;

    /// <summary>The evaluation answer (docs/web-api.md, "Model files").</summary>
    public static object Evaluate(ModelUpload upload, ImageData images, FashionFit fit)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(fit);
        var saved = upload.Saved;
        var model = saved.Model;
        var raw = fit.Shape(images.RawTest);
        var normalization = saved.Metadata.NormalizationMean is { } mean && saved.Metadata.NormalizationStd is { } std ? new Normalization(mean, std) : null;
        var inputs = normalization?.Apply(raw) ?? raw;
        var (loss, lossNote) = LossOf(saved.Metadata);

        var evaluation = new Trainer(model, loss, new Sgd(0.01)).Evaluate(inputs, BatchSize);
        var probabilities = saved.Predict(raw, BatchSize);
        int classes = model.OutputShape.Length;
        var matrix = ConfusionMatrix.FromOutputs(probabilities, raw.Targets, TaskKind.Multiclass, classes);
        var names = saved.Metadata.ClassNames ?? FashionMnist.ClassNames;
        var probe = ModelProbe.Run(model, inputs, loss, BatchSize);

        return new
        {
            data = new
            {
                name = "Fashion-MNIST test images",
                images = raw.Count,
                side = ImageData.Side,
                input = fit.Input,
                inputShape = model.InputShape.ToArray(),
                normalization = normalization is null
                    ? "none: the model gets the pixels as they are, in [0, 1] (0 = black background, 1 = white)"
                    : $"the model's own: mean {Join(normalization.Mean)}, standard deviation {Join(normalization.Std)}",
            },
            classNote = fit.ClassNote,
            classNames = names,
            loss = Finite(evaluation.Loss),
            lossName = loss.Name,
            lossNote,
            accuracy = Finite(evaluation.Accuracy),
            classes = Enumerable.Range(0, classes).Select(c => new
            {
                name = names[c],
                precision = Finite(matrix.Precision(c)),
                recall = Finite(matrix.Recall(c)),
                f1 = Finite(matrix.F1(c)),
                samples = matrix.Actual(c),
            }).ToArray(),
            confusion = Enumerable.Range(0, classes).Select(a => Enumerable.Range(0, classes).Select(p => matrix[a, p]).ToArray()).ToArray(),
            mistake = MostFrequentMistake(matrix, names),
            examples = Examples(images.RawTest, raw.Targets, probabilities, names),
            diagnostics = Diagnostics(probe, raw.Count),
        };
    }

    /// <summary>The loss the model was trained with, or the multiclass default when its name is unknown or does not fit.</summary>
    private static (Loss Loss, string? Note) LossOf(ModelMetadata metadata)
    {
        var fallback = TaskDefaults.Loss(TaskKind.Multiclass);
        try
        {
            var loss = Loss.Parse(metadata.Loss);
            return loss is SoftmaxCrossEntropy ? (loss, null)
                : (fallback, $"The model was trained with '{metadata.Loss}'; the loss here is {fallback.Name}, as for any ten-class classifier.");
        }
        catch (ArgumentException)
        {
            return (fallback, $"The model names its loss '{metadata.Loss}', which this library does not know; the loss here is {fallback.Name}.");
        }
    }

    private static object? MostFrequentMistake(ConfusionMatrix m, IReadOnlyList<string> names)
    {
        var (a, p, count) = Enumerable.Range(0, m.ClassCount)
            .SelectMany(a => Enumerable.Range(0, m.ClassCount).Where(p => p != a).Select(p => (a, p, count: m[a, p])))
            .OrderByDescending(x => x.count).ThenBy(x => x.a).ThenBy(x => x.p).First();
        return count == 0 ? null : new { actual = a, predicted = p, count, text = $"{names[a]} taken for {names[p]} ({count} times)" };
    }

    /// <summary>The first test images, then the most confident mistakes among the rest, with the pixels as in the file.</summary>
    private static object Examples(Dataset images, Tensor targets, Tensor probabilities, IReadOnlyList<string> names)
    {
        int n = images.Count, k = probabilities.Shape[1];
        float[] p = probabilities.Span.ToArray();
        float[] labels = targets.Span.ToArray();
        int Predicted(int i) => System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p.AsSpan(i * k, k));
        var chosen = Enumerable.Range(0, Math.Min(FirstExamples, n)).ToList();
        chosen.AddRange(Enumerable.Range(chosen.Count, n - chosen.Count)
            .Where(i => Predicted(i) != (int)labels[i])
            .OrderByDescending(i => p[(i * k) + Predicted(i)]).ThenBy(i => i)
            .Take(MistakeExamples));
        int pixels = ImageData.Side * ImageData.Side;
        var bytes = new byte[chosen.Count * pixels];
        var features = images.Features.Span;
        var items = new List<object>();
        for (int e = 0; e < chosen.Count; e++)
        {
            int i = chosen[e];
            for (int j = 0; j < pixels; j++)
            {
                // The features are the file's bytes divided by 255: this gives the bytes back exactly.
                bytes[(e * pixels) + j] = (byte)Math.Round(features[(i * pixels) + j] * 255f);
            }

            var row = p.AsSpan(i * k, k).ToArray();
            int label = (int)labels[i], predicted = Predicted(i);
            items.Add(new
            {
                index = i,
                label,
                predicted,
                right = label == predicted,
                probability = Finite(row[predicted]),
                labelProbability = Finite(row[label]),
                top = row.Select((v, c) => (v, c)).OrderByDescending(x => x.v).ThenBy(x => x.c).Take(Top)
                    .Select(x => new { @class = x.c, name = names[x.c], probability = Finite(x.v) }).ToArray(),
                kind = e < FirstExamples ? "first" : "mistake",
            });
        }

        return new { side = ImageData.Side, pixels = Convert.ToBase64String(bytes), items };
    }

    private static object Diagnostics(EpochDiagnostics probe, int images) => new
    {
        images,
        gradientRatio = Finite(probe.GradientRatio),
        firstNonFinite = probe.FirstNonFinite,
        layers = probe.Layers.Select(l => new
        {
            layer = l.Index + 1,
            spec = l.Spec,
            gradientNorm = Finite(l.GradientNorm),
            deadShare = Finite(l.DeadShare),
            saturatedShare = Finite(l.SaturatedShare),
            negativeShare = Finite(l.NegativeShare),
            output = l.Output is { } o ? new
            {
                count = o.Count,
                mean = Finite(o.Mean),
                std = Finite(o.Std),
                min = Finite(o.Min),
                max = Finite(o.Max),
                lo = Finite(o.HistogramLow),
                hi = Finite(o.HistogramHigh),
                counts = o.Histogram,
                nonFinite = o.NonFinite,
            } : null,
        }).ToArray(),
        advice = ModelDescription.AdviceOf(Advisor.FromDiagnostics(probe), probed: true),
    };

    private static string Join(IReadOnlyList<float> values) => values.Count <= 3
        ? string.Join(", ", values.Select(v => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)))
        : $"{values.Count} values (one per input)";

    /// <summary>JSON has no NaN or infinity: a measure that does not apply (NaN) is null.</summary>
    internal static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
