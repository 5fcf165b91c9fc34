using Nonlinear.Losses;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Losses;

/// <summary>Stability, equivalences, parsing and argument validation of the losses.</summary>
public sealed class LossBehaviourTests
{
    [Fact]
    public void Softmax_cross_entropy_is_finite_and_exact_for_huge_logits()
    {
        var logits = Tensor.FromArray([1e4f, -1e4f, 0f, -1e4f, 1e4f, 1e4f], 2, 3);
        var labels = Tensor.FromArray([1f, 0f], 2);
        var gradient = new Tensor(2, 3);
        double value = new SoftmaxCrossEntropy().Compute(logits, labels, gradient);

        // Row 0: -log_softmax_1 = 1e4 - (-1e4) = 2e4; row 1 (two tied maxima): -log_softmax_0 = 2e4 + ln 2.
        // Tolerance: the float32 ulp of 2e4 is 2e-3.
        Assert.Equal(2e4 + (Math.Log(2) / 2), value, 4e-3);
        Assert.All(gradient.Span.ToArray(), g => Assert.True(float.IsFinite(g)));
        Assert.Equal([0.5f, -0.5f, 0f, -0.5f, 0.25f, 0.25f], gradient.Span.ToArray());
    }

    [Fact]
    public void Binary_cross_entropy_with_logits_is_finite_and_exact_for_huge_logits()
    {
        var logits = Tensor.FromArray([1e4f, -1e4f, 1e4f, -1e4f], 4);
        var targets = Tensor.FromArray([0f, 1f, 1f, 0f], 4);
        var gradient = new Tensor(4);
        double value = new BinaryCrossEntropyWithLogits().Compute(logits, targets, gradient);
        Assert.Equal(1e4 / 2, value, 1e-9);
        Assert.Equal([0.25f, -0.25f, 0f, 0f], gradient.Span.ToArray());
    }

    [Fact]
    public void Binary_cross_entropy_keeps_the_tiny_loss_of_a_confident_correct_logit()
    {
        // ln(1 + e^-40) = 4.25e-18: naively ln(1 + x) rounds 1 + x to 1 and gives 0.
        var gradient = new Tensor(1);
        double value = new BinaryCrossEntropyWithLogits().Compute(Tensor.FromArray([40f], 1), Tensor.FromArray([1f], 1), gradient);
        Assert.Equal(Math.Exp(-40), value, Math.Exp(-40) * 1e-12);
    }

    [Fact]
    public void Class_index_and_one_hot_targets_give_the_same_loss_and_gradient()
    {
        var rng = new Random(11);
        var logits = new Tensor(6, 5);
        foreach (ref float v in logits.Span)
        {
            v = (float)(rng.NextDouble() * 10 - 5);
        }

        var labels = new Tensor(6);
        var oneHot = new Tensor(6, 5);
        for (int r = 0; r < 6; r++)
        {
            int c = rng.Next(5);
            labels.Span[r] = c;
            oneHot[r, c] = 1;
        }

        var loss = new SoftmaxCrossEntropy();
        var g1 = new Tensor(6, 5);
        var g2 = new Tensor(6, 5);
        double v1 = loss.Compute(logits, labels, g1);
        double v2 = loss.Compute(logits, oneHot, g2);
        Assert.Equal(v1, v2, 1e-12);
        for (int i = 0; i < g1.Length; i++)
        {
            Assert.Equal(g1.Span[i], g2.Span[i], 1e-7f);
        }
    }

    [Fact]
    public void A_zero_target_weight_on_a_minus_infinity_logit_contributes_nothing()
    {
        var logits = Tensor.FromArray([float.NegativeInfinity, 1f, 2f], 1, 3);
        var targets = Tensor.FromArray([0f, 0.5f, 0.5f], 1, 3);
        double value = new SoftmaxCrossEntropy().Compute(logits, targets, new Tensor(1, 3));
        double lse = Math.Log(Math.Exp(1) + Math.Exp(2));
        Assert.Equal(lse - 1.5, value, 1e-6);
    }

