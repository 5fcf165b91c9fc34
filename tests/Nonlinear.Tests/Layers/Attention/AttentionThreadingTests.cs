using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

/// <summary>
/// The split of attention's (sample, head) pairs and of layer normalisation's rows over the worker team: the same
/// numbers as one thread (the gradient-check tests run on one thread, since their inputs are below the thresholds).
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class AttentionThreadingTests
{
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Attention_pairs_split_over_threads_give_what_one_thread_gives_bit_for_bit(bool causal, bool scaled)
    {
        // 5 samples x 3 heads = 15 pairs: uneven ranges for 2 and 3 parts; T = 19 covers the 16 + 8 column paths.
        var x = FiniteDifferences.RandomInput(3, 5, 19, 12);
        var dy = FiniteDifferences.RandomInput(4, 5, 19, 12);
        (float[] Y, float[] Dx, float[] P, float[] DScores, float[][] Gradients) Run(int threads, long parallelWork)
        {
            int beforeThreads = Engine.MaxThreads;
            long beforeWork = MultiHeadAttention.HeadParallelWork;
            try
            {
                Engine.MaxThreads = threads;
                MultiHeadAttention.HeadParallelWork = parallelWork;
                var layer = new MultiHeadAttention(3, causal, scaled);
                layer.Build(new TensorShape(19, 12), Initializer.Auto, new Random(1));
                var y = layer.Forward(x, training: true).Span.ToArray();
                var dx = layer.Backward(dy).Span.ToArray();
                return (y, dx, layer.AttentionWeights.ToArray(), layer.ScoreGradients.ToArray(),
                        [.. layer.Parameters.Select(p => p.Gradient.Span.ToArray())]);
            }
            finally
            {
                Engine.MaxThreads = beforeThreads;
                MultiHeadAttention.HeadParallelWork = beforeWork;
            }
        }

        var one = Run(1, long.MaxValue);
        foreach (int threads in new[] { 2, 3 })
        {
            var split = Run(threads, 0);
            Assert.Equal(one.Y, split.Y);
            Assert.Equal(one.Dx, split.Dx);
            Assert.Equal(one.P, split.P);
            Assert.Equal(one.DScores, split.DScores);
            for (int i = 0; i < one.Gradients.Length; i++)
            {
                Assert.Equal(one.Gradients[i], split.Gradients[i]);
            }
        }
    }

    [Fact]
    public void Layer_norm_rows_split_over_threads_give_what_one_thread_gives()
    {
        // D = 21: two whole vectors and a scalar tail per row.
        var x = FiniteDifferences.RandomInput(5, 7, 11, 21);
        var dy = FiniteDifferences.RandomInput(6, 7, 11, 21);
        (float[] Y, float[] Dx, float[] DGamma, float[] DBeta) Run(int threads, long parallelElements)
        {
            int beforeThreads = Engine.MaxThreads;
            long beforeElements = LayerNorm.ParallelElements;
            try
            {
                Engine.MaxThreads = threads;
                LayerNorm.ParallelElements = parallelElements;
                var layer = new LayerNorm();
                layer.Build(new TensorShape(11, 21), Initializer.Auto, new Random(1));
                var rng = new Random(2);
                for (int j = 0; j < 21; j++)
                {
                    layer.Gamma.Value.Span[j] = (float)(0.5 + rng.NextDouble());
                    layer.Beta.Value.Span[j] = (float)(rng.NextDouble() - 0.5);
                }

                var y = layer.Forward(x, training: true).Span.ToArray();
                var dx = layer.Backward(dy).Span.ToArray();
                return (y, dx, layer.Gamma.Gradient.Span.ToArray(), layer.Beta.Gradient.Span.ToArray());
            }
            finally
            {
                Engine.MaxThreads = beforeThreads;
                LayerNorm.ParallelElements = beforeElements;
            }
        }

        var one = Run(1, long.MaxValue);
        foreach (int threads in new[] { 2, 3 })
        {
            var split = Run(threads, 0);
            // Rows are computed alike whatever the split; dγ and dβ add per-range sums, so only their rounding differs.
            Assert.Equal(one.Y, split.Y);
            Assert.Equal(one.Dx, split.Dx);
            for (int j = 0; j < 21; j++)
            {
                Assert.Equal(one.DGamma[j], split.DGamma[j], 1e-5 * Math.Max(1, Math.Abs(one.DGamma[j])));
                Assert.Equal(one.DBeta[j], split.DBeta[j], 1e-5 * Math.Max(1, Math.Abs(one.DBeta[j])));
            }
        }
    }
}
