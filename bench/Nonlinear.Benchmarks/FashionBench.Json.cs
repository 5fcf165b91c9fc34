using System.Text.Json;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The fashion-mnist mode's machine-readable output (<c>--json</c>), read by the instruction-sets mode from child
/// processes started with DOTNET_EnableAVX512=0 etc.: one JSON object per line, beside the markdown report, in the
/// same shape as the PyTorch peer's lines (bench/peer/torch_fashion.py).
/// </summary>
internal static partial class FashionBench
{
    /// <summary>Set by <c>--json</c>.</summary>
    private static bool _json;

    /// <summary>
    /// Writes {"kind":"peak", threads, gflops} per thread count (the FMA peak, when measured), {"kind":"work", model,
    /// forward_macs, train_flops, infer_flops} per model (per image, see <see cref="Work"/>), {"kind":"epoch", model,
    /// threads, epoch, seconds, batches, samples, test_accuracy, gflop (the epoch's counted training GFLOP)} per timed epoch,
    /// {"kind":"inference", model, threads, batch1_seconds, batch1000_seconds} and {"kind":"allocation", model,
    /// threads, bytes_per_batch}.
    /// </summary>
    private static void WriteJson(List<Epoch> epochs, List<Inference> inference, Dictionary<(string, int), double> allocation, Dictionary<int, double> peaks, Dictionary<string, Work> work)
    {
        foreach (var (threads, gflops) in peaks.Where(p => double.IsFinite(p.Value)))
        {
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "peak", threads, gflops }));
        }

        foreach (var (model, w) in work)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "work", model, forward_macs = w.Forward, train_flops = w.TrainFlops, infer_flops = w.InferFlops }));
        }

        foreach (var e in epochs)
        {
            double flops = work.TryGetValue(e.Model, out var w) ? w.TrainFlops * e.Samples : double.NaN;
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "epoch", model = e.Model, threads = e.Threads, epoch = e.Number, seconds = e.Seconds, batches = e.Batches, samples = e.Samples, test_accuracy = e.TestAccuracy, gflop = flops / 1e9 }));
        }

        foreach (var i in inference)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "inference", model = i.Model, threads = i.Threads, batch1_seconds = i.Batch1, batch1000_seconds = i.Batch1000 }));
        }

        foreach (var ((model, threads), bytes) in allocation)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "allocation", model, threads, bytes_per_batch = bytes }));
        }
    }
}