    [Fact]
    public void Mean_squared_error_pairs_elements_of_equal_count_without_broadcasting()
    {
        var predictions = Tensor.FromArray([1f, 2f, 3f], 3, 1);
        var targets = Tensor.FromArray([1f, 0f, 0f], 3);
        var gradient = new Tensor(3, 1);
        double value = new MeanSquaredError().Compute(predictions, targets, gradient);
        Assert.Equal((0 + 4 + 9) / 3.0, value, 1e-12);
        Assert.Equal([0f, 4f / 3, 2f], gradient.Span.ToArray());
    }

    [Theory]
    [InlineData("mse", "mse")]
    [InlineData("MEAN_SQUARED_ERROR", "mse")]
    [InlineData("bce_logits", "bce_logits")]
    [InlineData("binary_cross_entropy_with_logits", "bce_logits")]
    [InlineData("cross_entropy", "cross_entropy")]
    [InlineData("softmax_cross_entropy", "cross_entropy")]
    [InlineData("CrossEntropy", "cross_entropy")]
    public void Parse_accepts_the_names_and_aliases(string name, string canonical) => Assert.Equal(canonical, Loss.Parse(name).Name);

    [Fact]
    public void Parse_rejects_an_unknown_name_listing_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.Parse("hinge"));
        Assert.Contains("'hinge'", e.Message, StringComparison.Ordinal);
        Assert.Contains("mse", e.Message, StringComparison.Ordinal);
        Assert.Contains("bce_logits", e.Message, StringComparison.Ordinal);
        Assert.Contains("cross_entropy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_errors_name_the_expected_and_found_shapes()
    {
        var e1 = Assert.Throws<ArgumentException>(() => new MeanSquaredError().Compute(new Tensor(4, 2), new Tensor(4, 3), new Tensor(4, 2)));
        Assert.Contains("[4, 2]", e1.Message, StringComparison.Ordinal);
        Assert.Contains("[4, 3]", e1.Message, StringComparison.Ordinal);

        var e2 = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Compute(new Tensor(4, 3), new Tensor(5), new Tensor(4, 3)));
        Assert.Contains("[4]", e2.Message, StringComparison.Ordinal);
        Assert.Contains("[5]", e2.Message, StringComparison.Ordinal);

        var e3 = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropyWithLogits().Compute(new Tensor(4, 3), new Tensor(4, 3), new Tensor(3, 4)));
        Assert.Contains("[4, 3]", e3.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 4]", e3.Message, StringComparison.Ordinal);

        var e4 = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Compute(new Tensor(2, 3, 4), new Tensor(2), new Tensor(2, 3, 4)));
        Assert.Contains("[N, K]", e4.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 3, 4]", e4.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => new MeanSquaredError().Compute(new Tensor(0, 2), new Tensor(0, 2), new Tensor(0, 2)));
    }

    [Theory]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Cross_entropy_rejects_a_label_that_is_not_a_class_index_naming_the_row(float label)
    {
        var labels = Tensor.FromArray([0f, 2f, label], 3);
        var e = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Compute(new Tensor(3, 3), labels, new Tensor(3, 3)));
        Assert.Contains("row 2", e.Message, StringComparison.Ordinal);
        Assert.Contains(label.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_outside_their_range_are_rejected()
    {
        var e1 = Assert.Throws<ArgumentException>(() => new BinaryCrossEntropyWithLogits().Compute(new Tensor(2), Tensor.FromArray([0f, 1.5f], 2), new Tensor(2)));
        Assert.Contains("element 1", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => new SoftmaxCrossEntropy().Compute(new Tensor(2, 2), Tensor.FromArray([1f, 0f, -0.5f, 1.5f], 2, 2), new Tensor(2, 2)));
        Assert.Contains("row 1, class 0", e2.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mse")]
    [InlineData("bce_logits")]
    [InlineData("cross_entropy_indices")]
    [InlineData("cross_entropy_one_hot")]
    public void Compute_allocates_nothing_once_warm(string setup)
    {
        var (loss, predictions, targets) = LossGradientTests.Make(setup, new Random(5));
        var gradient = new Tensor(predictions.Shape);
        loss.Compute(predictions, targets, gradient);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            loss.Compute(predictions, targets, gradient);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
