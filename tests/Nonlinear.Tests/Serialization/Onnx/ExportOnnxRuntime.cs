using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Tensors;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>Runs exported models in ONNX Runtime (one thread) and compares their outputs with ours.</summary>
internal static class ExportOnnxRuntime
{
    /// <summary>The agreement asked of an export: 1e-5, absolute for values up to 1 in size and relative above.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>The bytes of <paramref name="saved"/> exported to ONNX.</summary>
    public static byte[] Export(SavedModel saved, OnnxExportOptions? options = null)
    {
        using var stream = new MemoryStream();
        OnnxExport.Save(stream, saved, options);
        return stream.ToArray();
    }

    /// <summary>The output of the model in <paramref name="onnx"/> for the float input <paramref name="x"/> [N, ...].</summary>
    public static float[] Run(byte[] onnx, Tensor x, GraphOptimizationLevel level = GraphOptimizationLevel.ORT_ENABLE_ALL)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = level };
        using var session = new InferenceSession(onnx, options);
        var input = new DenseTensor(x.Span.ToArray(), x.Shape.ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var output = results.Single(r => r.Name == "output");
        return output.AsTensor<float>().ToArray();
    }

    /// <summary>
    /// The largest error of <paramref name="actual"/> against <paramref name="expected"/>, scaled as
    /// <see cref="Tolerance"/> is: |a − e| / max(1, |e|). Equal infinities and two NaNs count as 0; a NaN or
    /// infinity on one side only as +∞. Also the index of that worst element.
    /// </summary>
    public static (double Error, int Index) MaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        if (expected.Length != actual.Length)
        {
            throw new ArgumentException($"{expected.Length} expected values, {actual.Length} actual.");
        }

        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double error = double.IsNaN(e) || double.IsNaN(a) ? (double.IsNaN(e) && double.IsNaN(a) ? 0 : double.PositiveInfinity)
                : e == a ? 0
                : Math.Abs(a - e) / Math.Max(1, Math.Abs(e));
            if (error > worst)
            {
                (worst, at) = (error, i);
            }
        }

        return (worst, at);
    }
}
