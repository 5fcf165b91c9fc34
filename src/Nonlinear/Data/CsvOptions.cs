namespace Nonlinear.Data;

/// <summary>How <see cref="CsvDataset.Load"/> reads a CSV file; every setting defaults to automatic detection.</summary>
/// <example><code>
/// var data = CsvDataset.Load("iris.csv", new CsvOptions { LabelColumn = "species" });
/// </code></example>
public sealed record CsvOptions
{
    /// <summary>
    /// Whether the first row is a header: null (the default) detects it (a header when one of its cells is
    /// neither a number nor a missing-value marker while the rows below hold mostly numbers in that column, or
    /// when the file has a single row).
    /// </summary>
    public bool? HasHeader { get; init; }

    /// <summary>
    /// The label column: a header name (case-insensitive), "column j" (how <see cref="Dataset.FeatureNames"/> calls a
    /// column without a header cell), or a 0-based index, negative counting from the end (-1 is the last column).
    /// Null (the default) takes the last column.
    /// </summary>
    public string? LabelColumn { get; init; }

    /// <summary>The cell separator: ',', ';' or '\t'; null (the default) picks the one occurring most in the first row, outside quotes (',' when none does).</summary>
    public char? Separator { get; init; }

    /// <summary>
    /// The task, or null (the default) to infer it from the labels: classification when any label is not a
    /// number, or when all are integers with at most <see cref="MaxClasses"/> distinct values (2 classes: Binary,
    /// more: Multiclass); otherwise Regression.
    /// </summary>
    public TaskKind? Task { get; init; }

    /// <summary>The most distinct integer labels that are still read as classes when the task is inferred; 20 by default.</summary>
    public int MaxClasses { get; init; } = 20;

    /// <summary>The dataset's name; defaults to the file name without its extension.</summary>
    public string? Name { get; init; }
}
