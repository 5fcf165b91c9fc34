using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using DenseTensorLong = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>;
using DenseTensorFloat = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Tensors;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>
/// Builds sequence models with seeded random weights, exports them with <see cref="OnnxExport"/>, runs the file in
/// ONNX Runtime and compares its output with <see cref="SavedModel.Predict(Tensor)"/>.
/// </summary>
internal static class SequenceOnnxHarness
{
    /// <summary>The tolerance of the issue: exported outputs match ours within 1e-5.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>The largest error seen per case (name → max |ours − ORT|), for the report.</summary>
    public static ConcurrentDictionary<string, double> Errors { get; } = new();

    /// <summary>The largest |output| of the last <see cref="MaxError"/> call on this thread (for relative bounds).</summary>
    [ThreadStatic]
    private static double _lastScale;

    /// <summary>The largest |output| of the last <see cref="MaxError"/> call on this thread.</summary>
    public static double LastScale
    {
        get => _lastScale;
        private set => _lastScale = value;
    }

    /// <summary>A model built from <paramref name="spec"/> for per-sample <paramref name="inputShape"/>, weights from <paramref name="seed"/>.</summary>
    public static SavedModel Model(string spec, TensorShape inputShape, int seed, string outputActivation = "identity",
        TaskKind task = TaskKind.Regression, IReadOnlyList<float>? mean = null, IReadOnlyList<float>? std = null, IReadOnlyList<string>? classNames = null)
    {
        var model = Sequential.Parse(spec);
        model.Build(inputShape, seed);
        return new SavedModel(model, new Nonlinear.Serialization.ModelMetadata
        {
            Task = task,
            OutputActivation = outputActivation,
            Loss = outputActivation == "softmax" ? "softmax_cross_entropy" : "mse",
            ClassNames = classNames,
            NormalizationMean = mean,
            NormalizationStd = std,
        });
    }

    /// <summary>The exported file's bytes.</summary>
    public static byte[] Export(SavedModel model, int opset = OnnxExportOptions.DefaultOpset)
    {
        using var stream = new MemoryStream();
        OnnxExport.Save(stream, model, new OnnxExportOptions { Opset = opset });
        return stream.ToArray();
    }

    /// <summary>Uniform features in [-scale, scale], [n, ...sample].</summary>
    public static Tensor Features(int seed, double scale, params int[] shape)
    {
        var random = new Random(seed);
        var x = new Tensor(shape);
        var span = x.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        }

        return x;
    }

    /// <summary>
    /// Token ids [n, t] in 0..vocabulary-1, each row a random "word" followed by padding with id 0 (the boundary
    /// symbol our word batches pad with): row i has i % t padded steps at its end.
    /// </summary>
    public static Tensor Ids(int seed, int vocabulary, int n, int t)
    {
        var random = new Random(seed);
        var x = new Tensor(n, t);
        for (int i = 0; i < n; i++)
        {
            int real = t - (i % t);
            for (int step = 0; step < t; step++)
            {
                x[i, step] = step == 0 || step >= real ? 0 : random.Next(1, vocabulary);
            }
        }

        return x;
    }

    /// <summary>Runs the exported file on <paramref name="input"/> (as int64 ids when <paramref name="ids"/>); returns the output and its shape.</summary>
    public static (float[] Values, int[] Shape) Run(byte[] onnx, Tensor input, bool ids)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        int[] dims = Enumerable.Range(0, input.Shape.Rank).Select(i => input.Shape[i]).ToArray();
        var span = input.Span;
        NamedOnnxValue value;
        if (ids)
        {
            var data = new long[span.Length];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (long)span[i];
            }

            value = NamedOnnxValue.CreateFromTensor("input", new DenseTensorLong(data, dims));
        }
        else
        {
            value = NamedOnnxValue.CreateFromTensor("input", new DenseTensorFloat(span.ToArray(), dims));
        }

        using var results = session.Run([value]);
        var output = results.Single(r => r.Name == "output").AsTensor<float>();
        return (output.ToArray(), [.. output.Dimensions]);
    }

    /// <summary>
    /// Exports <paramref name="model"/>, runs it on <paramref name="input"/> in ONNX Runtime and returns the largest
    /// |Predict − ORT| (also recorded under <paramref name="name"/>), after checking the shapes agree.
    /// </summary>
    public static double MaxError(string name, SavedModel model, Tensor input, bool ids, int opset = OnnxExportOptions.DefaultOpset)
    {
        var expected = model.Predict(input);
        var (actual, shape) = Run(Export(model, opset), input, ids);
        return Compare(name, expected, actual, shape);
    }

    /// <summary>The largest |expected − actual| after checking the shapes agree; recorded under <paramref name="name"/>.</summary>
    public static double Compare(string name, Tensor expected, float[] actual, int[] shape)
    {
        if (!shape.SequenceEqual(expected.Shape))
        {
            throw new InvalidOperationException($"{name}: ONNX output shape [{string.Join(", ", shape)}], ours {expected.Shape}.");
        }

        double max = 0, scale = 0;
        var e = expected.Span;
        for (int i = 0; i < e.Length; i++)
        {
            double d = Math.Abs(e[i] - actual[i]);
            if (!(d <= max))
            {
                max = double.IsNaN(d) ? double.PositiveInfinity : d;
            }

            scale = Math.Max(scale, Math.Abs(e[i]));
        }

        Errors.AddOrUpdate(name, max, (_, old) => Math.Max(old, max));
        LastScale = scale;
        if (Environment.GetEnvironmentVariable("NONLINEAR_ONNX_ERRORS") is { Length: > 0 } log)
        {
            // For the measured errors in docs/onnx.md: NONLINEAR_ONNX_ERRORS=/tmp/errors.txt dotnet test ...
            File.AppendAllText(log, $"{name}\t{max:E2}\tmax |y| {scale:G3}{Environment.NewLine}");
        }

        return max;
    }
}
