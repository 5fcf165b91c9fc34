using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Layers;

namespace Nonlinear.Serialization.PyTorch;

/// <summary>Writes the Python source of <see cref="PyTorchExport"/>: one module, its helpers, the loader and a main.</summary>
internal sealed class PyTorchSource
{
    private static readonly JsonSerializerOptions Literal = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>PEP 8's longest line.</summary>
    private const int MaxLine = 79;

    private readonly SavedModel _saved;
    private readonly string _modelFile;
    private readonly string _pythonFile;
    private readonly StringBuilder _text = new();
    private readonly List<PyTorchLayer> _layers = [];
    private readonly SortedSet<int> _helpers = [];
    private readonly (string Code, string? Helper) _output;
    private readonly bool _tokens;
    private readonly bool _normalized;

    private PyTorchSource(SavedModel saved, string modelFile, string pythonFile)
    {
        _saved = saved;
        _modelFile = modelFile;
        _pythonFile = pythonFile;
        var model = saved.Model;
        foreach (var layer in model.Layers)
        {
            var translated = PyTorchLayers.For(layer);
            _layers.Add(translated);
            foreach (var helper in translated.Helpers)
            {
                Use(helper);
            }
        }

        Activation output;
        try
        {
            output = ActivationRegistry.Parse(saved.Metadata.OutputActivation);
        }
        catch (ActivationSpecException e)
        {
            throw new ArgumentException($"The model's output activation '{saved.Metadata.OutputActivation}' is not valid: {e.Message}", nameof(saved), e);
        }

        _output = PyTorchActivations.For(output);
        if (_output.Helper is { } outputHelper)
        {
            Use(outputHelper);
        }

        _tokens = model.Layers[0] is Embedding;
        _normalized = saved.Metadata.NormalizationMean is not null && saved.Metadata.NormalizationStd is not null;
    }

    /// <summary>
    /// The source for <paramref name="saved"/>, loading by default from <paramref name="modelFile"/> (relative to the
    /// .py file); <paramref name="pythonFile"/> is the file's own name, for its usage line.
    /// </summary>
    public static string Generate(SavedModel saved, string modelFile, string pythonFile)
    {
        var source = new PyTorchSource(saved, modelFile, pythonFile);
        source.Write();
        return source._text.ToString();
    }

    private void Use(string helper)
    {
        int index = PyTorchHelpers.Order.ToList().IndexOf(helper);
        _helpers.Add(index);
        foreach (var required in PyTorchHelpers.Requires(helper))
        {
            Use(required);
        }
    }

    private void Write()
    {
        WriteDocstring();
        Lines("""
            import argparse
            import array
            import json
            import math
            import os
            import struct
            import sys

            import torch
            from torch import nn
            """);
        var helpers = _helpers.Select(h => PyTorchHelpers.Order[h]).ToList();
        if (helpers.Contains(PyTorchHelpers.ElmanRnn) || helpers.Contains(PyTorchHelpers.SelfAttention))
        {
            Line("from torch.nn import functional as F");
        }

        Line();
        WriteConstants();
        foreach (int helper in _helpers)
        {
            Line();
            Line();
            Lines(PyTorchHelpers.Source(PyTorchHelpers.Order[helper]));
        }

        Line();
        Line();
        WriteModel();
        Line();
        Line();
        WriteTensorNames();
        Line();
        Line();
        WriteLossFunction();
        Line();
        Line();
        Lines(Loader);
        Line();
        Line();
        WriteExampleInput();
        Line();
        Line();
        Lines(Main);
    }

