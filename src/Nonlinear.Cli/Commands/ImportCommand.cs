using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear import model.onnx --out model.nlm [--json]</c>: reads an ONNX MLP or CNN (as torch.onnx.export writes
/// them) with <see cref="OnnxImport"/> and saves it as a Nonlinear model file (atomically), so that predict, evaluate,
/// advise and train --from work on it. An operator or shape Nonlinear cannot import is one error line naming the node
/// (exit 2).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "The .onnx file to import" };
        var output = new Option<string?>("--out") { Description = "The model file to write (default: the .onnx path with the extension .nlm)" };
        var json = JsonOption.Create("what was imported");
        var command = new Command("import", "Import an ONNX model (an MLP or CNN exported by PyTorch) into a Nonlinear model file") { model, output, json };
        command.SetAction(parseResult =>
        {
            string source = parseResult.GetValue(model)!;
            string target = parseResult.GetValue(output) ?? Path.ChangeExtension(source, ".nlm");
            if (string.Equals(Path.GetFullPath(source), Path.GetFullPath(target), StringComparison.Ordinal))
            {
                throw new CliUsageException("--out names the .onnx file itself; give another path, e.g. --out model.nlm.");
            }

            var saved = OnnxImport.Load(source);
            ModelFile.Save(target, saved.Model, saved.Metadata);
            Write(context, parseResult.GetValue(json), source, target, saved);
            return 0;
        });
        return command;
    }

    private static void Write(CliContext context, bool json, string source, string target, SavedModel saved)
    {
        var meta = saved.Metadata;
        string from = meta.Extra?.GetValueOrDefault("imported_from") ?? "onnx";
        if (json)
        {
            Json.Write(context.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("input", source);
                w.WriteString("output", target);
                w.WriteString("source", from);
                w.WriteString("architecture", saved.Model.Spec);
                w.WriteString("input_shape", saved.Model.InputShape.ToString());
                w.WriteString("output_shape", saved.Model.OutputShape.ToString());
                w.WriteNumber("parameters", saved.Model.ParameterCount);
                w.WriteString("task", meta.Task.ToString().ToLowerInvariant());
                w.WriteString("output_activation", meta.OutputActivation);
                w.WriteString("loss", meta.Loss);
                w.WriteStartArray("class_names");
                foreach (var name in meta.ClassNames ?? [])
                {
                    w.WriteStringValue(name);
                }

                w.WriteEndArray();
                w.WriteBoolean("normalization", meta.NormalizationMean is not null);
                w.WriteEndObject();
            });
            return;
        }

        var o = context.Out;
        o.WriteLine($"Imported {source} ({from}) into {target}");
        o.WriteLine($"  architecture  {saved.Model.Spec}");
        o.WriteLine($"  input         {saved.Model.InputShape} per sample, output {saved.Model.OutputShape}, {saved.Model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} parameters");
        o.WriteLine($"  task          {meta.Task.ToString().ToLowerInvariant()} (output activation {meta.OutputActivation}, loss {meta.Loss})");
        if (meta.ClassNames is { } names)
        {
            o.WriteLine($"  classes       {string.Join(", ", names)}");
        }

        if (meta.NormalizationMean is not null)
        {
            o.WriteLine("  normalisation read from the graph (applied before the first layer)");
        }

        o.WriteLine($"Next: nonlinear advise --model {target}; nonlinear evaluate --model {target} --data ...; nonlinear train --from {target} --data ... --diagnostics");
    }
}
