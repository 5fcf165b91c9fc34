using System.Globalization;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Serialization;
using Nonlinear.Tensors;

namespace Nonlinear.Web.ModelFiles;

/// <summary>
/// Whether a model can be evaluated on the server's Fashion-MNIST test images: a classifier with ten outputs whose
/// input is an image [1, 28, 28], its pixels in a row [784], or its rows [28, 28] (a sequence model reading the image
/// row by row), and whose cost per image is within <see cref="PlaygroundLimits.MaxModelMultiplyAdds"/>.
/// </summary>
/// <param name="Fits">True when the evaluation applies.</param>
/// <param name="Reason">Why not (a sentence the page shows), or null.</param>
/// <param name="Input">How the images are fed: "image" [1, 28, 28], "pixels" [784] or "rows" [28, 28]; null when it does not fit.</param>
/// <param name="ClassOrder">
/// For each Fashion-MNIST label, the model's output that stands for it: the identity, or the model's own order when its
/// class names are Fashion-MNIST's in another order. Null when it does not fit.
/// </param>
/// <param name="ClassNote">A remark on the class names (e.g. names other than Fashion-MNIST's, taken in output order), or null.</param>
/// <param name="MultiplyAdds">The estimated multiply-adds of one image.</param>
internal sealed record FashionFit(bool Fits, string? Reason, string? Input, IReadOnlyList<int>? ClassOrder, string? ClassNote, long MultiplyAdds)
{
    private const int Side = 28;

    private const int Classes = 10;

    /// <summary>Checks <paramref name="saved"/> against the test images and the cost cap.</summary>
    public static FashionFit Check(SavedModel saved, long maxMultiplyAdds)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var model = saved.Model;
        long cost = CostOf(model);
        string? input = model.InputShape.ToString() switch
        {
            "[1, 28, 28]" => "image",
            "[784]" => "pixels",
            "[28, 28]" => "rows",
            _ => null,
        };
        if (input is null)
        {
            return No($"The model takes inputs of shape {model.InputShape}; the Fashion-MNIST test images are [1, 28, 28] (also read as [784] pixels or [28, 28] rows).", cost);
        }

        if (saved.Metadata.Task != TaskKind.Multiclass || model.OutputShape.Length != Classes || model.OutputShape.Rank != 1)
        {
            return No($"The model is a {Task(saved)} model with outputs {model.OutputShape}; Fashion-MNIST needs a classifier with 10 outputs (multiclass).", cost);
        }

        if (cost > maxMultiplyAdds)
        {
            return No(string.Create(CultureInfo.InvariantCulture,
                $"The model costs about {cost:N0} multiply-adds per image; this server evaluates models up to {maxMultiplyAdds:N0} (the Images tab's CNN costs about 2.6 million)."), cost);
        }

        var (order, note) = ClassOrderOf(saved.Metadata.ClassNames);
        return new FashionFit(true, null, input, order, note, cost);
    }

    /// <summary>The raw test images in the shape the model takes, their labels renumbered to the model's outputs.</summary>
    public Dataset Shape(Dataset images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!Fits)
        {
            throw new InvalidOperationException(Reason);
        }

        var data = Input switch
        {
            "pixels" => new Dataset(images.Name, images.Features.Reshape(images.Count, Side * Side), images.Targets, images.Task, images.ClassCount, images.ClassNames),
            "rows" => ImageRows.FromImages(images),
            _ => images,
        };
        var order = ClassOrder!;
        if (order.Select((c, i) => c == i).All(same => same))
        {
            return data;
        }

        var targets = data.Targets.Clone();
        var span = targets.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = order[(int)span[i]];
        }

        return new Dataset(data.Name, data.Features, targets, data.Task, data.ClassCount, data.ClassNames);
    }

    /// <summary>
    /// Multiply-adds of one sample, estimated from the layers: each weight tensor once per output position it
    /// is applied at (a dense layer once, a convolution at every pixel of its output), plus one per output value.
    /// </summary>
    public static long CostOf(Models.Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long total = 0;
        foreach (var layer in model.Layers)
        {
            long outputs = layer.OutputShape.Length;
            total += outputs;
            foreach (var p in layer.Parameters)
            {
                int first = p.Value.Shape.Rank == 0 ? 1 : Math.Max(1, p.Value.Shape[0]);
                total += p.Length * Math.Max(1, outputs / first);
            }
        }

        return total;
    }

    private static (IReadOnlyList<int> Order, string? Note) ClassOrderOf(IReadOnlyList<string>? names)
    {
        var identity = Enumerable.Range(0, Classes).ToArray();
        var fashion = FashionMnist.ClassNames;
        if (names is null || names.SequenceEqual(fashion, StringComparer.Ordinal)
            || names.Select((n, i) => n == i.ToString(CultureInfo.InvariantCulture)).All(same => same))
        {
            return (identity, null);
        }

        var index = names.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.OrdinalIgnoreCase);
        if (index.Count == Classes && fashion.All(index.ContainsKey))
        {
            return (fashion.Select(n => index[n]).ToArray(), "The model lists Fashion-MNIST's classes in another order: each image's label is matched to the output of the same name.");
        }

        return (identity, $"The model names its classes {string.Join(", ", names.Select(n => $"'{n}'"))}; they are taken as Fashion-MNIST's ten classes in output order.");
    }

    private static string Task(SavedModel saved) => saved.Metadata.Task.ToString().ToLowerInvariant();

    private static FashionFit No(string reason, long cost) => new(false, reason, null, null, null, cost);
}
