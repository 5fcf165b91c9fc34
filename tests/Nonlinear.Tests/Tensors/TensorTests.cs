using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Tensors;

public sealed class TensorTests
{
    [Fact]
    public void A_tensor_is_row_major_and_batch_first()
    {
        var t = new Tensor(2, 3);
        t[1, 2] = 5f;
        Assert.Equal(5f, t.Span[5]);
        Assert.Equal(2, t.BatchSize);
        Assert.Equal(3, t.SampleLength);
        Assert.Equal(5f, t.Row(1)[2]);
        Assert.Equal("[2, 3]", t.Shape.ToString());
    }

    [Fact]
    public void Reshape_shares_storage()
    {
        var t = new Tensor(2, 2, 3);
        var r = t.Reshape(4, 3);
        r[3, 2] = 7f;
        Assert.Equal(7f, t[1, 1, 2]);
        Assert.Throws<ArgumentException>(() => t.Reshape(5, 3));
    }

    [Fact]
    public void Bad_shapes_and_indices_are_rejected_with_the_shape_named()
    {
        Assert.Contains("-1", Assert.Throws<ArgumentException>(() => new Tensor(2, -1)).Message);
        Assert.Throws<ArgumentException>(() => new Tensor(1 << 16, 1 << 16));
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], 2, 3));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Throws<IndexOutOfRangeException>(() => new Tensor(2, 3)[2, 0]);
    }

    [Fact]
    public void Shapes_compare_by_value()
    {
        Assert.Equal(new TensorShape(2, 3), new TensorShape(2, 3));
        Assert.NotEqual(new TensorShape(2, 3), new TensorShape(3, 2));
    }
}
