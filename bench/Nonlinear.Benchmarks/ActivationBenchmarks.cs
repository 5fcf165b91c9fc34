using BenchmarkDotNet.Attributes;
using Nonlinear.Activations;

namespace Nonlinear.Benchmarks;

/// <summary>
/// Per-kernel BenchmarkDotNet benchmarks (single thread unless <see cref="Threads"/> says otherwise), for
/// detailed work on one kernel: <c>-- bdn --filter '*ActivationBenchmarks*'</c>. The side-by-side report
/// (<see cref="SideBySide"/>) is the one that compares with PyTorch.
/// </summary>
[MemoryDiagnoser]
public class ActivationBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];
    private float[] _dy = [];
    private float[] _dx = [];
    private Activation _activation = null!;
    private int _rowLength;

    /// <summary>Activation spec (softmax rows are 1000 long).</summary>
    [Params("relu", "sigmoid", "gelu", "silu", "softmax")]
    public string Spec { get; set; } = "relu";

    /// <summary>Number of floats.</summary>
    [Params(4096, 1 << 20)]
    public int N { get; set; }

    /// <summary>Engine.MaxThreads.</summary>
    [Params(1)]
    public int Threads { get; set; } = 1;

    /// <summary>Allocates and fills the buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        Engine.MaxThreads = Threads;
        _activation = ActivationRegistry.Parse(Spec);
        _rowLength = _activation.IsRowWise ? 1000 : N;
        int n = _activation.IsRowWise ? N / 1000 * 1000 : N;
        _x = new float[n];
        Buffers.FillNormal(_x, seed: 0);
        _y = new float[n];
        _dy = new float[n];
        _dy.AsSpan().Fill(1f);
        _dx = new float[n];
        _activation.Forward(_x, _y, _rowLength);
    }

    /// <summary>The memory-copy baseline (x to y).</summary>
    [Benchmark(Baseline = true)]
    public void Copy() => _x.AsSpan().CopyTo(_y);

    /// <summary>y = f(x).</summary>
    [Benchmark]
    public void Forward() => _activation.Forward(_x, _y, _rowLength);

    /// <summary>dx from the saved x or y and dy = 1.</summary>
    [Benchmark]
    public void Backward() => _activation.Backward(_x, _y, _dy, _dx, _rowLength);
}
