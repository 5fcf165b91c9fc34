using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Layers.Attention;

/// <summary>Allocation of attention training, in the serial collection (as CnnAllocationTests, for the same reason).</summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class AttentionAllocationTests
{
    [Fact]
    public void Steady_state_attention_and_transformer_training_allocates_nothing_per_batch()
    {
        var data = CnnModelTests.RandomImages(256, 2, 6, 8);
        var model = Sequential.Parse("layernorm,attention:heads=2:causal,transformer:d=8,heads=2,ff=16,flatten,dense:3");
        model.Build(data.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(0.01, momentum: 0.9));
        Nonlinear.Tests.Training.SteadyAllocation.AssertNonePerBatch(trainer, data, batchSize: 8);
    }
}
