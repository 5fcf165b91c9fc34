using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;

namespace Nonlinear.Tests.Serialization.PyTorch;

/// <summary>
/// The models the PyTorch export is checked on: an MLP, CNNs (batch norm, PReLU, dropout, pooling, strides and
/// padding), every catalog activation on a dense sweep of inputs, and the sequence models of
/// <c>SequenceModels</c> (smaller) with every sequence layer. Weights, biases, batch-norm statistics and PReLU
/// slopes are all made non-trivial, so a transposed or misnamed tensor shows.
/// </summary>
public static class PyTorchCases
{
    /// <summary>The learning rate of the PyTorch training steps.</summary>
    public const double TrainingLearningRate = 0.05;

    /// <summary>Every case the run compares.</summary>
    public static IReadOnlyList<PyTorchCase> All()
    {
        var cases = new List<PyTorchCase>
        {
            // Two MLPs first: the driver's strict-load check loads the first module with the second's file.
            Case("mlp", "mlp", "dense:16,tanh,dense:8,relu,dense:3", [5], TaskKind.Multiclass, "softmax", "cross_entropy", batch: 6,
                classes: ["a", "b", "c"], normalization: (Enumerable.Range(0, 5).Select(i => 0.1f * i).ToArray(), [0.5f, 1, 2, 0.25f, 4])),
            Case("mlp-binary", "mlp", "dense:8,gelu,dropout:0.5,dense:1", [3], TaskKind.Binary, "sigmoid", "bce_logits", batch: 5, classes: ["no", "yes"]),
            Case("cnn", "cnn", "conv:4x3:same,batchnorm,prelu:channel,pool:2,conv:6x3:s2:p1,relu,dropout:0.25,flatten,dense:10,prelu,dense:3",
                [2, 12, 12], TaskKind.Multiclass, "softmax", "cross_entropy", batch: 3, classes: ["x", "y", "z"],
                normalization: ([0.5f, -0.25f], [2f, 0.5f])),
            Case("cnn-pool-stride", "cnn", "conv:3x5:p2,elu,pool:3:s2,conv:5x2,batchnorm,hardswish,flatten,batchnorm,dense:4",
                [1, 11, 11], TaskKind.Regression, "identity", "mse", batch: 4,
                normalization: (Enumerable.Range(0, 121).Select(i => 0.01f * i).ToArray(), Enumerable.Range(0, 121).Select(i => 1f + 0.02f * i).ToArray())),
        };

        foreach (var spec in ActivationSpecs())
        {
            cases.Add(ActivationSweep(spec));
        }

        const int Steps = 6, Symbols = 11;
        string[] symbols = [.. Enumerable.Range(0, Symbols).Select(i => ((char)('a' + i)).ToString())];
        cases.AddRange(
        [
            // SequenceModels.ForWords at a small size (27 symbols -> 11, H = 16, D = 16).
            Case("words-rnn", "sequence", $"embedding:{Symbols}:8,rnn:16:seq,dense:{Symbols}", [Steps], TaskKind.Sequence, "softmax", "sequence_cross_entropy", batch: 3, classes: symbols),
            Case("words-lstm", "sequence", $"embedding:{Symbols}:8,lstm:16:seq,dense:{Symbols}", [Steps], TaskKind.Sequence, "softmax", "sequence_cross_entropy", batch: 3, classes: symbols),
            Case("words-gru", "sequence", $"embedding:{Symbols}:8,gru:16:seq,dense:{Symbols}", [Steps], TaskKind.Sequence, "softmax", "sequence_cross_entropy", batch: 3, classes: symbols),
            Case("words-transformer", "sequence", $"embedding:{Symbols}:16,positions:learned,transformer:d=16,heads=4,ff=64:causal,dense:{Symbols}", [Steps],
                TaskKind.Sequence, "softmax", "sequence_cross_entropy", batch: 3, classes: symbols),

            // SequenceModels.ForRows: images read row by row, one class per image.
            Case("rows-lstm", "sequence", "lstm:12,dense:4", [7, 5], TaskKind.Multiclass, "softmax", "cross_entropy", batch: 3, classes: ["0", "1", "2", "3"],
                normalization: ([0.5f, 0, 0, 0, 0, 0, -0.5f], [0.25f, 1, 1, 1, 1, 1, 2])),
            Case("rows-gru", "sequence", "gru:12,dense:4", [7, 5], TaskKind.Multiclass, "softmax", "cross_entropy", batch: 3, classes: ["0", "1", "2", "3"]),
            Case("rows-rnn", "sequence", "rnn:12,dense:4", [7, 5], TaskKind.Multiclass, "softmax", "cross_entropy", batch: 3, classes: ["0", "1", "2", "3"]),
            Case("rows-transformer", "sequence", "dense:16,positions:learned,transformer:d=16,heads=4,ff=64,seqpool:mean,dense:4", [7, 5],
                TaskKind.Multiclass, "softmax", "cross_entropy", batch: 3, classes: ["0", "1", "2", "3"]),

            // The other sequence layers and options.
            Case("rnn-relu-seq", "sequence", "rnn:6:relu:seq,rnn:5:leaky_relu:0.1:seq,rnn:4:sin,dense:2", [5, 3], TaskKind.Regression, "identity", "mse", batch: 4),
            Case("attention-options", "sequence", "dense:8,positions:sinusoidal,layernorm,attention:heads=2:causal:unscaled,attention:heads=4,seqpool:last,dense:3", [6, 4],
                TaskKind.Multiclass, "log_softmax", "cross_entropy", batch: 3, classes: ["p", "q", "r"]),
            Case("sinusoidal-odd", "sequence", "dense:5,positions:sinusoidal,layernorm,gru:3:seq,seqpool:mean,dense:1", [4, 2], TaskKind.Binary, "sigmoid", "bce_logits",
                batch: 3, classes: ["no", "yes"]),
        ]);
        return cases;
    }

