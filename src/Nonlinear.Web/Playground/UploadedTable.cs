using System.Text.Json;
using Nonlinear.Data;
using Nonlinear.Tensors;
using Nonlinear.Web.Uploads;

namespace Nonlinear.Web.Playground;

/// <summary>
/// A session's data from an uploaded CSV table, split into train and test by the config's seed and percTrainData.
/// With two chosen columns (<see cref="PlaygroundConfig.CsvFeatures"/>) they become the x and y of the 2-D views,
/// each scaled linearly so its range spans [-5, 5] inside the [-6, 6] square, and the config's input features
/// (x, y, x², sin x, ...) are computed from them as for generated data. Without, every column is an input,
/// standardised with the training split's mean and standard deviation, and there are no 2-D views.
/// </summary>
/// <remarks>Regression targets are standardised on the training split too, so one learning rate suits any table.</remarks>
internal sealed class UploadedTable
{
    /// <summary>Where the data's range lands inside the ±6 square: ±5, leaving a margin as TF Playground's data does.</summary>
    private const double Span = 5;

    private UploadedTable(CsvUpload upload, Dataset train, Dataset test)
    {
        Upload = upload;
        Train = train;
        Test = test;
    }

    public CsvUpload Upload { get; }

    /// <summary>The network's training inputs and targets.</summary>
    public Dataset Train { get; }

    /// <summary>The network's test inputs and targets.</summary>
    public Dataset Test { get; }

    /// <summary>The training rows as 2-D points (scaled columns), or null without two chosen columns.</summary>
    public PlaygroundPoints? TrainPoints { get; private init; }

    /// <summary>The test rows as 2-D points, or null.</summary>
    public PlaygroundPoints? TestPoints { get; private init; }

    /// <summary>The names of the network's inputs.</summary>
    public IReadOnlyList<string> Inputs { get; private init; } = [];

    /// <summary>The two chosen columns and the data values at the square's edges (-6 and +6), or null.</summary>
    public IReadOnlyList<(string Column, double Lo, double Hi)>? Axes { get; private init; }

    /// <summary>The training split's mean and standard deviation of a regression target, or null.</summary>
    public (double Mean, double Std)? Target { get; private init; }

    /// <summary>Whether the 2-D views (output heatmap, neuron thumbnails, points) exist.</summary>
    public bool HasPlane => Axes is not null;

    /// <summary>Splits and scales <paramref name="upload"/> for <paramref name="config"/>; 400 when the config does not fit the table.</summary>
    public static UploadedTable Prepare(CsvUpload upload, PlaygroundConfig config, int seed)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(config);
        var data = upload.Data;
        bool regression = data.Task == TaskKind.Regression;
        if (regression != (config.Problem == "regression"))
        {
            throw WebRequestException.BadRequest(regression
                ? $"The table's label column '{upload.Label}' holds numbers (regression): choose problem 'regression' with regDataset 'csv'."
                : $"The table's label column '{upload.Label}' holds {data.ClassCount} classes: choose problem 'classification' with dataset 'csv'.");
        }

