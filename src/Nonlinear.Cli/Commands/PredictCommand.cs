using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Data;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear predict --model m.nlm 0.3 0.9</c> or <c>--input points.csv</c>: the saved model's prediction per
/// row: the class and its probability (and every class's probability) for classifiers, the values for regression.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A model file saved by 'nonlinear train --save'", Required = true };
        var input = new Option<string?>("--input") { Description = "A CSV file with one row of features per sample" };
        var values = new Argument<string[]>("features") { Arity = ArgumentArity.ZeroOrMore, Description = "The features of one sample, e.g. 0.3 0.9" };
        var json = JsonOption.Create("the predictions");
        var command = new Command("predict", "Predict with a saved model") { model, input, values, json };
        command.SetAction(parseResult =>
        {
            var saved = ModelFile.Load(parseResult.GetValue(model)!);
            int features = saved.Model.InputShape.Length;
            Tensor x;
            if (parseResult.GetValue(input) is { } csv)
            {
                x = CsvFeatures.Read(csv, features);
            }
            else
            {
                var row = InputValues.FromArguments(parseResult.GetValue(values) ?? []);
                if (row.Length != features)
                {
                    throw new CliUsageException($"the model takes {features} feature(s) per sample; {row.Length} given (or use --input file.csv).");
                }

                x = Tensor.FromArray(row, 1, features);
            }

            var p = saved.Predict(x);
            if (parseResult.GetValue(json))
            {
                WriteJson(context, saved, x, p);
            }
            else
            {
                WriteTable(context, saved, x, p);
            }

            return 0;
        });
        return command;
    }

    private static (string Label, float Probability) Class(SavedModel saved, ReadOnlySpan<float> p)
    {
        var names = saved.Metadata.ClassNames;
        if (saved.Metadata.Task == TaskKind.Binary)
        {
            int c = p[0] > 0.5f ? 1 : 0;
            return (names?[c] ?? c.ToString(CultureInfo.InvariantCulture), c == 1 ? p[0] : 1 - p[0]);
        }

        int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p);
        return (names?[best] ?? best.ToString(CultureInfo.InvariantCulture), p[best]);
    }

    private static void WriteTable(CliContext context, SavedModel saved, Tensor x, Tensor p)
    {
        var console = context.CreateConsole();
        bool classifier = saved.Metadata.Task != TaskKind.Regression;
        var table = new Table().AddColumns("features", classifier ? "class" : "prediction", classifier ? "probability" : "");
        for (int i = 0; i < x.BatchSize; i++)
        {
            string features = string.Join(" ", x.Row(i).ToArray().Select(Numbers.Format));
            var row = p.Row(i);
            if (classifier)
            {
                var (label, probability) = Class(saved, row);
                table.AddRow(Markup.Escape(features), Markup.Escape(label), Numbers.Format(probability));
            }
            else
            {
                table.AddRow(Markup.Escape(features), Markup.Escape(string.Join(" ", row.ToArray().Select(Numbers.Format))), "");
            }
        }

        console.Write(table);
    }

    private static void WriteJson(CliContext context, SavedModel saved, Tensor x, Tensor p)
    {
        Json.Write(context.Out, w =>
        {
            w.WriteStartArray();
            for (int i = 0; i < x.BatchSize; i++)
            {
                w.WriteStartObject();
                w.WriteStartArray("features");
                foreach (float v in x.Row(i))
                {
                    Json.WriteNumber(w, v);
                }

                w.WriteEndArray();
                var row = p.Row(i);
                if (saved.Metadata.Task != TaskKind.Regression)
                {
                    var (label, probability) = Class(saved, row);
                    w.WriteString("class", label);
                    Json.WriteNumber(w, "probability", probability);
                }

                w.WriteStartArray(saved.Metadata.Task == TaskKind.Regression ? "prediction" : "probabilities");
                foreach (float v in row)
                {
                    Json.WriteNumber(w, v);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }
}
