using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Nonlinear.Tensors;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The gemm mode's machine-readable output (<c>--json</c>), read by the instruction-sets mode from child processes
/// started with DOTNET_EnableAVX512=0 etc.: one JSON object per line, beside the markdown report.
/// </summary>
internal static partial class GemmBench
{
    /// <summary>Set by <c>--json</c>.</summary>
    private static bool _json;

    /// <summary>
    /// Set by <c>--no-peak</c>: skip the FMA peak (NaN in the report). The instruction-sets mode passes it with
    /// DOTNET_EnableHWIntrinsic=0, where the peak loop runs on software vectors for minutes and measures nothing useful.
    /// </summary>
    private static bool _noPeak;

    /// <summary>
    /// Writes {"kind":"level", the vector widths this process accelerates}, {"kind":"peak", threads, gflops} per
    /// thread count (the FMA peak this mode measured, at the widest width this process runs) and {"kind":"gemm",
    /// shape, threads, gflops (median call), best_gflops} per measured product.
    /// </summary>
    private static void WriteJson(Dictionary<int, double> peaks, Dictionary<(string, int), Timing> ours, Shape[] shapes)
    {
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            kind = "level",
            vector512 = Vector512.IsHardwareAccelerated,
            vector256 = Vector256.IsHardwareAccelerated,
            vector128 = Vector128.IsHardwareAccelerated,
            fma = Fma.IsSupported,
            kernel = Gemm.UseKernel,
        }));
        foreach (var (threads, gflops) in peaks.Where(p => double.IsFinite(p.Value)))
        {
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "peak", threads, gflops }));
        }

        foreach (var ((key, threads), t) in ours)
        {
            var s = shapes.First(x => x.Key == key);
            Console.WriteLine(JsonSerializer.Serialize(new { kind = "gemm", shape = key, threads, gflops = s.Flops / t.Median / 1e9, best_gflops = s.Flops / t.Min / 1e9 }));
        }
    }
}
