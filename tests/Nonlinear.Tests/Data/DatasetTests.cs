using Nonlinear.Data;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Data;

public sealed class DatasetTests
{
    [Fact]
    public void A_dataset_reports_its_count_feature_shape_and_classes()
    {
        var d = new Dataset("img", new Tensor(5, 3, 4, 4), new Tensor(5), TaskKind.Multiclass, classNames: ["a", "b", "c"]);
        Assert.Equal(5, d.Count);
        Assert.Equal(new TensorShape(3, 4, 4), d.FeatureShape);
        Assert.Equal(3, d.ClassCount);
        Assert.Equal(["a", "b", "c"], d.ClassNames!);

        Assert.Equal(2, new Dataset("b", new Tensor(2, 2), new Tensor(2, 1), TaskKind.Binary).ClassCount);
        Assert.Equal(0, new Dataset("r", new Tensor(2, 2), new Tensor(2, 3), TaskKind.Regression).ClassCount);
    }

    [Fact]
    public void A_nan_feature_is_rejected_naming_the_sample_and_feature()
    {
        var x = new Tensor(3, 2);
        x[2, 1] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => new Dataset("d", x, new Tensor(3, 1), TaskKind.Binary));
        Assert.Contains("Feature 1 of sample 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_label_of_3_in_a_binary_set_is_rejected_naming_the_row_and_the_allowed_values()
    {
        var y = Tensor.FromArray([0, 1, 3, 0], 4, 1);
        var e = Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(4, 2), y, TaskKind.Binary));
        Assert.Contains("sample 2 is 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("0 or 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void A_multiclass_label_that_is_not_a_class_index_is_rejected(float label)
    {
        var y = Tensor.FromArray([0, 1, label], 3);
        var e = Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(3, 2), y, TaskKind.Multiclass, 3));
        Assert.Contains("sample 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("0..2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mismatched_sample_counts_are_rejected_naming_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(4, 2), new Tensor(3, 1), TaskKind.Binary));
        Assert.Contains("[4, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[3, 1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Targets_of_the_wrong_shape_for_the_task_are_rejected()
    {
        Assert.Contains("[N, 1]", Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(3, 2), new Tensor(3), TaskKind.Binary)).Message, StringComparison.Ordinal);
        Assert.Contains("[N]", Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(3, 2), new Tensor(3, 1), TaskKind.Multiclass, 2)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(3), new Tensor(3, 1), TaskKind.Binary));
        Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(3, 2), new Tensor(3), TaskKind.Multiclass));
        Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(3, 2), new Tensor(3, 1), TaskKind.Binary, classCount: 3));
        Assert.Throws<ArgumentException>(() => new Dataset("d", new Tensor(3, 2), new Tensor(3), TaskKind.Multiclass, 3, ["a", "b"]));
    }

    [Fact]
    public void Subset_copies_the_chosen_rows_in_order()
    {
        var d = Numbered(5);
        var s = d.Subset([4, 1, 1]);
        Assert.Equal(3, s.Count);
        Assert.Equal([40f, 41f, 10f, 11f, 10f, 11f], s.Features.Span.ToArray());
        Assert.Equal([4f, 1f, 1f], s.Targets.Span.ToArray());

        s.Features.Span[0] = -1;
        Assert.Equal(40f, d.Features[4, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Subset([5]));
    }

    [Theory]
    [InlineData(100, 0.2, 80, 20)]
    [InlineData(10, 0.25, 7, 3)]
    [InlineData(3, 0.01, 2, 1)]
    [InlineData(3, 0.99, 1, 2)]
    public void Split_sizes_follow_the_fraction_and_neither_part_is_empty(int n, double fraction, int first, int second)
    {
        var (a, b) = Numbered(n).Split(fraction, seed: 1);
        Assert.Equal(first, a.Count);
        Assert.Equal(second, b.Count);
    }

    [Fact]
    public void Split_parts_are_disjoint_cover_the_data_and_depend_only_on_the_seed()
    {
        var d = Numbered(50);
        var (a, b) = d.Split(0.3, seed: 9);
        var ids = a.Targets.Span.ToArray().Concat(b.Targets.Span.ToArray()).Select(v => (int)v).ToArray();
        Assert.Equal(Enumerable.Range(0, 50), ids.Order());
        Assert.NotEqual(Enumerable.Range(0, 35).Select(i => (float)i), a.Targets.Span.ToArray());

        // Features travel with their targets.
        for (int i = 0; i < b.Count; i++)
        {
            Assert.Equal(b.Targets.Span[i] * 10, b.Features[i, 0]);
        }

        var (a2, _) = d.Split(0.3, seed: 9);
        var (a3, _) = d.Split(0.3, seed: 10);
        Assert.Equal(a.Targets.Span.ToArray(), a2.Targets.Span.ToArray());
        Assert.NotEqual(a.Targets.Span.ToArray(), a3.Targets.Span.ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Split_rejects_a_fraction_outside_the_open_unit_interval(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbered(10).Split(fraction, 1));
    }

    // Sample i has features (10 i, 10 i + 1) and regression target i, so every value identifies its row.
    internal static Dataset Numbered(int n)
    {
        var x = new Tensor(n, 2);
        var y = new Tensor(n, 1);
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = 10 * i;
            x[i, 1] = 10 * i + 1;
            y[i, 0] = i;
        }

        return new Dataset("numbered", x, y, TaskKind.Regression);
    }
}
