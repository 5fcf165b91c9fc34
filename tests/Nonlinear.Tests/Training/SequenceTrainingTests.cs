using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

/// <summary>TaskKind.Sequence end to end: data validation, training, evaluation in nats per character, model files.</summary>
public sealed class SequenceTrainingTests
{
    // The per-step output layer: 27 logits at every step.
    private const string Output = "dense:27";

    private static readonly string[] Words = MakeWords(300, seed: 5);

    /// <summary>Pseudo-English words: consonant-vowel syllables, so the next character is partly predictable.</summary>
    internal static string[] MakeWords(int count, int seed)
    {
        const string consonants = "bcdfghklmnprstvw";
        const string vowels = "aeiou";
        var rng = new Random(seed);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (words.Count < count)
        {
            var chars = new List<char>();
            int syllables = rng.Next(1, 5);
            for (int s = 0; s < syllables; s++)
            {
                chars.Add(consonants[rng.Next(consonants.Length)]);
                chars.Add(vowels[rng.Next(vowels.Length)]);
            }

            if (rng.Next(3) == 0)
            {
                chars.Add('s');
            }

            words.Add(new string([.. chars]));
        }

        return [.. words];
    }

    private static (Sequential Model, Trainer Trainer) Build(Dataset data, string spec, double lr = 0.01, int seed = 1)
    {
        var model = Sequential.Parse(spec);
        model.Build(data.FeatureShape, seed);
        return (model, new Trainer(model, TaskDefaults.Loss(data.Task), new Adam(lr)));
    }

    [Fact]
    public void Words_become_a_sequence_data_set_of_ids_with_the_27_symbols_as_classes()
    {
        var data = WordList.ToDataset(["cat", "a"], "words", steps: 6);
        Assert.Equal(TaskKind.Sequence, data.Task);
        Assert.Equal(27, data.ClassCount);
        Assert.Equal("^", data.ClassNames![0]);
        Assert.Equal("z", data.ClassNames[26]);
        Assert.Equal(new TensorShape(2, 6), data.Features.Shape);
        Assert.Equal(new TensorShape(2, 6), data.Targets.Shape);
        Assert.Equal([0f, 3, 1, 20, 0, 0, 0, 1, 0, 0, 0, 0], data.Features.Span.ToArray());
        Assert.Equal([3f, 1, 20, 0, -1, -1, 1, 0, -1, -1, -1, -1], data.Targets.Span.ToArray());
        Assert.Contains("Sequence (6 steps, 27 classes per step)", data.ToString(), StringComparison.Ordinal);

        var list = WordList.FromLines(Words);
        var (train, validation, test) = list.ToDatasets();
        Assert.Equal(list.MaxSteps, train.Targets.Shape[1]);
        Assert.Equal(list.MaxSteps, validation.Targets.Shape[1]);
        Assert.Equal(list.MaxSteps, test.Targets.Shape[1]);
        Assert.Equal(list.Train.Count, train.Count);
    }

