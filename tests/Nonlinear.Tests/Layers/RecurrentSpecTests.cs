using Nonlinear.Layers.Recurrent;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class RecurrentSpecTests
{
    [Theory]
    [InlineData("rnn:8")]
    [InlineData("rnn:8:seq")]
    [InlineData("rnn:8:relu")]
    [InlineData("rnn:8:leaky_relu:0.1:seq")]
    [InlineData("lstm:16")]
    [InlineData("lstm:16:seq")]
    [InlineData("gru:4")]
    [InlineData("gru:4:seq,gru:4,dense:2")]
    public void Canonical_recurrent_specs_round_trip(string spec) => Assert.Equal(spec, Sequential.Parse(spec).Spec);

    [Fact]
    public void Rnn_written_with_tanh_is_the_default()
    {
        var rnn = Assert.IsType<Rnn>(Sequential.Parse("rnn:8:tanh:SEQ").Layers[0]);
        Assert.Equal("rnn:8:seq", rnn.Spec);
        Assert.True(rnn.ReturnSequences);
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("rnn:0")]
    [InlineData("rnn:8:nope")]
    [InlineData("rnn:8:softmax")]
    [InlineData("lstm:8:tanh")]
    [InlineData("gru:x")]
    [InlineData("gru:4:seq:seq")]
    public void Invalid_recurrent_tokens_are_rejected(string spec) => Assert.Throws<ModelSpecException>(() => Sequential.Parse(spec));

    [Theory]
    [InlineData("lstm:6", new[] { 6 })]
    [InlineData("lstm:6:seq", new[] { 5, 6 })]
    [InlineData("gru:3,dense:2", new[] { 2 })]
    public void Output_is_the_last_state_or_every_state(string spec, int[] sample)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(5, 3), seed: 1);
        Assert.Equal(new TensorShape(sample), model.OutputShape);
        Assert.Equal((int[])[2, .. sample], model.Forward(new Tensor(2, 5, 3)).Shape.ToArray());
    }

    [Fact]
    public void Parameters_have_PyTorch_names_and_shapes()
    {
        var model = Sequential.Parse("gru:4");
        model.Build(new TensorShape(7, 3), seed: 1);
        Assert.Equal(["0.weight_ih", "0.weight_hh", "0.bias_ih", "0.bias_hh"], model.ParameterNames);
        Assert.Equal(new TensorShape(12, 3), model.Parameters[0].Value.Shape);
        Assert.Equal(new TensorShape(12, 4), model.Parameters[1].Value.Shape);
        Assert.Equal(new TensorShape(12), model.Parameters[2].Value.Shape);
    }

    [Theory]
    [InlineData("rnn:4:seq")]
    [InlineData("lstm:4:seq")]
    [InlineData("gru:4")]
    public void Samples_are_independent_whatever_the_batch_size(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(5, 3), seed: 2);
        var three = FiniteDifferences.RandomInput(9, 3, 5, 3);
        var all = model.Forward(three).Span.ToArray();
        var two = Tensor.FromArray(three.Span[..30].ToArray(), 2, 5, 3);
        var first = model.Forward(two).Span.ToArray();
        Assert.Equal(all[..first.Length], first);
        Assert.Equal(all, model.Forward(three).Span.ToArray());
    }

    [Theory]
    [InlineData("rnn:24:seq")]
    [InlineData("lstm:24:seq")]
    [InlineData("gru:24")]
    public void Cells_split_over_threads_give_each_sample_what_a_small_batch_gives(string spec)
    {
        // 400 samples: big enough for the cell of each step to run on several threads (when the machine has them);
        // 3 samples run on one. Each row's arithmetic is the same either way, so outputs and dL/dx match exactly.
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(3, 2), seed: 4);
        var big = FiniteDifferences.RandomInput(5, 400, 3, 2);
        var bigOut = model.Forward(big, training: true).Span.ToArray();
        var bigUpstream = FiniteDifferences.RandomInput(6, [400, .. model.OutputShape.ToArray()]);
        var bigDx = model.Backward(bigUpstream).Span.ToArray();

        var small = Tensor.FromArray(big.Span[..18].ToArray(), 3, 3, 2);
        var smallOut = model.Forward(small, training: true).Span.ToArray();
        var smallUpstream = Tensor.FromArray(bigUpstream.Span[..(3 * model.OutputShape.Length)].ToArray(), [3, .. model.OutputShape.ToArray()]);
        var smallDx = model.Backward(smallUpstream).Span.ToArray();
        Assert.Equal(bigOut[..smallOut.Length], smallOut);
        Assert.Equal(bigDx[..smallDx.Length], smallDx);
    }
}
