using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Layers.Recurrent;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>
/// PyTorch's nn.RNN / nn.LSTM / nn.GRU (batch_first=True) on the same weights and inputs:
/// Golden/recurrent-torch.json, made by tools/make_golden_recurrent.py (format in Golden/README.md), with the fused
/// cell kernels on every vector width the machine can run.
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class RecurrentGoldenTests
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "recurrent-torch.json"))));

    public static TheoryData<int, int> Cases
    {
        get
        {
            var data = new TheoryData<int, int>();
            foreach (int width in Nonlinear.Tests.Activations.KernelSettings.Widths)
            {
                for (int i = 0; i < Document.Value.RootElement.GetProperty("cases").GetArrayLength(); i++)
                {
                    data.Add(i, width);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_backward_match_PyTorch_on_the_same_weights(int index, int width)
        => Nonlinear.Tests.Activations.KernelSettings.WithWidth(width, () => Check(index));

    private static bool Check(int index)
    {
        var c = Document.Value.RootElement.GetProperty("cases")[index];
        var shape = c.GetProperty("shape");
        int n = shape.GetProperty("N").GetInt32(), t = shape.GetProperty("T").GetInt32(), f = shape.GetProperty("F").GetInt32(), h = shape.GetProperty("H").GetInt32();
        bool seq = c.GetProperty("seq").GetBoolean();
        string kind = c.GetProperty("layer").GetString()!;
        RecurrentLayer layer = kind switch
        {
            "rnn" => new Rnn(h, ActivationRegistry.Parse(c.GetProperty("activation").GetString()!), seq),
            "lstm" => new Lstm(h, seq),
            "gru" => new Gru(h, seq),
            _ => throw new InvalidDataException(kind),
        };
        var model = new Sequential([layer]);
        model.Build(new TensorShape(t, f), seed: 1);
        var weights = c.GetProperty("weights");
        Floats(weights.GetProperty("weight_ih")).CopyTo(layer.WeightIh.Value.Span);
        Floats(weights.GetProperty("weight_hh")).CopyTo(layer.WeightHh.Value.Span);
        Floats(weights.GetProperty("bias_ih")).CopyTo(layer.BiasIh.Value.Span);
        Floats(weights.GetProperty("bias_hh")).CopyTo(layer.BiasHh.Value.Span);

        var x = Tensor.FromArray(Floats(c.GetProperty("input")), n, t, f);
        var y = model.Forward(x, training: true);
        string what = $"{kind}{(seq ? ":seq" : "")}";
        Near(Floats(c.GetProperty("output")), y.Span, $"{what} output");

        var upstream = Tensor.FromArray(Floats(c.GetProperty("upstream")), y.Shape.ToArray());
        model.ZeroGradients();
        var dx = model.Backward(upstream);
        Near(Floats(c.GetProperty("input_gradient")), dx.Span, $"{what} dL/dx");
        var grads = c.GetProperty("gradients");
        Near(Floats(grads.GetProperty("weight_ih")), layer.WeightIh.Gradient.Span, $"{what} dL/dweight_ih");
        Near(Floats(grads.GetProperty("weight_hh")), layer.WeightHh.Gradient.Span, $"{what} dL/dweight_hh");
        Near(Floats(grads.GetProperty("bias_ih")), layer.BiasIh.Gradient.Span, $"{what} dL/dbias_ih");
        Near(Floats(grads.GetProperty("bias_hh")), layer.BiasHh.Gradient.Span, $"{what} dL/dbias_hh");
        return true;
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    // float32 through a few dozen operations and T steps of recurrence: a relative 1e-5 with an absolute floor of 1e-5.
    private static void Near(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: PyTorch {expected[i]}, ours {actual[i]}");
        }
    }
}