    [Fact]
    public void Bad_sequence_targets_are_named()
    {
        var x = Tensor.FromArray([0f, 1, 2, 0, 3, 4], 2, 3);

        string Error(float[] y, int steps = 3, Tensor? features = null)
            => Assert.Throws<ArgumentException>(() => new Dataset("s", features ?? x, Tensor.FromArray(y, 2, steps), TaskKind.Sequence, 5)).Message;

        Assert.Contains("sample 1, step 2 is 5", Error([1, 2, 0, 3, 4, 5]), StringComparison.Ordinal);
        Assert.Contains("sample 0, step 1 is 1.5", Error([1, 1.5f, 0, 3, 4, 0]), StringComparison.Ordinal);
        Assert.Contains("sample 0, step 0 is -2", Error([-2, 1, 0, 3, 4, 0]), StringComparison.Ordinal);
        Assert.Contains("Sample 1 has no real step", Error([1, 2, 0, -1, -1, -1]), StringComparison.Ordinal);

        // Ragged: features with 3 steps, targets with 2.
        string ragged = Error([1, 2, 3, 4], steps: 2);
        Assert.Contains("3 steps but the targets [2, 2] have 2", ragged, StringComparison.Ordinal);
        Assert.Contains("pad ragged sequences", ragged, StringComparison.Ordinal);

        // T = 0.
        string empty = Assert.Throws<ArgumentException>(() => new Dataset("s", new Tensor(2, 0), new Tensor(2, 0), TaskKind.Sequence, 5)).Message;
        Assert.Contains("T >= 1", empty, StringComparison.Ordinal);

        // Rank: one class per sample is Multiclass, not Sequence.
        Assert.Contains("Sequence targets must have shape [N, T]", Assert.Throws<ArgumentException>(() => new Dataset("s", x, Tensor.FromArray([1f, 2], 2), TaskKind.Sequence, 5)).Message, StringComparison.Ordinal);
        Assert.Contains("sequence dataset needs classCount >= 2", Assert.Throws<ArgumentException>(() => new Dataset("s", x, Tensor.FromArray([1f, 0, 0, 0, 0, 0], 2, 3), TaskKind.Sequence)).Message, StringComparison.Ordinal);

        // [N, T, F] features: T is their second dimension.
        var steps = new Dataset("s", new Tensor(2, 3, 4), Tensor.FromArray([1f, 2, 0, 3, 4, -1], 2, 3), TaskKind.Sequence, 5);
        Assert.Equal(new TensorShape(3, 4), steps.FeatureShape);
    }

