using Nonlinear.Data.Sequences;
using Nonlinear.Losses;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Losses;

public sealed class SequenceCrossEntropyTests
{
    private const int N = 2, T = 4, K = 5;

    // Targets with padding: 3 and 2 real steps.
    private static readonly float[] Labels = [3, 0, 4, -1, 1, 2, -1, -1];

    private static Tensor Logits()
    {
        var z = new Tensor(N, T, K);
        for (int i = 0; i < z.Length; i++)
        {
            z.Span[i] = (float)(Math.Sin(1.3 * i) * 3);
        }

        return z;
    }

    /// <summary>The loss in float64 from the float logits, as the reference for values and central differences.</summary>
    private static double Reference(double[] z)
    {
        double sum = 0;
        int real = 0;
        for (int i = 0; i < N * T; i++)
        {
            if (Labels[i] < 0)
            {
                continue;
            }

            double max = double.NegativeInfinity;
            for (int k = 0; k < K; k++)
            {
                max = Math.Max(max, z[(i * K) + k]);
            }

            double s = 0;
            for (int k = 0; k < K; k++)
            {
                s += Math.Exp(z[(i * K) + k] - max);
            }

            sum -= z[(i * K) + (int)Labels[i]] - max - Math.Log(s);
            real++;
        }

        return sum / real;
    }

    [Fact]
    public void Matches_pytorch_cross_entropy_with_ignore_index()
    {
        // /usr/bin/python3, torch 1.13, float64: z = 3 sin(1.3 i) reshaped [2, 4, 5], t = [[3, 0, 4, -1], [1, 2, -1, -1]],
        // F.cross_entropy(z.reshape(-1, 5), t.reshape(-1), ignore_index=-1) and its gradient.
        const double TorchLoss = 3.6300134323770705;
        double[] torchGradient =
        [
            0.008368852437648656, 0.15068496412978272, 0.03929199805622216, -0.19893686903674693, 0.0005910544130933427,
            -0.1845578491695214, 0.1619634851062976, 0.021094998198389742, 0.0006758808106214612, 0.0008234850542125876,
            0.028867151390636777, 0.15798800318362924, 0.011307476736327208, 0.0005040051311546019, -0.19866663644174784,
            0, 0, 0, 0, 0,
            0.08651295690652622, -0.09493254800130711, 0.0033628840581938825, 0.0004391710747590685, 0.004617535961827922,
            0.12166741143026494, 0.06742685321448598, -0.19817625285506352, 0.0004769799808614255, 0.008605008229451169,
            0, 0, 0, 0, 0,
            0, 0, 0, 0, 0,
        ];
        var z = Logits();
        var g = new Tensor(z.Shape);
        double loss = Loss.Parse("sequence_cross_entropy").Compute(z, Tensor.FromArray(Labels, N, T), g);
        Assert.Equal(TorchLoss, loss, 5);   // float32 logits against float64
        for (int i = 0; i < g.Length; i++)
        {
            Assert.True(Math.Abs(torchGradient[i] - g.Span[i]) < 1e-6, $"dL/dz[{i}]: {g.Span[i]}, PyTorch {torchGradient[i]}");
        }
    }

    [Fact]
    public void The_gradient_matches_central_differences_in_float64_and_padding_gets_none()
    {
        var z = Logits();
        var g = new Tensor(z.Shape);
        double loss = new SequenceCrossEntropy().Compute(z, Tensor.FromArray(Labels, N, T), g);
        var zd = z.Span.ToArray().Select(v => (double)v).ToArray();
        Assert.Equal(Reference(zd), loss, 6);
        const double h = 1e-5;
        for (int i = 0; i < zd.Length; i++)
        {
            double saved = zd[i];
            zd[i] = saved + h;
            double plus = Reference(zd);
            zd[i] = saved - h;
            double minus = Reference(zd);
            zd[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - g.Span[i]) < 1e-6, $"dL/dz[{i}]: {g.Span[i]}, central differences {numeric}");
            if (Labels[i / K] < 0)
            {
                Assert.Equal(0f, g.Span[i]);
            }
        }
    }

    [Fact]
    public void Padded_steps_change_nothing_whatever_their_logits()
    {
        var z = Logits();
        var y = Tensor.FromArray(Labels, N, T);
        var g1 = new Tensor(z.Shape);
        var g2 = new Tensor(z.Shape);
        var loss = new SequenceCrossEntropy();
        double a = loss.Compute(z, y, g1);
        for (int k = 0; k < K; k++)
        {
            z[1, 3, k] = 1e4f * (k - 2);   // a padded step
        }

        double b = loss.Compute(z, y, g2);
        Assert.Equal(a, b);
        Assert.Equal(g1.Span.ToArray(), g2.Span.ToArray());
    }

    [Fact]
    public void It_takes_word_batches_as_they_are()
    {
        var batch = new WordBatch(["cat", "a", "horse"]);
        var z = new Tensor(batch.Count, batch.Steps, CharacterVocabulary.SymbolCount);   // uniform predictions
        var g = new Tensor(z.Shape);
        double loss = new SequenceCrossEntropy().Compute(z, batch.Targets, g);
        Assert.Equal(Math.Log(27), loss, 6);   // ln 27 nats per character
        Assert.Equal(WordBatch.Padding, SequenceCrossEntropy.IgnoreIndex);
    }

    [Fact]
    public void Bad_targets_and_shapes_are_named()
    {
        var loss = new SequenceCrossEntropy();
        var z = new Tensor(1, 2, 3);
        var g = new Tensor(1, 2, 3);
        Assert.Contains("step 1 has target 3", Assert.Throws<ArgumentException>(() => loss.Compute(z, Tensor.FromArray([0f, 3], 1, 2), g)).Message, StringComparison.Ordinal);
        Assert.Contains("step 0 has target -2", Assert.Throws<ArgumentException>(() => loss.Compute(z, Tensor.FromArray([-2f, 0], 1, 2), g)).Message, StringComparison.Ordinal);
        Assert.Contains("every step", Assert.Throws<ArgumentException>(() => loss.Compute(z, Tensor.FromArray([-1f, -1], 1, 2), g)).Message, StringComparison.Ordinal);
        Assert.Contains("[1, 2]", Assert.Throws<ArgumentException>(() => loss.Compute(z, new Tensor(2), g)).Message, StringComparison.Ordinal);
        Assert.Contains("[N, T, K]", Assert.Throws<ArgumentException>(() => loss.Compute(new Tensor(2, 3), new Tensor(2), new Tensor(2, 3))).Message, StringComparison.Ordinal);
        Assert.IsType<SequenceCrossEntropy>(Loss.Parse("masked_cross_entropy"));
    }
}
