using Nonlinear.Data;

namespace Nonlinear.Web.Uploads;

/// <summary>An uploaded CSV table, read by the library's CSV reader, as the upload store keeps it.</summary>
/// <param name="Id">An unguessable id (the config's <c>csvId</c>).</param>
/// <param name="Name">The file name the page gave, for messages.</param>
/// <param name="Data">Every row: the feature columns (numbers) and the label column's targets.</param>
/// <param name="Bytes">Memory the table's numbers take.</param>
internal sealed record CsvUpload(string Id, string Name, Dataset Data, long Bytes)
{
    /// <summary>The input columns, in file order (the label column left out).</summary>
    public IReadOnlyList<string> Columns => Data.FeatureNames ?? [];

    /// <summary>The label column's name.</summary>
    public string Label => Data.LabelName ?? "label";

    /// <summary>When it was stored (<see cref="Environment.TickCount64"/>).</summary>
    public long Created { get; } = Environment.TickCount64;

    /// <summary>When it was last stored or used, for least-recently-used eviction.</summary>
    public long LastUsed { get; set; } = Environment.TickCount64;

    /// <summary>The upload's answer: <c>{id, name, rows, columns, label, task, classes, classNames}</c> (docs/web-api.md).</summary>
    public object Describe() => new
    {
        id = Id,
        name = Name,
        rows = Data.Count,
        columns = Columns,
        label = Label,
        task = Data.Task.ToString().ToLowerInvariant(),
        classes = Data.ClassCount,
        classNames = Data.ClassNames,
    };
}
