using System.Text.Json;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

/// <summary>
/// nn.LayerNorm and nn.MultiheadAttention (batch_first) from PyTorch 1.13: Golden/attention-torch.json, made by
/// tools/make_golden_attention.py (float32 draws, float64 results). Our float32 forward and backward must match
/// within float32 accuracy: |ours − torch| ≤ 2e-6 · max(1, |torch|) (the worst seen is recorded in the notes).
/// </summary>
public sealed class AttentionGoldenTests
{
    private const double Tolerance = 2e-6;

    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "attention-torch.json"))));

    public static TheoryData<int> LayerNormCases() => Indices("layernorm");

    public static TheoryData<int> AttentionCases() => Indices("attention");

    [Theory]
    [MemberData(nameof(LayerNormCases))]
    public void LayerNorm_matches_pytorch_forward_and_backward(int index)
    {
        var c = Document.Value.RootElement.GetProperty("layernorm")[index];
        int[] shape = Ints(c.GetProperty("shape"));
        var layer = new LayerNorm();
        layer.Build(new TensorShape(shape[1..]), Initializer.Auto, new Random(1));
        Floats(c, "weight").CopyTo(layer.Gamma.Value.Span);
        Floats(c, "bias").CopyTo(layer.Beta.Value.Span);
        var x = Tensor.FromArray(Floats(c, "input"), shape);
        AssertClose(c, "output", layer.Forward(x, training: true).Span);
        var dx = layer.Backward(Tensor.FromArray(Floats(c, "upstream"), shape));
        AssertClose(c, "input_gradient", dx.Span);
        AssertClose(c, "weight_gradient", layer.Gamma.Gradient.Span);
        AssertClose(c, "bias_gradient", layer.Beta.Gradient.Span);
    }

    [Theory]
    [MemberData(nameof(AttentionCases))]
    public void MultiHeadAttention_matches_pytorch_forward_and_backward(int index)
    {
        var c = Document.Value.RootElement.GetProperty("attention")[index];
        int[] shape = Ints(c.GetProperty("shape"));
        int n = shape[0], t = shape[1], heads = c.GetProperty("heads").GetInt32();
        var layer = new MultiHeadAttention(heads, c.GetProperty("causal").GetBoolean());
        layer.Build(new TensorShape(shape[1..]), Initializer.Auto, new Random(1));
        Floats(c, "in_proj_weight").CopyTo(layer.InProjectionWeight.Value.Span);
        Floats(c, "in_proj_bias").CopyTo(layer.InProjectionBias.Value.Span);
        Floats(c, "out_proj_weight").CopyTo(layer.OutProjectionWeight.Value.Span);
        Floats(c, "out_proj_bias").CopyTo(layer.OutProjectionBias.Value.Span);
        var x = Tensor.FromArray(Floats(c, "input"), shape);
        AssertClose(c, "output", layer.Forward(x, training: true).Span);

        // PyTorch returns the attention rows averaged over the heads: [N, T, T].
        var p = layer.AttentionWeights;
        var mean = new float[n * t * t];
        for (int s = 0; s < n; s++)
        {
            for (int a = 0; a < heads; a++)
            {
                for (int e = 0; e < t * t; e++)
                {
                    mean[s * t * t + e] += p[(s * heads + a) * t * t + e] / heads;
                }
            }
        }

        AssertClose(c, "attention_weights_mean_over_heads", mean);
        var dx = layer.Backward(Tensor.FromArray(Floats(c, "upstream"), shape));
        AssertClose(c, "input_gradient", dx.Span);
        AssertClose(c, "in_proj_weight_gradient", layer.InProjectionWeight.Gradient.Span);
        AssertClose(c, "in_proj_bias_gradient", layer.InProjectionBias.Gradient.Span);
        AssertClose(c, "out_proj_weight_gradient", layer.OutProjectionWeight.Gradient.Span);
        AssertClose(c, "out_proj_bias_gradient", layer.OutProjectionBias.Gradient.Span);
    }

    public static TheoryData<int> TransformerCases() => Indices("transformer");

    [Theory]
    [MemberData(nameof(TransformerCases))]
    public void TransformerEncoderBlock_matches_pytorchs_pre_norm_gelu_encoder_layer(int index)
    {
        var c = Document.Value.RootElement.GetProperty("transformer")[index];
        int[] shape = Ints(c.GetProperty("shape"));
        var block = new TransformerEncoderBlock(c.GetProperty("heads").GetInt32(), c.GetProperty("ff").GetInt32(), c.GetProperty("causal").GetBoolean());
        block.Build(new TensorShape(shape[1..]), Initializer.Auto, new Random(1));
        var parameters = c.GetProperty("parameters");
        Assert.Equal(parameters.EnumerateObject().Select(p => p.Name), block.Parameters.Select(p => p.Name));
        foreach (var p in block.Parameters)
        {
            Floats(parameters, p.Name).CopyTo(p.Value.Span);
        }

        var x = Tensor.FromArray(Floats(c, "input"), shape);
        AssertClose(c, "output", block.Forward(x, training: true).Span);
        var dx = block.Backward(Tensor.FromArray(Floats(c, "upstream"), shape));
        AssertClose(c, "input_gradient", dx.Span);
        foreach (var p in block.Parameters)
        {
            AssertClose(c.GetProperty("gradients"), p.Name, p.Gradient.Span);
        }
    }

    private static TheoryData<int> Indices(string section)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Document.Value.RootElement.GetProperty(section).GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static int[] Ints(JsonElement a) => a.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static float[] Floats(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    private static void AssertClose(JsonElement c, string name, ReadOnlySpan<float> actual)
    {
        double[] expected = c.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(1, Math.Abs(expected[i]));
            worst = Math.Max(worst, error);
            Assert.True(error <= Tolerance, $"{name}[{i}]: ours {actual[i]}, PyTorch {expected[i]}");
        }

        Console.WriteLine($"golden {name}: worst scaled error {worst:E2}");
    }
}
