namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// The keys of the metadata_props that <see cref="OnnxExport"/> writes (and an importer can read back): everything a
/// <see cref="SavedModel"/> knows beside its weights. Values are plain strings; lists are JSON arrays.
/// </summary>
internal static class OnnxMetadataKeys
{
    /// <summary>The model spec, e.g. "conv:8x3,relu,pool:2,flatten,dense:10".</summary>
    public const string Architecture = "nonlinear.architecture";

    /// <summary>The per-sample input shape as a JSON array, e.g. [1,28,28].</summary>
    public const string InputShape = "nonlinear.input_shape";

    /// <summary>The task: "regression", "binary", "multiclass" or "sequence".</summary>
    public const string Task = "nonlinear.task";

    /// <summary>The class names as a JSON array of strings (absent when the classes are unnamed).</summary>
    public const string ClassNames = "nonlinear.class_names";

    /// <summary>The output activation spec applied at the end of the graph ("softmax", "sigmoid", "identity").</summary>
    public const string OutputActivation = "nonlinear.output_activation";

    /// <summary>The loss the model was trained with ("cross_entropy", ...).</summary>
    public const string Loss = "nonlinear.loss";

    /// <summary>The input normalisation means as a JSON array of numbers (absent without normalisation).</summary>
    public const string NormalizationMean = "nonlinear.normalization_mean";

    /// <summary>The input normalisation standard deviations as a JSON array of numbers (absent without normalisation).</summary>
    public const string NormalizationStd = "nonlinear.normalization_std";

    /// <summary>The prefix of the model's free-form settings (ModelMetadata.Extra): "nonlinear.extra.&lt;key&gt;".</summary>
    public const string ExtraPrefix = "nonlinear.extra.";
}
