using Nonlinear.Layers.Recurrent;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

public sealed class RecurrentGradientTests
{
    public static TheoryData<string> Specs => ["rnn:4", "rnn:4:seq", "rnn:4:sigmoid", "rnn:4:softplus:seq", "lstm:4", "lstm:4:seq", "gru:4", "gru:4:seq", "gru:4:seq,lstm:3,dense:2", "rnn:4:seq,flatten,dense:2,tanh"];

    [Theory]
    [MemberData(nameof(Specs))]
    public void Backward_through_time_matches_finite_differences_for_inputs_and_parameters(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(5, 3), seed: 7);
        var x = FiniteDifferences.RandomInput(11, 2, 5, 3);
        FiniteDifferences.Check(model, x, seed: 3, h: 1e-2, tolerance: 5e-3);
    }

    [Fact]
    public void Rnn_of_one_step_is_a_dense_layer_with_tanh()
    {
        var rnn = new Rnn(2);
        var model = new Sequential([rnn]);
        model.Build(new TensorShape(1, 3), seed: 1);
        var x = Tensor.FromArray([1f, -2f, 0.5f], 1, 1, 3);
        var y = model.Forward(x);
        var w = rnn.WeightIh.Value;
        for (int j = 0; j < 2; j++)
        {
            double a = rnn.BiasIh.Value.Span[j] + rnn.BiasHh.Value.Span[j];
            for (int k = 0; k < 3; k++)
            {
                a += w[j, k] * x.Span[k];
            }

            Assert.Equal(Math.Tanh(a), y.Span[j], 5);
        }
    }

    [Theory]
    [InlineData("rnn:6:seq,rnn:4")]
    [InlineData("lstm:6:seq,lstm:2:seq")]
    [InlineData("gru:6,dense:2")]
    public void Steady_state_forward_and_backward_allocate_nothing(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(7, 3), seed: 1);
        var x = FiniteDifferences.RandomInput(2, 4, 7, 3);
        var dy = FiniteDifferences.RandomInput(3, [4, .. model.OutputShape.ToArray()]);
        void Step()
        {
            model.Forward(x, training: true);
            model.Backward(dy);
        }

        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Step();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