        var (trainRows, testRows) = PlaygroundData.SplitIndices(data.Count, config.PercTrainData, seed);
        return config.CsvFeatures is { } columns
            ? OnPlane(upload, config, columns, trainRows, testRows)
            : AllColumns(upload, trainRows, testRows);
    }

    private static UploadedTable OnPlane(CsvUpload upload, PlaygroundConfig config, IReadOnlyList<string> columns, int[] trainRows, int[] testRows)
    {
        var data = upload.Data;
        int f = data.FeatureShape.Length;
        var axes = new (string Column, double Lo, double Hi)[2];
        var coordinates = new float[2][];
        for (int a = 0; a < 2; a++)
        {
            int j = IndexOf(upload, columns[a]);
            var values = new float[data.Count];
            var x = data.Features.Span;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = x[i * f + j];
            }

            // Scaling is a display choice (no statistic is learned from it), so every row's range is used: all
            // points, train and test, fall inside the square.
            double min = values.Min(), max = values.Max();
            double half = max > min ? (max - min) / 2 : 1;
            double centre = (min + max) / 2;
            double scale = Span / half;
            axes[a] = (upload.Columns[j], centre - PlaygroundData.Domain / scale, centre + PlaygroundData.Domain / scale);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((values[i] - centre) * scale);
            }

            coordinates[a] = values;
        }

        var labels = new float[data.Count];
        var targets = data.Targets.Span;
        int t = data.Targets.SampleLength;
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = targets[i * t];
        }

        (double Mean, double Std)? target = data.Task == TaskKind.Regression ? Standardise(labels, trainRows) : null;
        var all = new PlaygroundPoints(coordinates[0], coordinates[1], labels);
        var trainPoints = all.Take(trainRows);
        var testPoints = all.Take(testRows);
        return new UploadedTable(
            upload,
            PlaygroundSession.ToDataset(data.Name, trainPoints, config.Features, data.Task, data.ClassCount, data.ClassNames),
            PlaygroundSession.ToDataset(data.Name, testPoints, config.Features, data.Task, data.ClassCount, data.ClassNames))
        {
            TrainPoints = trainPoints,
            TestPoints = testPoints,
            Inputs = config.Features,
            Axes = axes,
            Target = target,
        };
    }

    private static UploadedTable AllColumns(CsvUpload upload, int[] trainRows, int[] testRows)
    {
        var train = upload.Data.Subset(trainRows);
        var test = upload.Data.Subset(testRows);
        var scaling = Normalization.FitStandardization(train);
        train = scaling.Apply(train);
        test = scaling.Apply(test);
        (double Mean, double Std)? target = null;
        if (train.Task == TaskKind.Regression)
        {
            var t = train.Targets.Span.ToArray();
            target = Standardise(t, Enumerable.Range(0, t.Length).ToArray());
            train = WithTargets(train, t);
            var u = test.Targets.Span.ToArray();
            for (int i = 0; i < u.Length; i++)
            {
                u[i] = (float)((u[i] - target.Value.Mean) / target.Value.Std);
            }

            test = WithTargets(test, u);
        }

        return new UploadedTable(upload, train, test) { Inputs = upload.Columns, Target = target };
    }

    /// <summary>Standardises <paramref name="values"/> in place with the mean and std of the rows <paramref name="fit"/>.</summary>
    private static (double Mean, double Std) Standardise(float[] values, int[] fit)
    {
        double mean = fit.Average(i => (double)values[i]);
        double std = Math.Sqrt(fit.Average(i => (values[i] - mean) * (values[i] - mean)));
        std = std > 0 && double.IsFinite(std) ? std : 1;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((values[i] - mean) / std);
        }

        return (mean, std);
    }

    private static Dataset WithTargets(Dataset data, float[] targets)
        => new(data.Name, data.Features, Tensor.FromArray(targets, data.Targets.Shape[0], data.Targets.SampleLength), data.Task)
        {
            FeatureNames = data.FeatureNames,
            LabelName = data.LabelName,
        };

    private static int IndexOf(CsvUpload upload, string column)
    {
        var columns = upload.Columns;
        for (int j = 0; j < columns.Count; j++)
        {
            if (string.Equals(columns[j], column, StringComparison.Ordinal))
            {
                return j;
            }
        }

        for (int j = 0; j < columns.Count; j++)
        {
            if (string.Equals(columns[j], column.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return j;
            }
        }

        string hint = string.Equals(column.Trim(), upload.Label, StringComparison.OrdinalIgnoreCase) ? $" ('{upload.Label}' is the label column)" : "";
        throw WebRequestException.BadRequest(
            $"csvFeatures: the table has no input column '{column}'{hint}; its columns are {string.Join(", ", columns.Select(c => $"'{c}'"))}.");
    }

    /// <summary>The view's "csv" object: the table, the split, the axes and the target scaling.</summary>
    public void WriteView(Utf8JsonWriter w, int pointsShown)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject("csv");
        w.WriteString("id", Upload.Id);
        w.WriteString("name", Upload.Name);
        w.WriteString("label", Upload.Label);
        w.WriteNumber("rows", Upload.Data.Count);
        w.WriteNumber("train", Train.Count);
        w.WriteNumber("test", Test.Count);
        w.WriteStartArray("columns");
        foreach (var c in Upload.Columns)
        {
            w.WriteStringValue(c);
        }

        w.WriteEndArray();
        if (Axes is { } axes)
        {
            w.WriteStartArray("axes");
            foreach (var (column, lo, hi) in axes)
            {
                w.WriteStartObject();
                w.WriteString("column", column);
                w.WriteNumber("lo", lo);
                w.WriteNumber("hi", hi);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("pointsShown", pointsShown);
        }
        else
        {
            w.WriteNull("axes");
        }

        if (Target is { } target)
        {
            w.WriteStartObject("target");
            w.WriteNumber("mean", target.Mean);
            w.WriteNumber("std", target.Std);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("target");
        }

        w.WriteEndObject();
    }
}
