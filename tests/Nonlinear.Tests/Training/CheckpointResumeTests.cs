using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Tests.Data;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

/// <summary>
/// Resuming from a checkpoint ends with the same model file, byte for byte, as training in one go: from an epoch
/// boundary (half the epochs, then the rest) and from the middle of an epoch (cancelled after an arbitrary batch),
/// for SGD with momentum and Adam, an MLP with dropout on moons and a CNN with dropout and augmentation on a slice
/// of the shipped Fashion-MNIST images.
/// </summary>
public sealed class CheckpointResumeTests
{
    private static readonly Lazy<(Dataset Train, Dataset Validation)> Images = new(() =>
    {
        // 96 training and 32 validation images keep the CNN case at a fraction of a second per epoch.
        var (train, _) = IdxDataset.LoadDirectory(Path.Combine(DataFiles.RepositoryRoot(), "data", "fashion-mnist-subset"));
        var standard = Normalization.FitStandardization(train, perChannel: true);
        var all = standard.Apply(train);
        return (all.Subset(Enumerable.Range(0, 96).ToArray()), all.Subset(Enumerable.Range(96, 32).ToArray()));
    });

    private sealed record Setup(string Spec, Dataset Train, Dataset Validation, int Epochs, int Batch, bool Augment);

    private static Setup Case(string model) => model switch
    {
        // 20 → 40 epochs as the issue says: moons epochs take a millisecond.
        "mlp" => new Setup("dense:16,tanh,dropout:0.2,dense:16,tanh,dense:1", SyntheticData.Moons(120, 0.2, 3), SyntheticData.Moons(40, 0.2, 4), 40, 16, false),
        // The CNN: 6 epochs (3 → 6) of 96 images, enough to cover the boundary and the mid-epoch cases.
        _ => new Setup("conv:4x3,relu,pool:2,dropout:0.25,flatten,dense:10", Images.Value.Train, Images.Value.Validation, 6, 16, true),
    };

    private static (Sequential Model, Optimizer Optimizer, Trainer Trainer) Fresh(Setup setup, string optimizer)
    {
        var model = Sequential.Parse(setup.Spec);
        model.Build(setup.Train.FeatureShape, seed: 7);
        var opt = Optimizer.Create(optimizer, optimizer == "adam" ? 0.005 : 0.05);
        opt.ClipNorm = 5;
        return (model, opt, Make(model, opt, setup));
    }

    private static Trainer Make(Sequential model, Optimizer optimizer, Setup setup)
        => new(model, TaskDefaults.Loss(setup.Train.Task), optimizer) { Augmentation = setup.Augment ? new ImageAugmentation(flip: true, maxShift: 2, seed: 7) : null };

    private static ModelMetadata Metadata(Setup setup) => new()
    {
        Task = setup.Train.Task,
        OutputActivation = TaskDefaults.OutputActivation(TaskDefaults.Loss(setup.Train.Task)),
        Loss = TaskDefaults.Loss(setup.Train.Task).Name,
    };