    /// <summary>Every catalog activation, with its default parameters and, where it has any, other values.</summary>
    public static IEnumerable<string> ActivationSpecs()
    {
        foreach (var descriptor in ActivationRegistry.All)
        {
            yield return descriptor.Name;
        }

        yield return "leaky_relu:0.2";
        yield return "elu:alpha=0.5";
        yield return "gelu:tanh";
        yield return "softplus:beta=2:threshold=10";
        yield return "softplus:beta=0.5";
        yield return "hardtanh:-2:3";
    }

    /// <summary>
    /// A CNN trained one step in both libraries: its parameter gradients (batch-norm in training mode, softmax
    /// cross-entropy) and the class targets of its batch.
    /// </summary>
    public static (PyTorchCase Case, int[] Targets, Dictionary<string, float[]> Gradients) TrainingCase()
    {
        var c = Case("train-cnn", "train", "conv:4x3,batchnorm,relu,pool:2,flatten,dense:8,tanh,dense:3", [1, 8, 8], TaskKind.Multiclass, "softmax", "cross_entropy",
            batch: 6, classes: ["a", "b", "c"], normalization: ([0.25f], [2f]));
        int[] targets = [0, 2, 1, 1, 0, 2];

        // Our gradients of the mean cross-entropy, on a copy (a training forward moves the running statistics).
        var model = Sequential.Parse(c.Saved.Model.Spec);
        model.Build(c.Saved.Model.InputShape, seed: 0);
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            c.Saved.Model.Parameters[i].Value.Span.CopyTo(model.Parameters[i].Value.Span);
        }

        for (int i = 0; i < model.State.Count; i++)
        {
            c.Saved.Model.State[i].Value.Span.CopyTo(model.State[i].Value.Span);
        }

        var meta = c.Saved.Metadata;
        var x = new Normalization(meta.NormalizationMean!, meta.NormalizationStd!).Apply(c.Input);
        var logits = model.Forward(x, training: true);
        var gradient = new Tensor(logits.Shape);
        new SoftmaxCrossEntropy().Compute(logits, Tensor.FromArray(targets.Select(t => (float)t).ToArray(), targets.Length), gradient);
        model.ZeroGradients();
        model.Backward(gradient);
        var gradients = new Dictionary<string, float[]>();
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            gradients[model.ParameterNames[i]] = model.Parameters[i].Gradient.Span.ToArray();
        }

        return (c, targets, gradients);
    }

    private static PyTorchCase ActivationSweep(string spec)
    {
        // 2 rows of 241 values: -12 .. 12 by 0.1, and the same shifted by 0.05 (around the kinks at 0, ±3, 6).
        const int Width = 241;
        var input = new Tensor(2, Width);
        for (int i = 0; i < Width; i++)
        {
            input.Span[i] = (float)(-12 + 0.1 * i);
            input.Span[Width + i] = (float)(-11.95 + 0.1 * i);
        }

        return Build("activation-" + spec.Replace(':', '_').Replace('=', '-'), "activation", spec, [Width], input,
            new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
    }

    private static PyTorchCase Case(
        string name, string group, string spec, int[] inputShape, TaskKind task, string output, string loss, int batch,
        string[]? classes = null, (float[] Mean, float[] Std)? normalization = null)
    {
        var random = new Random(name.Length * 7919 + name[0]);
        var dims = new int[inputShape.Length + 1];
        dims[0] = batch;
        inputShape.CopyTo(dims, 1);
        var input = new Tensor(dims);
        int vocabulary = spec.StartsWith("embedding:", StringComparison.Ordinal) ? int.Parse(spec.Split(':', ',')[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
        for (int i = 0; i < input.Length; i++)
        {
            input.Span[i] = vocabulary > 0 ? random.Next(vocabulary) : (float)(random.NextDouble() * 4 - 2);
        }

        var metadata = new ModelMetadata
        {
            Task = task, OutputActivation = output, Loss = loss, ClassNames = classes,
            NormalizationMean = normalization?.Mean, NormalizationStd = normalization?.Std,
        };
        return Build(name, group, spec, inputShape, input, metadata);
    }

    private static PyTorchCase Build(string name, string group, string spec, int[] inputShape, Tensor input, ModelMetadata metadata)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(inputShape), seed: name.Length);
        var random = new Random(name.Sum(ch => ch));
        foreach (var p in model.Parameters)
        {
            // Biases, norms' scales and shifts, PReLU slopes: away from their 0 / 1 / 0.25 starts.
            if (p.Name.EndsWith("bias", StringComparison.Ordinal) || p.Name is "slope" || p.Name.StartsWith("norm", StringComparison.Ordinal)
                || (p.Value.Shape.Rank == 1 && p.Name == "weight"))
            {
                var span = p.Value.Span;
                for (int i = 0; i < span.Length; i++)
                {
                    span[i] = (float)(p.Name == "weight" ? 0.5 + random.NextDouble() : random.NextDouble() - 0.5);
                }
            }
        }

        foreach (var s in model.State)
        {
            var span = s.Value.Span;
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = (float)(s.Name == "running_var" ? 0.5 + random.NextDouble() : random.NextDouble() - 0.5);
            }
        }

        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, metadata);
        stream.Position = 0;
        return new PyTorchCase(name, group, ModelFile.Load(stream, name + ".nlm"), input);
    }
}
