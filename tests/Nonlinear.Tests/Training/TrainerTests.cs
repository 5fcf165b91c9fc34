using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

public sealed class TrainerTests
{
    private static (Sequential Model, Trainer Trainer) Build(string spec, Dataset data, double lr = 0.05, string optimizer = "adam", int seed = 1)
    {
        var model = Sequential.Parse(spec);
        model.Build(data.FeatureShape, seed);
        var loss = data.Task switch
        {
            TaskKind.Binary => (Loss)new BinaryCrossEntropyWithLogits(),
            TaskKind.Multiclass => new SoftmaxCrossEntropy(),
            _ => new MeanSquaredError(),
        };
        return (model, new Trainer(model, loss, Optimizer.Create(optimizer, lr)));
    }

    [Theory]
    [InlineData("dense:1")]
    [InlineData("dense:8,identity,dense:1")]
    [InlineData("dense:8,dense:8,dense:1")]
    public void Xor_is_not_learnable_without_a_nonlinearity(string spec)
    {
        // Whatever the depth, a linear model draws one line; no line puts (0,1) and (1,0) on one side and
        // (0,0) and (1,1) on the other, so at most 3 of the 4 points are right.
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var xor = SyntheticData.Xor();
            var (_, trainer) = Build(spec, xor, seed: seed);
            var history = trainer.Fit(xor, epochs: 400, batchSize: 4, seed: seed);
            Assert.True(history.Last.Accuracy <= 0.75, $"{spec}, seed {seed}: accuracy {history.Last.Accuracy}");
        }
    }

    [Theory]
    [InlineData("sigmoid")]
    [InlineData("tanh")]
    [InlineData("relu")]
    [InlineData("leaky_relu")]
    [InlineData("gelu")]
    [InlineData("silu")]
    public void Xor_is_learned_with_a_nonlinearity(string activation)
    {
        var xor = SyntheticData.Xor();
        var (_, trainer) = Build($"dense:8,{activation},dense:1", xor);
        var history = trainer.Fit(xor, epochs: 400, batchSize: 4, seed: 1);
        Assert.Equal(1.0, history.Last.Accuracy);
        Assert.Equal(1.0, trainer.Evaluate(xor).Accuracy);
    }

    [Fact]
    public void The_same_seed_gives_the_same_training_run_bit_for_bit()
    {
        var data = SyntheticData.Moons(200, 0.1, seed: 3);
        double Run()
        {
            var (_, trainer) = Build("dense:16,tanh,dense:1", data);
            return trainer.Fit(data, epochs: 5, batchSize: 32, seed: 7).Last.Loss;
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void A_small_network_learns_the_spiral_with_a_validation_split()
    {
        var data = SyntheticData.Spiral(400, 0.05, seed: 2);
        var (train, validation) = data.Split(0.2, seed: 4);
        var (_, trainer) = Build("dense:64,relu,dense:64,relu,dense:1", train, lr: 0.01);
        var history = trainer.Fit(train, epochs: 300, batchSize: 32, seed: 5, validation: validation);
        Assert.True(history.Last.ValidationAccuracy >= 0.9, $"validation accuracy {history.Last.ValidationAccuracy}");
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss / 3);
    }

    [Fact]
    public void Multiclass_blobs_are_learned_with_softmax_cross_entropy()
    {
        var data = SyntheticData.Gaussian(300, classes: 3, spread: 0.5, seed: 1);
        var (_, trainer) = Build("dense:16,relu,dense:3", data);
        var history = trainer.Fit(data, epochs: 50, batchSize: 32, seed: 1);
        Assert.True(history.Last.Accuracy >= 0.95, $"accuracy {history.Last.Accuracy}");
    }

    [Fact]
    public void Events_report_every_batch_and_epoch()
    {
        var data = SyntheticData.Moons(100, 0.1, seed: 1);
        var (_, trainer) = Build("dense:8,tanh,dense:1", data);
        int batches = 0, epochs = 0;
        trainer.BatchEnded += r =>
        {
            batches++;
            Assert.InRange(r.Batch, 1, r.BatchesPerEpoch);
        };
        trainer.EpochEnded += _ => epochs++;
        trainer.Fit(data, epochs: 3, batchSize: 32, seed: 1);
        Assert.Equal(3 * 4, batches);
        Assert.Equal(3, epochs);
    }

    [Fact]
    public void Cancellation_stops_between_batches()
    {
        var data = SyntheticData.Moons(100, 0.1, seed: 1);
        var (_, trainer) = Build("dense:8,tanh,dense:1", data);
        using var cts = new CancellationTokenSource();
        trainer.BatchEnded += r =>
        {
            if (r.Epoch == 2)
            {
                cts.Cancel();
            }
        };
        var history = trainer.Fit(data, epochs: 10, batchSize: 32, seed: 1, cancellation: cts.Token);
        Assert.True(history.Cancelled);
        Assert.Single(history.Epochs);
    }

    [Fact]
    public void Divergence_names_the_epoch_the_batch_and_the_first_non_finite_layer()
    {
        // An absurd learning rate with unbounded ReLU units blows the activations up within a few steps.
        var data = SyntheticData.Moons(200, 0.1, seed: 1);
        var (_, trainer) = Build("dense:32,relu,dense:32,relu,dense:1", data, lr: 1e12, optimizer: "sgd");
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, epochs: 50, batchSize: 16, seed: 1));
        Assert.Contains($"epoch {e.Epoch}, batch {e.Batch}", e.Message, StringComparison.Ordinal);
        Assert.Contains("lower the learning rate", e.Message, StringComparison.Ordinal);
        Assert.True(e.LayerIndex >= 1, e.Message);
        Assert.Contains($"layer {e.LayerIndex}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_that_does_not_fit_the_model_is_rejected_with_both_shapes()
    {
        var data = SyntheticData.Gaussian(30, classes: 3, spread: 0.5, seed: 1);
        var model = Sequential.Parse("dense:8,relu,dense:1");
        model.Build(new TensorShape(2), seed: 1);
        var trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam());
        var e = Assert.Throws<ArgumentException>(() => trainer.Fit(data, 1, 8, 1));
        Assert.Contains("dense:3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Steady_state_training_allocates_nothing_per_batch()
    {
        var data = SyntheticData.Moons(512, 0.1, seed: 1);
        var (_, trainer) = Build("dense:32,relu,dense:32,tanh,dense:1", data);
        SteadyAllocation.AssertNonePerBatch(trainer, data, batchSize: 32);
    }

    [Fact]
    public void TrainBatches_in_ranges_reproduces_TrainEpoch_bit_for_bit()
    {
        // 200 samples in batches of 30: 7 batches per epoch, the last one partial, trained as ranges of 3, 3 and 1.
        var data = SyntheticData.Spiral(200, 0.05, seed: 2);
        float[] Run(bool inRanges)
        {
            var (model, trainer) = Build("dense:8,tanh,dense:1", data, lr: 0.01, seed: 4);
            for (int e = 1; e <= 3; e++)
            {
                if (!inRanges)
                {
                    trainer.TrainEpoch(data, e, batchSize: 30, seed: 7);
                    continue;
                }

                for (int first = 0; first < 7; first += 3)
                {
                    var report = trainer.TrainBatches(data, e, first, Math.Min(3, 7 - first), batchSize: 30, seed: 7);
                    Assert.True(report is { Loss: > 0, Accuracy: >= 0 and <= 1 }, $"{report}");
                }
            }

            return model.Parameters.SelectMany(p => p.Value.Span.ToArray()).ToArray();
        }

        Assert.Equal(Run(false), Run(true));
    }

    [Fact]
    public void TrainBatches_refuses_a_range_past_the_last_batch()
    {
        var data = SyntheticData.Spiral(100, 0.05, seed: 2);
        var (_, trainer) = Build("dense:4,tanh,dense:1", data, optimizer: "sgd");
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.TrainBatches(data, 1, firstBatch: 9, count: 2, batchSize: 10, seed: 1));
        Assert.NotNull(trainer.TrainBatches(data, 1, firstBatch: 9, count: 1, batchSize: 10, seed: 1));
    }
}
