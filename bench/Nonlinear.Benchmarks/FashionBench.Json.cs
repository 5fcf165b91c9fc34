using System.Text.Json;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The fashion-mnist mode's machine-readable output (<c>--json</c>), read by the instruction-sets mode from child
/// processes started with DOTNET_EnableAVX512F=0 etc.: one JSON object per line, beside the markdown report, in the
/// same shape as the PyTorch peer's lines (bench/peer/torch_fashion.py).
/// </summary>
internal static partial class FashionBench
{
    /// <summary>Set by <c>--json</c>.</summary>
    private static bool _json;

    /// <summary>
    /// Writes {"kind":"epoch", model, threads, epoch, seconds, batches, test_accuracy} per timed epoch,
    /// {"kind":"inference", model, threads, batch1_seconds, batch1000_seconds} and {"kind":"allocation", model,
    /// threads, bytes_per_batch}.
    /// </summary>
    private static void WriteJson(List<Epoch> epochs, List<Inference> inference, Dictionary<(string, int), double> allocation)
    {
        foreach (var e in epochs)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "epoch", model = e.Model, threads = e.Threads, epoch = e.Number, seconds = e.Seconds, batches = e.Batches, test_accuracy = e.TestAccuracy }));
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
