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
/// For image models, <c>--image shirt.png</c> or <c>--idx t10k-images-idx3-ubyte.gz --index 17</c>: the top
/// classes with their softmax probabilities, and a preview of the pixels the model was given.
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A model file saved by 'nonlinear train --save'", Required = true };
        var input = new Option<string?>("--input") { Description = "A CSV file with one row of features per sample" };
        var values = new Argument<string[]>("features") { Arity = ArgumentArity.ZeroOrMore, Description = "The features of one sample, e.g. 0.3 0.9" };
        var image = new Option<string?>("--image") { Description = "A PNG image for an image model (scaled to the model's input size, grayscale)" };
        var idx = new Option<string?>("--idx") { Description = "An IDX images file (e.g. t10k-images-idx3-ubyte.gz); pick the image with --index" };
        var index = new Option<int>("--index") { Description = "0-based image in the --idx file", DefaultValueFactory = _ => 0 };
        var invert = new Option<string>("--invert") { Description = "--image: invert intensities: auto (when the background is light: Fashion-MNIST objects are light on black), yes or no", DefaultValueFactory = _ => "auto" };
        var top = new Option<int>("--top") { Description = "Classes to show for an image", DefaultValueFactory = _ => 3 };
        var json = JsonOption.Create("the predictions");
        var command = new Command("predict", "Predict with a saved model") { model, input, values, image, idx, index, invert, top, json };
        command.SetAction(parseResult =>
        {
            var saved = ModelFile.Load(parseResult.GetValue(model)!);
            if (saved.Metadata.Task == TaskKind.Sequence)
            {
                throw new CliUsageException(
                    $"{parseResult.GetValue(model)} predicts a class at every step of a sequence (a character model); predict takes one row of features per sample. "
                    + $"Use 'nonlinear evaluate --model {parseResult.GetValue(model)} --data {DataSource.WordsName}' for its loss per character.");
            }

            if (parseResult.GetValue(image) is { } png)
            {
                var picture = PngImage.Read(png);
                var (h, w) = ImageSize(saved);
                var pixels = picture.Resize(h, w);
                string mode = parseResult.GetValue(invert)!.Trim().ToLowerInvariant();
                bool flip = mode switch
                {
                    "auto" => picture.HasLightBackground(),
                    "yes" => true,
                    "no" => false,
                    _ => throw new CliUsageException($"--invert must be auto, yes or no; found '{mode}'."),
                };
                if (flip)
                {
                    for (int i = 0; i < pixels.Length; i++)
                    {
                        pixels[i] = 1 - pixels[i];
                    }
                }

                string about = $"{png} ({picture.Width}x{picture.Height}, scaled to {w}x{h}{(flip ? ", inverted" : "")})";
                return ImageResult(context, saved, pixels, h, w, about, null, parseResult.GetValue(top), parseResult.GetValue(json));
            }

            if (parseResult.GetValue(idx) is { } idxPath)
            {
                var (pixels, h, w, actual) = FromIdx(idxPath, parseResult.GetValue(index), saved);
                return ImageResult(context, saved, pixels, h, w, $"{idxPath} image {parseResult.GetValue(index)}", actual, parseResult.GetValue(top), parseResult.GetValue(json));
            }

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

    /// <summary>The image size a model takes: per-sample input [1, H, W].</summary>
    private static (int Height, int Width) ImageSize(SavedModel saved)
    {
        var shape = saved.Model.InputShape;
        if (shape.Rank == 3 && shape[0] == 1)
        {
            return (shape[1], shape[2]);
        }

        throw new CliUsageException($"the model takes samples of shape {shape}, not grayscale images [1, H, W]; give features instead (arguments or --input file.csv).");
    }

    /// <summary>Image <paramref name="index"/> of an IDX file as intensities in [0, 1], and its label when a matching labels file sits beside it.</summary>
    private static (float[] Pixels, int Height, int Width, int? Actual) FromIdx(string path, int index, SavedModel saved)
    {
        var file = IdxFile.Read(path);
        if (file.Dimensions.Count != 3)
        {
            throw new CliUsageException($"{path} holds an array of shape [{string.Join(", ", file.Dimensions)}]; expected images [N, H, W].");
        }

        if (index < 0 || index >= file.Count)
        {
            throw new CliUsageException($"--index {index} is outside {path}, which holds {file.Count} images (0 to {file.Count - 1}).");
        }

        var (h, w) = ImageSize(saved);
        if (file.Dimensions[1] != h || file.Dimensions[2] != w)
        {
            throw new CliUsageException($"{path} holds {file.Dimensions[1]}x{file.Dimensions[2]} images; the model takes {h}x{w}.");
        }

        var pixels = new float[h * w];
        IdxDataset.ScaleBytes(file.Data.AsSpan(index * h * w, h * w), pixels);
        int? actual = null;
        string name = Path.GetFileName(path);
        string labels = Path.Combine(Path.GetDirectoryName(path) ?? "", name.Replace("images-idx3", "labels-idx1", StringComparison.Ordinal).Replace("images.idx3", "labels.idx1", StringComparison.Ordinal));
        if (labels != path && File.Exists(labels))
        {
            var labelFile = IdxFile.Read(labels);
            if (labelFile.Dimensions.Count == 1 && labelFile.Count == file.Count)
            {
                actual = labelFile.Data[index];
            }
        }

        return (pixels, h, w, actual);
    }

    private static int ImageResult(CliContext context, SavedModel saved, float[] pixels, int h, int w, string about, int? actual, int top, bool asJson)
    {
        if (saved.Metadata.Task == TaskKind.Regression)
        {
            throw new CliUsageException("the model is a regression model; image prediction shows classes.");
        }

        var p = saved.Predict(Tensor.FromArray(pixels, 1, 1, h, w)).Row(0).ToArray();
        var names = saved.Metadata.ClassNames;
        var probabilities = saved.Metadata.Task == TaskKind.Binary ? [1 - p[0], p[0]] : p;
        var ranked = Enumerable.Range(0, probabilities.Length).OrderByDescending(c => probabilities[c]).Take(Math.Max(1, top)).ToArray();
        string Name(int c) => names?[c] ?? c.ToString(CultureInfo.InvariantCulture);
        if (asJson)
        {
            Json.Write(context.Out, wr =>
            {
                wr.WriteStartObject();
                wr.WriteString("input", about);
                if (actual is { } a)
                {
                    wr.WriteString("actual", Name(a));
                }

                wr.WriteStartArray("top");
                foreach (int c in ranked)
                {
                    wr.WriteStartObject();
                    wr.WriteString("class", Name(c));
                    wr.WriteNumber("index", c);
                    Json.WriteNumber(wr, "probability", probabilities[c]);
                    wr.WriteEndObject();
                }

                wr.WriteEndArray();
                wr.WriteEndObject();
            });
            return 0;
        }

        var console = context.CreateConsole();
        console.WriteLine(about + (actual is { } known ? $": actually {Name(known)}" : ""));
        foreach (var line in Preview(pixels, h, w))
        {
            console.WriteLine(line);
        }

        var table = new Table().AddColumns("rank", "class", "probability", "");
        for (int r = 0; r < ranked.Length; r++)
        {
            int c = ranked[r];
            string mark = actual == c ? " (correct)" : "";
            table.AddRow((r + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(Name(c) + mark), probabilities[c].ToString("P1", CultureInfo.InvariantCulture), new string('#', (int)Math.Round(probabilities[c] * 30)));
        }

        console.Write(table);
        return 0;
    }

    /// <summary>The image as text, two characters per pixel and one line per pixel row, darkest to brightest.</summary>
    private static IEnumerable<string> Preview(float[] pixels, int h, int w)
    {
        const string ramp = " .:-=+*#%@";
        for (int y = 0; y < h; y++)
        {
            var line = new char[2 * w];
            for (int x = 0; x < w; x++)
            {
                char c = ramp[Math.Clamp((int)(pixels[(y * w) + x] * ramp.Length), 0, ramp.Length - 1)];
                line[2 * x] = line[(2 * x) + 1] = c;
            }

            yield return "  " + new string(line).TrimEnd();
        }
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
