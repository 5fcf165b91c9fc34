using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Losses;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear evaluate --model fm.nlm --data fashion-mnist</c>: a saved classifier on a labelled dataset (its
/// test split when it has one): accuracy, per-class precision, recall and F1, and the confusion matrix, with the
/// class names; for a regression model, the mean squared and absolute errors; for a sequence model (next-character
/// prediction on <c>--data words</c>), the loss in nats per character and the per-character accuracy. A model
/// trained on images read row by row ([H, W] inputs) reads the images as rows.
/// </summary>
internal static class EvaluateCommand
{
    private const int Batch = 1000;

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A model file saved by 'nonlinear train --save'", Required = true };
        var source = new DataSource.Options();
        var split = new Option<string>("--split") { Description = "test (the data's test split; all of a synthetic set), train, or all", DefaultValueFactory = _ => "test" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic data or of the CSV test split (as in train)", DefaultValueFactory = _ => 1 };
        var json = JsonOption.Create("the metrics and the confusion matrix");
        var command = new Command("evaluate", "Accuracy, per-class precision/recall and the confusion matrix of a saved model on labelled data") { model, split, seed, json };
        foreach (var option in source.All)
        {
            command.Add(option);
        }

        command.SetAction(parseResult =>
        {
            var saved = ModelFile.Load(parseResult.GetValue(model)!);
            var loaded = source.Load(parseResult, parseResult.GetValue(seed));
            string which = parseResult.GetValue(split)!.Trim().ToLowerInvariant();
            var data = which switch
            {
                "test" => loaded.Test ?? loaded.Train,
                "train" => loaded.Train,
                "all" => loaded.Test is null ? loaded.Train : Concat(loaded.Train, loaded.Test),
                _ => throw new CliUsageException($"--split must be test, train or all; found '{which}'."),
            };
            if (saved.Model.InputShape.Rank == 2 && data.FeatureShape.Rank == 3 && data.FeatureShape[0] == 1)
            {
                data = ImageRows.FromImages(data);
            }

            if (saved.Metadata.Task == TaskKind.Sequence || data.Task == TaskKind.Sequence)
            {
                if (saved.Metadata.Task != data.Task)
                {
                    throw new CliUsageException($"the model was trained for {saved.Metadata.Task}; the data '{data.Name}' is {data.Task}.");
                }

                if (data.FeatureShape != saved.Model.InputShape)
                {
                    throw new CliUsageException($"the model takes samples of shape {saved.Model.InputShape}; the data '{data.Name}' has {data.FeatureShape}.");
                }

                WriteSequence(context, parseResult.GetValue(json), which, saved, data);
                return 0;
            }

            var targets = Align(saved, data);
            if (data.FeatureShape != saved.Model.InputShape)
            {
                throw new CliUsageException($"the model takes samples of shape {saved.Model.InputShape}; the data '{data.Name}' has {data.FeatureShape}.");
            }

            var outputs = saved.Predict(data, Batch);
            if (saved.Metadata.Task == TaskKind.Regression)
            {
                WriteRegression(context, parseResult.GetValue(json), data, outputs, targets);
                return 0;
            }

            int classes = saved.Metadata.Task == TaskKind.Binary ? 2 : saved.Model.OutputShape.Length;
            var matrix = ConfusionMatrix.FromOutputs(outputs, targets, saved.Metadata.Task, classes);
            var names = saved.Metadata.ClassNames ?? Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            if (parseResult.GetValue(json))
            {
                WriteJson(context, data, matrix, names);
            }
            else
            {
                WriteTables(context, data, matrix, names);
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// The data's targets in the model's class order: a CSV's classes are numbered by the labels present in that
    /// file, so they are matched to the model's class names by name.
    /// </summary>
    private static Tensor Align(SavedModel saved, Dataset data)
    {
        var meta = saved.Metadata;
        if (meta.Task == TaskKind.Regression || data.Task == TaskKind.Regression)
        {
            if (meta.Task != data.Task)
            {
                throw new CliUsageException($"the model was trained for {meta.Task}; the data '{data.Name}' is {data.Task}.");
            }

            return data.Targets;
        }

        if (meta.ClassNames is not { } modelNames || data.ClassNames is not { } dataNames || modelNames.SequenceEqual(dataNames))
        {
            return data.Targets;
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < modelNames.Count; i++)
        {
            index[modelNames[i]] = i;
        }

        var aligned = data.Targets.Clone();
        var span = aligned.Span;
        for (int i = 0; i < span.Length; i++)
        {
            string name = dataNames[(int)span[i]];
            span[i] = index.TryGetValue(name, out int c)
                ? c
                : throw new CliUsageException($"the data has the class '{name}', which the model does not know (its classes: {string.Join(", ", modelNames)}).");
        }

        return aligned;
    }

    private static Dataset Concat(Dataset a, Dataset b)
    {
        var features = new Tensor([a.Count + b.Count, .. (IEnumerable<int>)a.FeatureShape]);
        a.Features.Span.CopyTo(features.Span);
        b.Features.Span.CopyTo(features.Span[a.Features.Span.Length..]);
        var targets = new Tensor([a.Count + b.Count, .. ((IEnumerable<int>)a.Targets.Shape).Skip(1)]);
        a.Targets.Span.CopyTo(targets.Span);
        b.Targets.Span.CopyTo(targets.Span[a.Targets.Span.Length..]);
        return new Dataset(a.Name, features, targets, a.Task, a.ClassCount, a.ClassNames);
    }

    private static void WriteTables(CliContext context, Dataset data, ConfusionMatrix m, IReadOnlyList<string> names)
    {
        var console = context.CreateConsole();
        console.WriteLine($"{data.Name}: {m.Total} samples, accuracy {P(m.Accuracy)}");
        var perClass = new Table().AddColumns("class", "precision", "recall", "F1", "samples");
        for (int c = 0; c < m.ClassCount; c++)
        {
            perClass.AddRow(Markup.Escape(names[c]), P(m.Precision(c)), P(m.Recall(c)), P(m.F1(c)), m.Actual(c).ToString(CultureInfo.InvariantCulture));
        }

        console.Write(perClass);
        console.WriteLine("Confusion matrix (rows: actual class, columns: predicted):");
        var matrix = new Table().AddColumn("actual \\ predicted");
        for (int c = 0; c < m.ClassCount; c++)
        {
            matrix.AddColumn(new TableColumn(Markup.Escape(Abbreviate(names[c]))).RightAligned());
        }

        for (int a = 0; a < m.ClassCount; a++)
        {
            var cells = new List<string> { Markup.Escape(names[a]) };
            for (int p = 0; p < m.ClassCount; p++)
            {
                string count = m[a, p].ToString(CultureInfo.InvariantCulture);
                cells.Add(a == p ? $"[bold]{count}[/]" : count);
            }

            matrix.AddRow(cells.ToArray());
        }

        console.Write(matrix);
        var confused = Enumerable.Range(0, m.ClassCount).SelectMany(a => Enumerable.Range(0, m.ClassCount).Where(p => p != a).Select(p => (a, p)))
            .OrderByDescending(x => m[x.a, x.p]).First();
        if (m[confused.a, confused.p] > 0)
        {
            console.WriteLine($"Most frequent mistake: {names[confused.a]} taken for {names[confused.p]} ({m[confused.a, confused.p]} times).");
        }
    }

    private static void WriteJson(CliContext context, Dataset data, ConfusionMatrix m, IReadOnlyList<string> names)
    {
        Json.Write(context.Out, w =>
        {
            w.WriteStartObject();
            w.WriteString("data", data.Name);
            w.WriteNumber("samples", m.Total);
            Json.WriteNumber(w, "accuracy", m.Accuracy);
            w.WriteStartArray("classes");
            for (int c = 0; c < m.ClassCount; c++)
            {
                w.WriteStartObject();
                w.WriteString("name", names[c]);
                Json.WriteNumber(w, "precision", m.Precision(c));
                Json.WriteNumber(w, "recall", m.Recall(c));
                Json.WriteNumber(w, "f1", m.F1(c));
                w.WriteNumber("samples", m.Actual(c));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("confusion");
            for (int a = 0; a < m.ClassCount; a++)
            {
                w.WriteStartArray();
                for (int p = 0; p < m.ClassCount; p++)
                {
                    w.WriteNumberValue(m[a, p]);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteRegression(CliContext context, bool asJson, Dataset data, Tensor outputs, Tensor targets)
    {
        double squared = 0, absolute = 0;
        var o = outputs.Span;
        var t = targets.Span;
        for (int i = 0; i < o.Length; i++)
        {
            double d = o[i] - t[i];
            squared += d * d;
            absolute += Math.Abs(d);
        }

        double mse = squared / o.Length, mae = absolute / o.Length;
        if (asJson)
        {
            Json.Write(context.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("data", data.Name);
                w.WriteNumber("samples", data.Count);
                Json.WriteNumber(w, "mse", mse);
                Json.WriteNumber(w, "mae", mae);
                w.WriteEndObject();
            });
        }
        else
        {
            context.Out.WriteLine($"{data.Name}: {data.Count} samples, mean squared error {Numbers.Format(mse)}, mean absolute error {Numbers.Format(mae)}");
        }
    }

    /// <summary>
    /// The loss (nats per character: the mean over every real step of the data, as training reports it) and the
    /// share of characters predicted right, from the model's logits (the loss applies the softmax itself).
    /// </summary>
    private static void WriteSequence(CliContext context, bool asJson, string split, SavedModel saved, Dataset data)
    {
        var loss = new SequenceCrossEntropy();
        double sum = 0;
        long steps = 0, right = 0;
        var dims = new int[data.FeatureShape.Rank + 1];
        for (int i = 0; i < data.FeatureShape.Rank; i++)
        {
            dims[i + 1] = data.FeatureShape[i];
        }

        int per = data.FeatureShape.Length, perTarget = data.Targets.SampleLength;
        Normalization? normalization = saved.Metadata.NormalizationMean is { } mean && saved.Metadata.NormalizationStd is { } std ? new Normalization(mean, std) : null;
        for (int start = 0; start < data.Count; start += Batch)
        {
            int count = Math.Min(Batch, data.Count - start);
            dims[0] = count;
            var x = new Tensor(dims);
            data.Features.Span.Slice(start * per, count * per).CopyTo(x.Span);
            normalization?.ApplyInPlace(x);
            var y = new Tensor(count, perTarget);
            data.Targets.Span.Slice(start * perTarget, count * perTarget).CopyTo(y.Span);
            var logits = saved.Model.Forward(x);
            long real = Trainer.Scored(y, TaskKind.Sequence);
            sum += loss.Compute(logits, y, new Tensor(logits.Shape)) * real;
            right += Trainer.Correct(logits, y, TaskKind.Sequence);
            steps += real;
        }

        double nats = sum / steps, accuracy = (double)right / steps;
        if (asJson)
        {
            Json.Write(context.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("data", data.Name);
                w.WriteString("split", split);
                w.WriteNumber("samples", data.Count);
                w.WriteNumber("characters", steps);
                Json.WriteNumber(w, "natsPerCharacter", nats);
                Json.WriteNumber(w, "bitsPerCharacter", nats / Math.Log(2));
                Json.WriteNumber(w, "characterAccuracy", accuracy);
                w.WriteEndObject();
            });
        }
        else
        {
            context.Out.WriteLine(
                $"{data.Name} ({split}): {data.Count:N0} words, {steps:N0} characters: loss {nats.ToString("F4", CultureInfo.InvariantCulture)} nats per character "
                + $"({(nats / Math.Log(2)).ToString("F3", CultureInfo.InvariantCulture)} bits), per-character accuracy {P(accuracy)}");
        }
    }

    private static string Abbreviate(string name) => name.Length <= 8 ? name : name[..7] + ".";

    private static string P(double v) => double.IsNaN(v) ? "-" : v.ToString("P1", CultureInfo.InvariantCulture);
}
