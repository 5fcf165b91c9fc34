using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Serialization.PyTorch;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear export model.nlm --to model.onnx [--opset N]</c>: writes the saved model in another format, chosen
/// by the extension of the target: <c>.onnx</c> is an ONNX model that ONNX Runtime runs (normalisation, layers and
/// output activation in the graph; class names in its metadata). <c>.py</c> is PyTorch source: an nn.Module with the
/// same layers and a loader that reads the weights from the model file (docs/pytorch-export.md).
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "A model file saved by 'nonlinear train --save'" };
        var to = new Option<string>("--to") { Description = "The file to write; its extension picks the format: .onnx (ONNX) or .py (PyTorch source)", Required = true };
        var opset = new Option<int>("--opset")
        {
            Description = $"ONNX operator set version, for .onnx ({OnnxExportOptions.MinimumOpset}-{OnnxExportOptions.MaximumOpset})",
            DefaultValueFactory = _ => OnnxExportOptions.DefaultOpset,
        };
        var json = JsonOption.Create("what was written");
        var command = new Command("export", "Export a saved model to ONNX or PyTorch source") { model, to, opset, json };
        command.SetAction(parseResult =>
        {
            string source = parseResult.GetValue(model)!;
            string target = parseResult.GetValue(to)!;
            string extension = Path.GetExtension(target).ToLowerInvariant();
            if (extension == ".py")
            {
                return ExportPython(context, source, target, parseResult.GetValue(json));
            }

            if (extension != ".onnx")
            {
                string found = extension.Length == 0 ? "no extension" : $"'{extension}'";
                throw new CliUsageException($"--to {target}: the extension picks the format, and {found} is not one: use .onnx (ONNX) or .py (PyTorch source).");
            }

            int version = parseResult.GetValue(opset);
            if (version is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset)
            {
                throw new CliUsageException($"--opset must be from {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset}; found {version}.");
            }

            var saved = ModelFile.Load(source);
            try
            {
                OnnxExport.Save(target, saved, new OnnxExportOptions { Opset = version });
            }
            catch (NotSupportedException e)
            {
                throw new CliUsageException($"{source}: {e.Message}");
            }

            var written = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(target));
            long bytes = new FileInfo(target).Length;
            var input = Describe(written.Graph.Input[0]);
            var output = Describe(written.Graph.Output[0]);
            if (parseResult.GetValue(json))
            {
                Json.Write(context.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("model", source);
                    w.WriteString("architecture", saved.Model.Spec);
                    w.WriteString("format", "onnx");
                    w.WriteString("file", target);
                    w.WriteNumber("bytes", bytes);
                    w.WriteNumber("opset", version);
                    w.WriteNumber("nodes", written.Graph.Node.Count);
                    w.WriteNumber("initializers", written.Graph.Initializer.Count);
                    w.WriteNumber("parameters", saved.Model.ParameterCount);
                    WriteValue(w, "input", written.Graph.Input[0]);
                    WriteValue(w, "output", written.Graph.Output[0]);
                    w.WriteString("output_activation", saved.Metadata.OutputActivation);
                    w.WriteEndObject();
                });
            }
            else
            {
                var c = CultureInfo.InvariantCulture;
                context.Out.WriteLine($"Exported {source} ({saved.Model.Spec}) to {target}");
                context.Out.WriteLine(string.Create(c, $"  ONNX opset {version}: {written.Graph.Node.Count} nodes, {written.Graph.Initializer.Count} initializers, {saved.Model.ParameterCount:N0} parameters, {bytes:N0} bytes"));
                context.Out.WriteLine($"  input  {input}{(saved.Metadata.NormalizationMean is null ? "" : " (raw features: the saved normalisation is in the graph)")}");
                context.Out.WriteLine($"  output {output} (after {saved.Metadata.OutputActivation}, as 'nonlinear predict')");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Writes PyTorch source for <paramref name="source"/> to <paramref name="target"/> (PyTorchExport).</summary>
    private static int ExportPython(CliContext context, string source, string target, bool json)
    {
        var saved = ModelFile.Load(source);
        try
        {
            PyTorchExport.Save(target, saved, source);
        }
        catch (NotSupportedException e)
        {
            throw new CliUsageException($"{source} cannot be exported to PyTorch: {e.Message}");
        }

        long bytes = new FileInfo(target).Length;
        string modelFile = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(target))!, Path.GetFullPath(source)).Replace('\\', '/');
        int layers = saved.Model.Layers.Count;
        if (json)
        {
            Json.Write(context.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("model", source);
                w.WriteString("architecture", saved.Model.Spec);
                w.WriteString("format", "pytorch");
                w.WriteString("file", target);
                w.WriteNumber("bytes", bytes);
                w.WriteNumber("layers", layers);
                w.WriteNumber("parameters", saved.Model.ParameterCount);
                w.WriteString("weights", modelFile);
                w.WriteString("output_activation", saved.Metadata.OutputActivation);
                w.WriteEndObject();
            });
        }
        else
        {
            var c = CultureInfo.InvariantCulture;
            context.Out.WriteLine($"Exported {source} ({saved.Model.Spec}) to {target}");
            context.Out.WriteLine(string.Create(c, $"  PyTorch source: class Model(nn.Module), {layers} layers, {saved.Model.ParameterCount:N0} parameters, {bytes:N0} bytes"));
            context.Out.WriteLine($"  load() reads the weights from {modelFile} (relative to the .py file); forward() gives logits, predict() applies {saved.Metadata.OutputActivation}");
            context.Out.WriteLine($"  try it: /usr/bin/python3 {target} --check");
        }

        return 0;
    }

    /// <summary>"'input' [N, 1, 28, 28] float32".</summary>
    private static string Describe(global::Onnx.ValueInfoProto value)
        => $"'{value.Name}' [{string.Join(", ", Dims(value))}] {TypeName(value)}";

    /// <summary>{"name": "input", "shape": ["N", 1, 28, 28], "type": "float32"}: symbolic sizes as strings.</summary>
    private static void WriteValue(System.Text.Json.Utf8JsonWriter w, string property, global::Onnx.ValueInfoProto value)
    {
        w.WriteStartObject(property);
        w.WriteString("name", value.Name);
        w.WriteStartArray("shape");
        foreach (var d in value.Type.TensorType.Shape.Dim)
        {
            if (d.HasDimValue)
            {
                w.WriteNumberValue(d.DimValue);
            }
            else
            {
                w.WriteStringValue(d.HasDimParam ? d.DimParam : "?");
            }
        }

        w.WriteEndArray();
        w.WriteString("type", TypeName(value));
        w.WriteEndObject();
    }

    private static IEnumerable<string> Dims(global::Onnx.ValueInfoProto value)
        => value.Type.TensorType.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.HasDimParam ? d.DimParam : "?");

    private static string TypeName(global::Onnx.ValueInfoProto value) => value.Type.TensorType.ElemType switch
    {
        (int)global::Onnx.TensorProto.Types.DataType.Float => "float32",
        (int)global::Onnx.TensorProto.Types.DataType.Int64 => "int64",
        var other => $"type {other}",
    };
}