    private static byte[] Bytes(Sequential model, Setup setup)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, Metadata(setup));
        return stream.ToArray();
    }

    /// <summary>Saves, reloads into fresh objects (a new model, optimizer and trainer, as a new process would have).</summary>
    private static (Sequential Model, Optimizer Optimizer, Trainer Trainer, TrainingState State) RoundTrip(Sequential model, Optimizer optimizer, TrainingState state, Setup setup, string name)
    {
        using var stream = new MemoryStream();
        Checkpoint.Save(stream, model, Metadata(setup), optimizer, state);
        stream.Position = 0;
        var checkpoint = Checkpoint.Load(stream);
        var opt = Optimizer.Create(name, 1);
        opt.ClipNorm = 1;
        checkpoint.RestoreOptimizer(opt);
        Assert.Equal(optimizer.Steps, opt.Steps);
        Assert.Equal(optimizer.LearningRate, opt.LearningRate);
        Assert.Equal(optimizer.ClipNorm, opt.ClipNorm);
        var restored = checkpoint.Model.Model;
        return (restored, opt, Make(restored, opt, setup), checkpoint.State);
    }

    [Theory]
    [InlineData("mlp", "momentum")]
    [InlineData("mlp", "adam")]
    [InlineData("cnn", "momentum")]
    [InlineData("cnn", "adam")]
    public void Resuming_at_an_epoch_boundary_or_mid_epoch_gives_the_same_model_file(string modelName, string optimizerName)
    {
        var setup = Case(modelName);

        var (model, optimizer, trainer) = Fresh(setup, optimizerName);
        var oneGo = trainer.Fit(setup.Train, setup.Validation, new TrainingState(setup.Epochs, setup.Batch, seed: 5));
        byte[] expected = Bytes(model, setup);

        // Half the epochs, a checkpoint, then a new process carries on to the full count.
        var (m1, o1, t1) = Fresh(setup, optimizerName);
        var half = new TrainingState(setup.Epochs / 2, setup.Batch, seed: 5);
        t1.Fit(setup.Train, setup.Validation, half);
        var (m2, _, t2, resumed) = RoundTrip(m1, o1, half, setup, optimizerName);
        resumed.Epochs = setup.Epochs;
        var history = t2.Fit(setup.Train, setup.Validation, resumed);
        Assert.Equal(expected, Bytes(m2, setup));
        Assert.Equal(oneGo.Epochs.Select(e => (e.Loss, e.ValidationLoss)), history.Epochs.Select(e => (e.Loss, e.ValidationLoss)));

        // Interrupted twice at arbitrary batches (mid-epoch), each time resumed from a checkpoint.
        int perEpoch = (setup.Train.Count + setup.Batch - 1) / setup.Batch;
        var random = new Random(modelName.Length * 31 + optimizerName.Length);
        var (m, o, t) = Fresh(setup, optimizerName);
        var state = new TrainingState(setup.Epochs, setup.Batch, seed: 5);
        foreach (int stopAt in new[] { random.Next(1, perEpoch * setup.Epochs / 2), random.Next(perEpoch * setup.Epochs / 2, perEpoch * setup.Epochs) })
        {
            using var stop = new CancellationTokenSource();
            int batches = 0;
            int start = state.CompletedEpochs * perEpoch + state.NextBatch;
            t.BatchEnded += _ =>
            {
                if (start + ++batches == stopAt)
                {
                    stop.Cancel();
                }
            };
            var partial = t.Fit(setup.Train, setup.Validation, state, stop.Token);
            Assert.True(partial.Cancelled);
            Assert.Equal(stopAt, state.CompletedEpochs * perEpoch + state.NextBatch);
            (m, o, t, state) = RoundTrip(m, o, state, setup, optimizerName);
        }

        var last = t.Fit(setup.Train, setup.Validation, state);
        Assert.False(last.Cancelled);
        Assert.Equal(expected, Bytes(m, setup));
        Assert.Equal(oneGo.Epochs.Select(e => (e.Loss, e.Accuracy, e.ValidationLoss)), last.Epochs.Select(e => (e.Loss, e.Accuracy, e.ValidationLoss)));
    }

    [Fact]
    public void A_fresh_state_trains_exactly_as_the_classic_fit()
    {
        var setup = Case("mlp");
        var (a, _, ta) = Fresh(setup, "adam");
        var classic = ta.Fit(setup.Train, 10, setup.Batch, 5, setup.Validation);
        var (b, _, tb) = Fresh(setup, "adam");
        var stated = tb.Fit(setup.Train, setup.Validation, new TrainingState(10, setup.Batch, 5));
        Assert.Equal(Bytes(a, setup), Bytes(b, setup));
        Assert.Equal(classic.Epochs.Select(e => e.Loss), stated.Epochs.Select(e => e.Loss));
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_without_improvement_and_keeps_the_best_weights()
    {
        // A learning rate far too high: the validation loss stops improving quickly.
        var setup = Case("mlp");
        var model = Sequential.Parse("dense:16,tanh,dense:1");
        model.Build(setup.Train.FeatureShape, seed: 1);
        var trainer = new Trainer(model, TaskDefaults.Loss(setup.Train.Task), new Sgd(2.0, momentum: 0.9));
        var state = new TrainingState(200, 16, 1) { Patience = 3, KeepBestWeights = true };
        var history = trainer.Fit(setup.Train, setup.Validation, state);
        Assert.True(history.StoppedEarly);
        Assert.True(history.Epochs.Count < 200);
        int best = 1 + Enumerable.Range(0, history.Epochs.Count).MinBy(i => history.Epochs[i].ValidationLoss);
        Assert.Equal(best, state.BestEpoch);
        Assert.Equal(history.Epochs.Count, best + 3);
        Assert.True(state.RestoreBestWeights(model));
        Assert.Equal(history.Epochs[best - 1].ValidationLoss, trainer.Evaluate(setup.Validation, 256).Loss, 12);
    }
}
