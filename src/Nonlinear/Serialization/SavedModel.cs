using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Serialization;

/// <summary>A model read back from a file: the built model with its trained weights, and what it was trained for.</summary>
public sealed class SavedModel
{
    /// <summary>Pairs a built model with its metadata.</summary>
    public SavedModel(Sequential model, ModelMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        Model = model;
        Metadata = metadata;
    }

    /// <summary>The model, built for the saved input shape, holding the saved weights.</summary>
    public Sequential Model { get; }

    /// <summary>Task, output activation, loss, class names, normalisation constants and extra settings.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>
    /// Predictions for raw features [N, ...input shape]: the saved normalisation (per feature or per channel, see
    /// <see cref="Normalization"/>) is applied to a copy of the features,
    /// then the model, then the output activation (sigmoid: probabilities of the positive class; softmax: class
    /// probabilities per row; identity: values). Returns a new tensor [N, outputs].
    /// </summary>
    /// <exception cref="ArgumentException">The features do not have the model's input shape.</exception>
    public Tensor Predict(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var x = features;
        if (Metadata.NormalizationMean is { } mean && Metadata.NormalizationStd is { } std)
        {
            x = new Normalization(mean, std).Apply(features);
        }

        var logits = Model.Infer(x);
        var output = new Tensor(logits.Shape);
        ActivationRegistry.Parse(Metadata.OutputActivation).Forward(logits, output);
        return output;
    }

    /// <summary>
    /// <see cref="Predict(Tensor)"/> for every sample of <paramref name="data"/> (raw features), <paramref name="batchSize"/>
    /// samples at a time. Returns a new tensor [N, outputs] in the data's order.
    /// </summary>
    /// <exception cref="ArgumentException">The data's samples do not have the model's input shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public Tensor Predict(Dataset data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int n = data.Count, k = Model.OutputShape.Length, per = data.FeatureShape.Length;
        var all = new Tensor(n, k);
        var dims = new int[data.FeatureShape.Rank + 1];
        for (int i = 0; i < data.FeatureShape.Rank; i++)
        {
            dims[i + 1] = data.FeatureShape[i];
        }

        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            dims[0] = count;
            var x = new Tensor(dims);
            data.Features.Span.Slice(start * per, count * per).CopyTo(x.Span);
            Predict(x).Span.CopyTo(all.Span.Slice(start * k, count * k));
        }

        return all;
    }
}
