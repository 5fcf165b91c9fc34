using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class GemmTests
{
    private static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    private static double[] Reference(float[] a, float[] b, float[]? c0, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = c0 is null ? 0 : c0[i * n + j];
                for (int p = 0; p < k; p++)
                {
                    s += (double)a[i * k + p] * b[p * n + j];
                }

                c[i * n + j] = s;
            }
        }

        return c;
    }

    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 6, 3, 32 }, { 7, 5, 33 }, { 13, 17, 10 }, { 128, 64, 256 }, { 128, 256, 10 },
        { 5, 784, 31 }, { 64, 2, 65 }, { 300, 40, 96 }, { 12, 0, 8 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_match_float64_on_every_path_and_thread_count(int m, int k, int n)
    {
        var a = Random(m * k, 1);
        var b = Random(k * n, 2);
        var c0 = Random(m * n, 3);
        var expected = Reference(a, b, null, m, k, n);
        var expectedAdd = Reference(a, b, c0, m, k, n);
        bool kernelBefore = Gemm.UseKernel;
        int threadsBefore = Engine.MaxThreads;
        try
        {
            foreach (bool kernel in new[] { false, System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    Gemm.UseKernel = kernel;
                    Engine.MaxThreads = threads;
                    var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
                    Gemm.MatMul(a, b, c, m, k, n);
                    var cAdd = (float[])c0.Clone();
                    Gemm.MatMulAdd(a, b, cAdd, m, k, n);
                    for (int i = 0; i < c.Length; i++)
                    {
                        double tolerance = 1e-5 * (1 + Math.Sqrt(k));
                        Assert.True(Math.Abs(c[i] - expected[i]) <= tolerance, $"kernel {kernel}, {threads} threads, [{m}x{k}]x[{k}x{n}] C[{i}] = {c[i]}, float64 {expected[i]}");
                        Assert.True(Math.Abs(cAdd[i] - expectedAdd[i]) <= tolerance, $"kernel {kernel}, {threads} threads, accumulate C[{i}] = {cAdd[i]}, float64 {expectedAdd[i]}");
                    }
                }
            }
        }
        finally
        {
            Gemm.UseKernel = kernelBefore;
            Engine.MaxThreads = threadsBefore;
        }
    }

    [Fact]
    public void The_transposed_forms_agree_with_explicit_transposes()
    {
        int m = 9, k = 37, n = 45;
        var a = Random(m * k, 4);
        var bt = Random(n * k, 5); // B^T stored [N, K]
        var b = new float[k * n];
        Gemm.Transpose(bt, b, n, k);
        var expected = Reference(a, b, null, m, k, n);
        var c = new float[m * n];
        Gemm.MatMulTransposedB(a, bt, c, m, k, n, new float[k * n]);
        for (int i = 0; i < c.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - c[i]) <= 1e-4, $"C[{i}] = {c[i]}, float64 {expected[i]}");
        }

        // C += A^T B with A stored [K, M].
        var at = Random(k * m, 6);
        var a2 = new float[m * k];
        Gemm.Transpose(at, a2, k, m);
        var b2 = Random(k * n, 7);
        var c0 = Random(m * n, 8);
        var expectedAdd = Reference(a2, b2, c0, m, k, n);
        var cAdd = (float[])c0.Clone();
        Gemm.AddTransposedAB(at, b2, cAdd, k, m, n, new float[m * k]);
        for (int i = 0; i < cAdd.Length; i++)
        {
            Assert.True(Math.Abs(expectedAdd[i] - cAdd[i]) <= 1e-4, $"C[{i}] = {cAdd[i]}, float64 {expectedAdd[i]}");
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void The_general_product_handles_every_transposition(bool transposeA, bool transposeB)
    {
        foreach (var (m, k, n) in new[] { (9, 37, 45), (1, 1, 1), (64, 300, 70), (130, 9, 33) })
        {
            var a = Random(m * k, 11); // op(A) [M, K]
            var b = Random(k * n, 12); // op(B) [K, N]
            var storedA = a;
            if (transposeA)
            {
                storedA = new float[m * k];
                Gemm.Transpose(a, storedA, m, k);
            }

            var storedB = b;
            if (transposeB)
            {
                storedB = new float[k * n];
                Gemm.Transpose(b, storedB, k, n);
            }

            var c0 = Random(m * n, 13);
            foreach (bool accumulate in new[] { false, true })
            {
                var expected = Reference(a, b, accumulate ? c0 : null, m, k, n);
                var c = accumulate ? (float[])c0.Clone() : Enumerable.Repeat(float.NaN, m * n).ToArray();
                Gemm.Product(storedA, transposeA, storedB, transposeB, c, m, k, n, accumulate);
                for (int i = 0; i < c.Length; i++)
                {
                    Assert.True(Math.Abs(expected[i] - c[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"[{m}x{k}x{n}] C[{i}] = {c[i]}, float64 {expected[i]}");
                }
            }
        }
    }

    [Fact]
    public void Non_finite_values_propagate()
    {
        var a = new float[] { 0, 1 };
        var b = new float[] { float.PositiveInfinity, 2 };
        var c = new float[1];
        Gemm.MatMul(a, b, c, 1, 2, 1);
        Assert.True(float.IsNaN(c[0]), "0 * inf must give NaN, never be skipped");
    }
}
