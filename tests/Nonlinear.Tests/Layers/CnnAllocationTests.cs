using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tests.Training;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>
/// Allocation of CNN training, in the serial collection: another test training at the same time contends for the
/// shared worker team, and a contended lock may allocate on this thread.
/// </summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class CnnAllocationTests
{
    [Fact]
    public void Steady_state_cnn_training_allocates_nothing_per_batch()
    {
        var data = CnnModelTests.RandomImages(256, 2, 1, 12, 12);
        var model = Sequential.Parse("conv:8x3,batchnorm,relu,pool:2,conv:8x3,relu,flatten,dropout:0.25,dense:3");
        model.Build(data.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(0.01, momentum: 0.9));
        SteadyAllocation.AssertNonePerBatch(trainer, data, batchSize: 8);
    }
}
