using System.Text.Json;
using Nonlinear.Losses;
using Nonlinear.Tensors;
using Nonlinear.Tests.Activations;
using Xunit;

namespace Nonlinear.Tests.Losses;

/// <summary>
/// Every entry of <c>losses</c> in Golden/activations-torch.json: PyTorch's float64 value and gradient on the
/// same float32 inputs.
/// </summary>
/// <remarks>
/// Tolerances: value 1e-6 relative (we accumulate in double, but the log-probabilities are float32, ~6e-8 relative
/// each); gradient 1e-6 absolute + 1e-5 relative (float32 results; the absolute part covers entries such as
/// softmax probabilities of 1e-39 that float32 flushes or rounds coarsely).
/// </remarks>
public sealed class GoldenLossTests
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Golden.Root.GetProperty("losses").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Losses_match_PyTorch_on_the_golden_cases(int index)
    {
        var entry = Golden.Root.GetProperty("losses")[index];
        string name = entry.GetProperty("loss").GetString()!;
        var loss = Loss.Parse(name);
        var (predictions, targets, expectedGradient) = name switch
        {
            "softmax_cross_entropy" => (ToTensor(entry.GetProperty("logits")), ToTensor(entry.GetProperty("labels")), entry.GetProperty("logits_gradient")),
            "binary_cross_entropy_with_logits" => (ToTensor(entry.GetProperty("logits")), ToTensor(entry.GetProperty("targets")), entry.GetProperty("logits_gradient")),
            "mean_squared_error" => (ToTensor(entry.GetProperty("predictions")), ToTensor(entry.GetProperty("targets")), entry.GetProperty("predictions_gradient")),
            _ => throw new InvalidOperationException($"Unknown golden loss {name}."),
        };

        var gradient = new Tensor(predictions.Shape);
        gradient.Fill(float.NaN); // must be overwritten, not accumulated into
        double value = loss.Compute(predictions, targets, gradient);

        double expected = entry.GetProperty("value").GetDouble();
        Assert.True(Math.Abs(value - expected) <= 1e-6 * Math.Abs(expected), $"{name} case {index}: loss {value:R}, PyTorch {expected:R}.");
        var g = Flatten(expectedGradient);
        Assert.Equal(g.Length, gradient.Length);
        for (int i = 0; i < g.Length; i++)
        {
            float actual = gradient.Span[i];
            Assert.True(Math.Abs(actual - g[i]) <= 1e-6 + (1e-5 * Math.Abs(g[i])), $"{name} case {index}: gradient[{i}] = {actual:R}, PyTorch {g[i]:R}.");
        }
    }

    [Fact]
    public void The_golden_file_covers_all_three_losses()
    {
        var names = Golden.Root.GetProperty("losses").EnumerateArray().Select(e => e.GetProperty("loss").GetString()).ToHashSet();
        Assert.Equal(["binary_cross_entropy_with_logits", "mean_squared_error", "softmax_cross_entropy"], names.Order());
    }

    /// <summary>A flat or nested JSON array as a tensor of its shape ([N] or [N, K]).</summary>
    private static Tensor ToTensor(JsonElement array)
    {
        var data = Flatten(array).Select(v => (float)v).ToArray();
        return array[0].ValueKind == JsonValueKind.Array
            ? Tensor.FromArray(data, array.GetArrayLength(), array[0].GetArrayLength())
            : Tensor.FromArray(data, data.Length);
    }

    private static double[] Flatten(JsonElement array) => array[0].ValueKind == JsonValueKind.Array
        ? array.EnumerateArray().SelectMany(Golden.Numbers).ToArray()
        : Golden.Numbers(array);
}