    [Fact]
    public void A_model_that_does_not_produce_T_by_K_is_refused_by_the_trainer()
    {
        var data = WordList.ToDataset(Words[..20], "words", steps: 12);
        var (_, lastState) = Build(data, "embedding:27:8,lstm:16,dense:27");
        var e = Assert.Throws<ArgumentException>(() => lastState.Fit(data, 1, 8, seed: 1));
        Assert.Contains("must produce [12, 27] per sample", e.Message, StringComparison.Ordinal);
        Assert.Contains("lstm:128:seq", e.Message, StringComparison.Ordinal);

        var (_, wrongClasses) = Build(data, "embedding:27:8,lstm:16:seq,dense:26");
        Assert.Contains("it produces [12, 26]", Assert.Throws<ArgumentException>(() => wrongClasses.Evaluate(data)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_lstm_language_model_learns_words_below_the_uniform_loss_ln_27()
    {
        var list = WordList.FromLines(Words);
        var (train, validation, _) = list.ToDatasets();
        var (_, trainer) = Build(train, $"embedding:27:16,lstm:32:seq,{Output}", lr: 0.01);
        var before = trainer.Evaluate(validation);
        Assert.InRange(before.Loss, Math.Log(27) - 0.2, Math.Log(27) + 0.2);      // near uniform at initialisation

        var history = trainer.Fit(train, epochs: 8, batchSize: 32, seed: 1, validation: validation);
        double uniform = Math.Log(27);
        Assert.True(history.Last.Loss < uniform - 0.8, $"training loss {history.Last.Loss} nats per character");
        Assert.True(history.Last.ValidationLoss < uniform - 0.6, $"validation loss {history.Last.ValidationLoss}");
        Assert.True(history.Last.Loss < history.Epochs[0].Loss);

        // Per-character accuracy: four times the 1/27 of guessing (vowels follow consonants).
        Assert.True(history.Last.ValidationAccuracy > 0.15, $"validation accuracy {history.Last.ValidationAccuracy}");
    }

    [Fact]
    public void Evaluate_is_the_mean_over_all_real_steps_whatever_the_batches()
    {
        // Words of very different lengths, batches of 7: a mean of batch means would weigh short words' steps more.
        var data = WordList.ToDataset(Words[..60], "words");
        var (model, trainer) = Build(data, $"embedding:27:8,gru:16:seq,{Output}");
        trainer.Fit(data, epochs: 2, batchSize: 16, seed: 3);

        var logits = model.Forward(data.Features, training: false);
        var direct = new SequenceCrossEntropy().Compute(logits, data.Targets, new Tensor(logits.Shape));
        long real = 0, right = 0;
        var y = data.Targets.Span;
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] == -1)
            {
                continue;
            }

            real++;
            var row = logits.Span.Slice(i * 27, 27);
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row) == (int)y[i])
            {
                right++;
            }
        }

        foreach (int batch in new[] { 7, 60, 256 })
        {
            var evaluation = trainer.Evaluate(data, batch);
            Assert.Equal(direct, evaluation.Loss, 5);
            Assert.Equal((double)right / real, evaluation.Accuracy, 12);
            Assert.Equal(60, evaluation.Count);
        }

        Assert.Equal(real, Trainer.Scored(data.Targets, TaskKind.Sequence));
        Assert.Equal(right, Trainer.Correct(logits, data.Targets, TaskKind.Sequence));
        Assert.Equal(60, Trainer.Scored(data.Targets, TaskKind.Multiclass));
    }

    [Fact]
    public void The_epoch_loss_is_weighted_by_real_steps()
    {
        // With a negligible learning rate the model is fixed, so the epoch's loss must equal the evaluation of the same data.
        var data = WordList.ToDataset(Words[..45], "words");
        var model = Sequential.Parse($"embedding:27:8,lstm:8:seq,{Output}");
        model.Build(data.FeatureShape, seed: 2);
        var trainer = new Trainer(model, new SequenceCrossEntropy(), new Sgd(1e-30));   // far below float resolution: the weights do not move
        var epoch = trainer.Fit(data, epochs: 1, batchSize: 8, seed: 1).Last;
        var evaluation = trainer.Evaluate(data, 256);
        Assert.Equal(evaluation.Loss, epoch.Loss, 5);
        Assert.Equal(evaluation.Accuracy, epoch.Accuracy, 12);
    }

    [Fact]
    public void Task_defaults_for_sequences_are_softmax_and_sequence_cross_entropy()
    {
        Assert.Equal("softmax", TaskDefaults.OutputActivation(TaskKind.Sequence));
        Assert.IsType<SequenceCrossEntropy>(TaskDefaults.Loss(TaskKind.Sequence));
        Assert.Equal("softmax", TaskDefaults.OutputActivation(new SequenceCrossEntropy()));
        Assert.Equal(27, TaskDefaults.Outputs(WordList.ToDataset(["ab"], "w")));
    }

    [Fact]
    public void A_saved_sequence_model_loads_and_predicts_a_distribution_per_step()
    {
        var data = WordList.ToDataset(Words[..10], "words");
        var (model, _) = Build(data, $"embedding:27:8,lstm:8:seq,{Output}");
        var metadata = new ModelMetadata
        {
            Task = TaskKind.Sequence,
            OutputActivation = TaskDefaults.OutputActivation(TaskKind.Sequence),
            Loss = "sequence_cross_entropy",
            ClassNames = WordList.SymbolNames,
            Extra = new Dictionary<string, string> { ["data"] = "words" },
        };
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, metadata);
        stream.Position = 0;
        var saved = ModelFile.Load(stream);
        Assert.Equal(metadata, saved.Metadata);

        var p = saved.Predict(data.Features);
        Assert.Equal(new TensorShape(10, data.Targets.Shape[1], 27), p.Shape);
        for (int row = 0; row < p.Length / 27; row++)
        {
            Assert.Equal(1.0, System.Numerics.Tensors.TensorPrimitives.Sum(p.Span.Slice(row * 27, 27)), 4);
        }

        // Class names must be one per class of a step.
        var wrong = metadata with { ClassNames = ["^", "a"] };
        var e = Assert.Throws<ArgumentException>(() => ModelFile.Save(new MemoryStream(), model, wrong));
        Assert.Contains("27 classes per step has 27 class names; found 2", e.Message, StringComparison.Ordinal);

        // A sequence model produces [T, K].
        var flat = Sequential.Parse("embedding:27:8,lstm:8,dense:27");
        flat.Build(data.FeatureShape, 1);
        Assert.Contains("a sequence model produces [T, K]", Assert.Throws<ArgumentException>(() => ModelFile.Save(new MemoryStream(), flat, metadata with { ClassNames = null })).Message, StringComparison.Ordinal);
    }
}
