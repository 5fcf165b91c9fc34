using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Tests.Layers;
using Xunit;

namespace Nonlinear.Tests.Serialization;

/// <summary>A model with recurrent layers saves and loads with its spec and weights, and predicts the same.</summary>
public sealed class RecurrentModelFileTests
{
    [Theory]
    [InlineData("rnn:5:relu:seq,lstm:4,dense:3")]
    [InlineData("gru:6:seq,gru:4,dense:1")]
    public void A_recurrent_model_round_trips(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(6, 2), seed: 4);
        var metadata = new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" };
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, metadata);
        stream.Position = 0;
        var loaded = ModelFile.Load(stream, "model.nlm");

        Assert.Equal(spec, loaded.Model.Spec);
        var x = FiniteDifferences.RandomInput(5, 3, 6, 2);
        Assert.Equal(model.Forward(x).Span.ToArray(), loaded.Model.Forward(x).Span.ToArray());
    }
}
