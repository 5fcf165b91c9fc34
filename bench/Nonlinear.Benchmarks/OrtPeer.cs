using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Nonlinear.Benchmarks;

/// <summary>
/// ONNX Runtime as an inference peer of the fashion-mnist mode: runs one .onnx model (exported by
/// torch.onnx.export from the PyTorch peer's trained model, or by our OnnxExport from ours) at its best, and times
/// batch-1 latency and batch-1000 throughput exactly as ours is timed.
/// </summary>
/// <remarks>
/// At its best: IntraOpNumThreads = the run's thread count, InterOpNumThreads 1, ORT_ENABLE_ALL graph
/// optimisation, sequential execution (the defaults otherwise, so the intra-op pool spins between runs as ORT
/// ships). Inputs and outputs are OrtValues over pinned arrays made once and bound once (OrtIoBinding), so a timed
/// run is one RunWithBinding call: no per-run allocation, name marshalling or output copy.
/// </remarks>
internal static class OrtPeer
{
    /// <summary>A model's timings: median seconds of a batch-1 run and of a batch-1000 run, and the batch-1000 output.</summary>
    public sealed record Result(double Batch1, double Batch1000, float[] Output1000);

    /// <summary>The ONNX Runtime version (native library), e.g. "1.31.1".</summary>
    public static string Version => OrtEnv.Instance().GetVersionString();

    /// <summary>
    /// Times <paramref name="onnx"/> (a file path) on one image (<paramref name="one"/>, shape <paramref name="oneShape"/>)
    /// and on a thousand (<paramref name="thousand"/>, shape <paramref name="thousandShape"/>), with
    /// <paramref name="threads"/> intra-op threads; <paramref name="outputs"/> is the number of outputs per image.
    /// </summary>
    public static Result Measure(string onnx, int threads, float[] one, long[] oneShape, float[] thousand, long[] thousandShape, int outputs, int reps1, int reps1000)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        using var session = new InferenceSession(onnx, options);
        string input = session.InputMetadata.Keys.Single(), output = session.OutputMetadata.Keys.Single();
        using var run = new RunOptions();
        using var b1 = new Bound(session, input, output, one, oneShape, outputs);
        using var b1000 = new Bound(session, input, output, thousand, thousandShape, outputs);
        double lat = FashionBench.MedianSeconds(() => session.RunWithBinding(run, b1.Binding), reps1);
        double thr = FashionBench.MedianSeconds(() => session.RunWithBinding(run, b1000.Binding), reps1000);
        return new Result(lat, thr, (float[])b1000.Output.Clone());
    }

    /// <summary>One batch's pinned input and output arrays, their OrtValues and the binding that names them.</summary>
    private sealed class Bound : IDisposable
    {
        private readonly OrtValue _in, _out;

        public Bound(InferenceSession session, string input, string output, float[] data, long[] shape, int outputs)
        {
            var x = GC.AllocateUninitializedArray<float>(data.Length, pinned: true);
            data.CopyTo(x, 0);
            Output = GC.AllocateArray<float>((int)shape[0] * outputs, pinned: true);
            _in = OrtValue.CreateTensorValueFromMemory(x, shape);
            _out = OrtValue.CreateTensorValueFromMemory(Output, [shape[0], outputs]);
            Binding = session.CreateIoBinding();
            Binding.BindInput(input, _in);
            Binding.BindOutput(output, _out);
        }

        public OrtIoBinding Binding { get; }

        public float[] Output { get; }

        public void Dispose()
        {
            Binding.Dispose();
            _in.Dispose();
            _out.Dispose();
        }
    }

    /// <summary>The largest |a − b| over two equally long arrays (NaN if either holds one).</summary>
    public static double MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Debug.Assert(a.Length == b.Length);
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs((double)a[i] - b[i]);
            worst = double.IsNaN(d) ? double.NaN : Math.Max(worst, d);
            if (double.IsNaN(worst))
            {
                return worst;
            }
        }

        return worst;
    }

    /// <summary>How many rows of two [N, K] score arrays have the same arg-max class.</summary>
    public static int SameClass(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int k)
    {
        int same = 0;
        for (int r = 0; r + k <= a.Length; r += k)
        {
            if (ArgMax(a.Slice(r, k)) == ArgMax(b.Slice(r, k)))
            {
                same++;
            }
        }

        return same;
    }

    private static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] > x[best])
            {
                best = i;
            }
        }

        return best;
    }
}
