using Nonlinear.Diagnostics;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Diagnostics;

public sealed class LinearCollapseTests
{
    [Theory]
    [InlineData("dense:2,dense:1", 2)]
    [InlineData("dense:16,identity,dense:16,identity,dense:8,dense:3", 5)]
    public void A_deep_linear_network_is_one_affine_map(string spec, int inputs)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(inputs), seed: 3);
        var map = LinearCollapse.Collapse(model);
        Assert.NotNull(map);
        Assert.Equal(inputs, map.Inputs);
        Assert.Equal(model.OutputShape[0], map.Outputs);
        Assert.True(LinearCollapse.MaxDifference(model, map, samples: 1000, seed: 1, scale: 10) < 1e-4);
    }

    [Fact]
    public void A_network_with_a_nonlinearity_does_not_collapse_as_a_whole()
    {
        var model = Sequential.Parse("dense:4,tanh,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        Assert.Null(LinearCollapse.Collapse(model));
    }

    [Fact]
    public void Stretches_of_consecutive_linear_layers_are_found_with_their_shapes()
    {
        var model = Sequential.Parse("dense:8,relu,dense:8,dense:4,identity,dense:2,tanh,dense:1");
        model.Build(new TensorShape(3), seed: 1);
        var stretches = LinearCollapse.Stretches(model);
        Assert.Equal(3, stretches.Count);
        Assert.Equal((1, 1, 1, false, "[8, 3]"), (stretches[0].FirstLayer, stretches[0].LastLayer, stretches[0].DenseLayers, stretches[0].Collapses, stretches[0].Shape));
        Assert.Equal((3, 6, 3, true, "[2, 8]"), (stretches[1].FirstLayer, stretches[1].LastLayer, stretches[1].DenseLayers, stretches[1].Collapses, stretches[1].Shape));
        Assert.Equal((8, 8, 1, false, "[1, 2]"), (stretches[2].FirstLayer, stretches[2].LastLayer, stretches[2].DenseLayers, stretches[2].Collapses, stretches[2].Shape));
    }

    [Fact]
    public void The_map_of_a_2_2_1_network_reads_as_y_equals_w0_plus_w1_x1_plus_w2_x2()
    {
        var model = Sequential.Parse("dense:2,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        var text = LinearCollapse.Collapse(model)!.Format(4);
        Assert.Matches(@"^y = -?[0-9.eE+-]+ [+-] [0-9.eE+-]+·x1 [+-] [0-9.eE+-]+·x2$", text);
    }
}
