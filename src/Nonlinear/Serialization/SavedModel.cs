using Nonlinear.Models;

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
}