    private void WriteDocstring()
    {
        var meta = _saved.Metadata;
        var model = _saved.Model;
        string className = Py(Path.GetFileName(_modelFile));
        Line($"\"\"\"PyTorch version of the Nonlinear model {className}.");
        Line();
        Lines($"""
            Written by `nonlinear export` (Nonlinear's PyTorchExport). Model, below, is
            the same network as an nn.Module: the same layers, activations and
            parameters, in PyTorch's weight layout. load() reads the weights from the
            model file itself (no conversion step; torch is the only dependency).

            {Wrap("    architecture  ", "                  ", model.Spec.Split(','), ",")}
                input         {InputDescription()}
                output        {model.OutputShape} per sample; predict() applies {meta.OutputActivation}
                task          {meta.Task.ToString().ToLowerInvariant()}
            """);
        if (meta.ClassNames is { Count: > 0 } names)
        {
            var shown = names.Take(10).Select(Py).ToList();
            if (names.Count > 10)
            {
                shown.Add(I($"... ({names.Count} in all)"));
            }

            Lines(Wrap("    classes       ", "                  ", shown, ", "));
        }

        Line($"    loss          {meta.Loss} (loss_function() gives PyTorch's)");
        if (_normalized)
        {
            Line($"    normalised    inputs: (x - mean) / std {NormalizationKind()}, in forward()");
        }

        Lines($$""""

            Use:

                model = load()               # the weights of {{className}}
                y = model.predict(x)         # {{PredictDescription()}}

            forward() returns the logits (before the output activation), which is what
            PyTorch's losses take, so training carries on with PyTorch's own tools
            (DistributedDataParallel, mixed precision, your own data loaders, ...):

                model = load().train()
                optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
                loss_fn = loss_function()
                for x, target in batches:
                    optimizer.zero_grad()
                    loss_fn(model(x), target).backward()
                    optimizer.step()
                save(model, "trained.nlm")   # back to Nonlinear (or torch.save)

            Run `python3 {{_pythonFile}} --check` to load the weights and print a summary.
            """
            """");
    }

    private string InputDescription()
    {
        var shape = _saved.Model.InputShape;
        string batch = "[N, " + string.Join(", ", Enumerable.Range(0, shape.Rank).Select(i => shape[i].ToString(CultureInfo.InvariantCulture))) + "]";
        return _tokens
            ? I($"{shape} per sample: token ids, an integer tensor {batch} of 0..{((Embedding)_saved.Model.Layers[0]).VocabularySize - 1}")
            : $"{shape} per sample: a float32 tensor {batch}";
    }

    private string PredictDescription() => _output.Code switch
    {
        "nn.Softmax(dim=-1)" => "probabilities (softmax)",
        "nn.Sigmoid()" => "probabilities (sigmoid)",
        "nn.Identity()" => "the outputs (no output activation)",
        _ => $"{_saved.Metadata.OutputActivation} of the logits",
    };

    private string NormalizationKind()
    {
        var shape = _saved.Model.InputShape;
        return _saved.Metadata.NormalizationMean!.Count == shape.Length ? "per feature" : "per channel";
    }

    private void WriteConstants()
    {
        var meta = _saved.Metadata;
        var shape = _saved.Model.InputShape;
        Line("# The model file load() reads by default, relative to this file's folder.");
        Line($"MODEL_FILE = {Py(_modelFile)}");
        Line("# What the model file must hold (load() checks it).");
        string architecture = $"ARCHITECTURE = {Py(_saved.Model.Spec)}";
        if (architecture.Length <= MaxLine)
        {
            Line(architecture);
        }
        else
        {
            // Implicit concatenation of pieces that end at a comma of the spec.
            var tokens = _saved.Model.Spec.Split(',');
            var pieces = tokens.Select((t, i) => i < tokens.Length - 1 ? t + "," : t).ToList();
            Line("ARCHITECTURE = (");
            string current = "";
            foreach (var piece in pieces)
            {
                if (current.Length > 0 && 4 + Py(current + piece).Length > MaxLine)
                {
                    Line("    " + Py(current));
                    current = "";
                }

                current += piece;
            }

            Line("    " + Py(current));
            Line(")");
        }
        string dims = string.Join(", ", Enumerable.Range(0, shape.Rank).Select(i => shape[i].ToString(CultureInfo.InvariantCulture)));
        Line($"INPUT_SHAPE = ({dims}{(shape.Rank == 1 ? "," : "")})");
        Line($"TASK = {Py(meta.Task.ToString().ToLowerInvariant())}");
        Line($"OUTPUT_ACTIVATION = {Py(meta.OutputActivation)}");
        Line($"LOSS = {Py(meta.Loss)}");
        if (meta.ClassNames is { Count: > 0 } names)
        {
            string oneLine = $"CLASS_NAMES = [{string.Join(", ", names.Select(Py))}]";
            if (oneLine.Length <= 79)
            {
                Line(oneLine);
            }
            else
            {
                Line("CLASS_NAMES = [");
                foreach (var name in names)
                {
                    Line($"    {Py(name)},");
                }

                Line("]");
            }
        }
        else
        {
            Line("CLASS_NAMES = None");
        }
    }

    private void WriteModel()
    {
        var meta = _saved.Metadata;
        var model = _saved.Model;
        Lines($""""
            class Model(nn.Module):
                """The Nonlinear model as a PyTorch module (ARCHITECTURE).

                forward(x) returns the logits, the last layer's output before the output
                activation: train on them with loss_function(). predict(x) applies the
                output activation (OUTPUT_ACTIVATION) in eval mode, as Nonlinear does.
                """

                def __init__(self):
                    super().__init__()
            """");
        if (_normalized)
        {
            int count = meta.NormalizationMean!.Count;
            Lines($"""
                        # The input normalisation saved with the model, {NormalizationKind()}:
                        # forward() computes (x - mean) / std first. load() fills both.
                        self.register_buffer("normalization_mean", torch.zeros({count}))
                        self.register_buffer("normalization_std", torch.ones({count}))
                """);
        }

        Line("        self.layers = nn.Sequential(");
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = model.Layers[i];
            Line(I($"            # {i}  {layer.Spec}  {layer.InputShape} -> {layer.OutputShape}"));
            LayerLine(_layers[i].Code);
        }

        Line("        )");
        Line($"        # The output activation (predict() only): {meta.OutputActivation}");
        Line($"        self.output_activation = {_output.Code}");
        Line();
        Line("    def normalize(self, x):");
        if (_normalized)
        {
            var shape = model.InputShape;
            string view = meta.NormalizationMean!.Count == shape.Length
                ? string.Join(", ", Enumerable.Range(0, shape.Rank).Select(i => shape[i].ToString(CultureInfo.InvariantCulture)))
                : "-1" + string.Concat(Enumerable.Repeat(", 1", shape.Rank - 1));
            Lines($""""
                        """(x - mean) / std with the constants saved with the model."""
                        mean = self.normalization_mean.view({view})
                        std = self.normalization_std.view({view})
                        return (x - mean) / std
                """");
        }
        else
        {
            Lines(""""
                        """The model was trained on raw inputs: nothing to do."""
                        return x
                """");
        }

        Line();
        Line("    def forward(self, x):");
        Line(_tokens
            ? "        \"\"\"Logits for token ids x, an integer tensor [N, T].\"\"\""
            : "        \"\"\"Logits for a batch x [N, *INPUT_SHAPE] of raw inputs.\"\"\"");
        Line("        return self.layers(self.normalize(x))");
        Line();
        Lines(""""
                @torch.no_grad()
                def predict(self, x):
                    """The output activation of the logits, computed in eval mode."""
                    was_training = self.training
                    self.eval()
                    try:
                        return self.output_activation(self(x))
                    finally:
                        self.train(was_training)
            """");
    }

    /// <summary>One module of the nn.Sequential; its arguments one per line if it does not fit on one.</summary>
    private void LayerLine(string code)
    {
        const string Indent = "            ";
        int open = code.IndexOf('(', StringComparison.Ordinal);
        if (Indent.Length + code.Length + 1 <= MaxLine || open < 0 || code[^1] != ')')
        {
            Line($"{Indent}{code},");
            return;
        }

        Line(Indent + code[..(open + 1)]);
        int depth = 0, start = open + 1;
        for (int i = start; i < code.Length - 1; i++)
        {
            depth += code[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0 && code[i] == ',')
            {
                Line($"{Indent}    {code[start..i].Trim()},");
                start = i + 1;
            }
        }

        Line($"{Indent}    {code[start..^1].Trim()},");
        Line(Indent + "),");
    }

    private void WriteTensorNames()
    {
        var model = _saved.Model;
        Line("# Each tensor of the model file and the Model.state_dict() entry it fills.");
        Line("TENSOR_NAMES = {");
        for (int i = 0; i < model.Layers.Count; i++)
        {
            var layer = model.Layers[i];
            foreach (var name in layer.Parameters.Select(p => p.Name).Concat(layer.State.Select(s => s.Name)))
            {
                Line(I($"    {Py($"{i}.{name}")}: {Py($"layers.{i}.{_layers[i].Rename(name)}")},"));
            }
        }

        if (_normalized)
        {
            Line("    \"normalization.mean\": \"normalization_mean\",");
            Line("    \"normalization.std\": \"normalization_std\",");
        }

        Line("}");
    }

    private void WriteLossFunction()
    {
        string loss = _saved.Metadata.Loss.Trim().ToLowerInvariant();
        Line("def loss_function():");
        switch (loss)
        {
            case "mse" or "mean_squared_error":
                Lines("""
                        "The model's loss in PyTorch: mean squared error on forward()'s outputs."
                        return nn.MSELoss()
                    """);
                break;
            case "bce_logits" or "binary_cross_entropy_with_logits":
                Lines("""
                        "The model's loss in PyTorch: binary cross-entropy on the logits."
                        return nn.BCEWithLogitsLoss()
                    """);
                break;
            case "cross_entropy" or "softmax_cross_entropy" or "crossentropy":
                Lines("""
                        "The model's loss: softmax cross-entropy on logits [N, K], class ids [N]."
                        return nn.CrossEntropyLoss()
                    """);
                break;
            case "sequence_cross_entropy" or "masked_cross_entropy":
                Lines(""""
                        """The model's loss: cross-entropy at every step of [N, T, K] logits.

                        Targets [N, T] hold the class id of each step, or -1 on padded steps,
                        which are ignored (the mean is over the real steps).
                        """
                        cross_entropy = nn.CrossEntropyLoss(ignore_index=-1)

                        def loss(logits, targets):
                            flat = logits.reshape(-1, logits.shape[-1])
                            return cross_entropy(flat, targets.reshape(-1).long())

                        return loss
                    """");
                break;
            default:
                Lines($"""
                        "The model was trained with a loss this exporter does not know."
                        raise NotImplementedError({Py($"no PyTorch loss for '{_saved.Metadata.Loss}'")})
                    """);
                break;
        }
    }

    private void WriteExampleInput()
    {
        Line("def example_input(batch=2):");
        if (_tokens)
        {
            int vocabulary = ((Embedding)_saved.Model.Layers[0]).VocabularySize;
            Lines(I($"""
                    "A random batch of token ids [batch, *INPUT_SHAPE]."
                    return torch.randint(0, {vocabulary}, (batch, *INPUT_SHAPE))
                """));
        }
        else
        {
            Lines("""
                    "A random batch [batch, *INPUT_SHAPE] (standard normal values)."
                    return torch.randn(batch, *INPUT_SHAPE)
                """);
        }
    }

    private const string Loader = """"
        def read_model_file(path):
            """Reads a Nonlinear model file (.nlm): returns (metadata, tensors).

            The layout (docs/model-format.md) is safetensors: the header length N as an
            unsigned 64-bit little-endian integer, N bytes of JSON ("__metadata__" and,
            per tensor, its dtype "F32", shape and data_offsets), then the tensors as
            little-endian float32, row-major. tensors maps each name to a new tensor.
            """
            with open(path, "rb") as f:
                data = bytearray(f.read())
            if len(data) < 8:
                raise ValueError(f"{path}: too short to be a model file")
            (header_length,) = struct.unpack_from("<Q", data, 0)
            start = 8 + header_length
            if header_length < 2 or start > len(data):
                raise ValueError(f"{path}: truncated (the header says "
                                 f"{header_length} bytes)")
            header = json.loads(data[8:start].decode("utf-8"))
            metadata = header.pop("__metadata__", None) or {}
            if metadata.get("format") != "nonlinear":
                raise ValueError(f"{path}: not a Nonlinear model file")
            if metadata.get("format_version") != "1":
                raise ValueError(f"{path}: unsupported format version "
                                 f"{metadata.get('format_version')!r}")
            tensors = {}
            for name, entry in header.items():
                shape = entry.get("shape")
                begin, end = entry.get("data_offsets", (0, -1))
                count = math.prod(shape)
                if (entry.get("dtype") != "F32" or begin < 0
                        or end - begin != 4 * count or start + end > len(data)):
                    raise ValueError(f"{path}: bad entry for {name!r}: {entry}")
                tensors[name] = _floats(data, start + begin, count).reshape(shape)
            return metadata, tensors


        def _floats(data, offset, count):
            """count little-endian float32 values from data[offset:], as a tensor."""
            if count == 0:
                return torch.zeros(0)
            if sys.byteorder == "little":
                return torch.frombuffer(data, dtype=torch.float32, count=count,
                                        offset=offset).clone()
            values = array.array("f", bytes(data[offset:offset + 4 * count]))
            values.byteswap()
            return torch.tensor(values.tolist(), dtype=torch.float32)


        def load(path=None):
            """A Model with the weights of a Nonlinear model file, in eval mode.

            path defaults to MODEL_FILE in this file's folder. The check is strict: the
            file must have this ARCHITECTURE and INPUT_SHAPE and exactly the tensors of
            TENSOR_NAMES, each with the module's shape and finite values; then every
            parameter and buffer of Model is set (load_state_dict(strict=True)).
            """
            if path is None:
                here = os.path.dirname(os.path.abspath(__file__))
                path = os.path.join(here, MODEL_FILE)
            metadata, tensors = read_model_file(path)
            if metadata.get("architecture") != ARCHITECTURE:
                raise ValueError(f"{path}: architecture "
                                 f"{metadata.get('architecture')!r}; this module "
                                 f"is {ARCHITECTURE!r} (export it again)")
            if json.loads(metadata.get("input_shape", "null")) != list(INPUT_SHAPE):
                raise ValueError(f"{path}: input shape {metadata.get('input_shape')}; "
                                 f"this module takes {list(INPUT_SHAPE)}")
            missing = sorted(set(TENSOR_NAMES) - set(tensors))
            unexpected = sorted(set(tensors) - set(TENSOR_NAMES))
            if missing or unexpected:
                raise ValueError(f"{path}: missing tensors {missing}, "
                                 f"unexpected tensors {unexpected}")
            model = Model()
            state = model.state_dict()
            for name, key in TENSOR_NAMES.items():
                value = tensors[name]
                if value.shape != state[key].shape:
                    raise ValueError(f"{path}: tensor {name!r} has shape "
                                     f"{list(value.shape)}; {key} needs "
                                     f"{list(state[key].shape)}")
                if not bool(torch.isfinite(value).all()):
                    raise ValueError(f"{path}: tensor {name!r} is not finite")
                state[key] = value
            filled = set(TENSOR_NAMES.values())
            unfilled = [key for key in state
                        if key not in filled
                        and not key.endswith("num_batches_tracked")]
            if unfilled:
                raise ValueError(f"the model file fills no value for {unfilled}")
            model.load_state_dict(state, strict=True)
            return model.eval()


        def save(model, path):
            """Writes model to a Nonlinear model file (.nlm), e.g. after training here.

            The inverse of load(): the same architecture, input shape, task, loss,
            class names and tensor names, so `nonlinear predict`, `evaluate`,
            `advise` and the web app read it. Written to a temporary file, then
            renamed over path. Other metadata of the original file is not kept.
            """
            state = model.state_dict()
            metadata = {"format": "nonlinear", "format_version": "1",
                        "architecture": ARCHITECTURE,
                        "input_shape": json.dumps(list(INPUT_SHAPE)),
                        "task": TASK, "output_activation": OUTPUT_ACTIVATION,
                        "loss": LOSS}
            if CLASS_NAMES is not None:
                metadata["class_names"] = json.dumps(CLASS_NAMES)
            header = {"__metadata__": metadata}
            chunks = []
            offset = 0
            for name, key in TENSOR_NAMES.items():
                value = state[key].detach().to("cpu", torch.float32)
                if not bool(torch.isfinite(value).all()):
                    raise ValueError(f"{key} is not finite: not saved")
                values = array.array("f", value.flatten().tolist())
                if sys.byteorder != "little":
                    values.byteswap()
                chunks.append(values.tobytes())
                end = offset + len(chunks[-1])
                header[name] = {"dtype": "F32", "shape": list(value.shape),
                                "data_offsets": [offset, end]}
                offset = end
            text = json.dumps(header, separators=(",", ":")).encode("utf-8")
            text += b" " * (-(8 + len(text)) % 8)
            temporary = f"{path}.tmp-{os.getpid()}"
            with open(temporary, "wb") as f:
                f.write(struct.pack("<Q", len(text)))
                f.write(text)
                for chunk in chunks:
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, path)
        """";

    private const string Main = """"
        def main():
            parser = argparse.ArgumentParser(
                description="Load the model into PyTorch and print a summary.")
            parser.add_argument("model_file", nargs="?",
                                help=f"the .nlm file (default: {MODEL_FILE} "
                                     "next to this file)")
            parser.add_argument("--check", action="store_true",
                                help="also run a random batch through predict()")
            args = parser.parse_args()
            model = load(args.model_file)
            print(model)
            count = sum(p.numel() for p in model.parameters())
            print(f"{count} parameters loaded from {args.model_file or MODEL_FILE}")
            if args.check:
                x = example_input()
                y = model.predict(x)
                finite = bool(torch.isfinite(y).all())
                print(f"predict: {list(x.shape)} -> {list(y.shape)}, "
                      f"finite: {finite}")


        if __name__ == "__main__":
            main()
        """";

    /// <summary>
    /// <paramref name="first"/> followed by <paramref name="pieces"/> joined by <paramref name="separator"/>, wrapped
    /// before <see cref="MaxLine"/> columns onto lines that start with <paramref name="indent"/>.
    /// </summary>
    private static string Wrap(string first, string indent, IReadOnlyList<string> pieces, string separator)
    {
        var lines = new List<string>();
        var current = new StringBuilder(first);
        bool empty = true;
        for (int i = 0; i < pieces.Count; i++)
        {
            string piece = pieces[i] + (i < pieces.Count - 1 ? separator.TrimEnd() : "");
            string gap = empty || separator.EndsWith(' ') is false ? "" : " ";
            if (!empty && current.Length + gap.Length + piece.Length > MaxLine)
            {
                lines.Add(current.ToString());
                current.Clear().Append(indent);
                gap = "";
            }

            current.Append(gap).Append(piece);
            empty = false;
        }

        lines.Add(current.ToString());
        return string.Join("\n", lines);
    }

    private static string Py(string text) => JsonSerializer.Serialize(text, Literal);

    private void Line(string text = "") => _text.Append(text).Append('\n');

    private void Lines(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            Line(line.TrimEnd());
        }
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
