using System.Diagnostics;
using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Training;

/// <summary>
/// Mini-batch training of a <see cref="Sequential"/> model: seeded shuffling, epochs, an optional validation set,
/// loss and accuracy, events per batch and per epoch, cancellation, and a clear stop when training diverges.
/// </summary>
/// <remarks>
/// The model's last layer produces what the loss expects: logits for <see cref="SoftmaxCrossEntropy"/> and
/// <see cref="BinaryCrossEntropyWithLogits"/> (the output activation is applied at prediction time, fused into the
/// loss during training), values for <see cref="MeanSquaredError"/>. Accuracy: binary, the sign of the logit
/// against the 0/1 target; multiclass, the arg-max against the class index; sequence, the arg-max at every real
/// (non-padded) step against its class index. Loss and accuracy over many batches are weighted by what each batch
/// averages over: its samples, or for a sequence task its real steps, so that the loss of a sequence data set is
/// the mean over all its real steps (nats per character for next-character prediction) whatever the batching.
/// Steady state allocates nothing per batch: batches, layer outputs, gradients and optimizer state are buffers
/// reused while shapes stay the same.
/// </remarks>
public sealed class Trainer
{
    private readonly Sequential _model;
    private readonly Loss _loss;
    private readonly Optimizer _optimizer;
    private readonly LearningRateSchedule? _schedule;
    private readonly double _baseRate;
    private Tensor? _lossGradient;
    private BatchIterator? _batches;
    private TrainingState? _scratch;

    /// <summary>A trainer for <paramref name="model"/> (already built) with a loss, an optimizer and an optional schedule.</summary>
    public Trainer(Sequential model, Loss loss, Optimizer optimizer, LearningRateSchedule? schedule = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _schedule = schedule;
        _baseRate = optimizer.LearningRate;
        if (!model.IsBuilt)
        {
            throw new ArgumentException("Build the model (model.Build(inputShape, seed)) before training it.", nameof(model));
        }
    }

    /// <summary>
    /// Random changes applied in place to each training batch before the forward pass (never at evaluation), e.g.
    /// flips and shifts of images; null (the default) trains on the data as it is.
    /// </summary>
    public ImageAugmentation? Augmentation { get; set; }

    /// <summary>
    /// An observer called after every backward pass (before the optimizer step), when a batch diverges and at the
    /// end of every epoch, e.g. <c>new TrainingDiagnostics()</c>; null (the default) costs nothing.
    /// </summary>
    public ITrainingObserver? Diagnostics { get; set; }

    /// <summary>
    /// A penalty on the weights (L1 or L2; biases are never penalised) whose gradient is added after each backward
    /// pass, before the optimizer steps; null (the default) for none. The reported loss is the data loss alone.
    /// </summary>
    public Regularization? Regularization { get; set; }

    /// <summary>Raised after every batch.</summary>
    public event Action<BatchReport>? BatchEnded;

    /// <summary>Raised after every epoch (after validation).</summary>
    public event Action<EpochReport>? EpochEnded;

    /// <summary>Trains for <paramref name="epochs"/> epochs; stops early (Cancelled = true) when cancellation is requested.</summary>
    /// <exception cref="TrainingDivergedException">The loss or a layer output became NaN or infinite.</exception>
    /// <exception cref="ArgumentException">The data does not fit the model (shape, task).</exception>
    public TrainingHistory Fit(Dataset train, int epochs, int batchSize, int seed, Dataset? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return Fit(train, validation, new TrainingState(epochs, batchSize, seed), cancellation);
    }

    /// <summary>
    /// Trains from where <paramref name="state"/> stands to its last epoch, updating it after every batch: a fresh
    /// state trains exactly as <see cref="Fit(Dataset, int, int, int, Dataset?, CancellationToken)"/> does, and a state restored
    /// from a <see cref="Checkpoint"/> (with the model and optimizer restored too) carries the run on bit for bit,
    /// from an epoch boundary or from the middle of an epoch. Cancellation is checked before every batch: the batch
    /// in progress finishes, and the state then holds the position of the next one (save it with
    /// <see cref="Checkpoint"/>). With <see cref="TrainingState.Patience"/> the run stops after that many epochs
    /// without a better validation loss (<see cref="TrainingHistory.StoppedEarly"/>).
    /// </summary>
    /// <returns>The whole run's history (the epochs before a resume included); Cancelled when interrupted.</returns>
    /// <exception cref="TrainingDivergedException">The loss or a layer output became NaN or infinite.</exception>
    /// <exception cref="ArgumentException">
    /// The data does not fit the model; early stopping or best weights without validation data; or the state's
    /// position does not fit this data (more batches done than an epoch has).
    /// </exception>
    public TrainingHistory Fit(Dataset train, Dataset? validation, TrainingState state, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(state);
        CheckFits(train);
        if (validation is not null)
        {
            CheckFits(validation);
        }
        else if (state.Patience is not null || state.KeepBestWeights)
        {
            throw new ArgumentException("Early stopping and keeping the best weights watch the validation loss: give validation data.", nameof(validation));
        }

        int batchSize = state.BatchSize;
        int perEpoch = (train.Count + batchSize - 1) / batchSize;
        if (state.BatchesPerEpoch != 0 && state.BatchesPerEpoch != perEpoch)
        {
            throw new ArgumentException($"The run trained on {state.BatchesPerEpoch} batches per epoch, but '{train.Name}' in batches of {batchSize} has {perEpoch}: it is not the data this run trained on.", nameof(state));
        }

        state.BatchesPerEpoch = perEpoch;
        if (state.NextBatch > perEpoch)
        {
            throw new ArgumentException($"The run stands at batch {state.NextBatch} of an epoch, but '{train.Name}' in batches of {batchSize} has {perEpoch} batches per epoch: it is not the data this run trained on.", nameof(state));
        }

        // The returned history is the state's own list of epochs (the epochs before a resume included).
        var history = new TrainingHistory(state.HistoryList);

        while (!state.Finished)
        {
            int epoch = state.CompletedEpochs + 1;
            var report = state.NextBatch < perEpoch
                ? RunBatches(train, epoch, state.NextBatch, perEpoch - state.NextBatch, batchSize, state.Seed, cancellation, state)
                : EndOfBatches(epoch, state, train.Task); // resumed after the epoch's last batch, before its validation
            if (report is null)
            {
                history.Cancelled = true;
                return history;
            }

            var val = validation is null ? new Evaluation(double.NaN, double.NaN, 0) : Evaluate(validation, Math.Max(batchSize, 256));
            var full = report.Value with { ValidationLoss = val.Loss, ValidationAccuracy = val.Accuracy };
            state.AddEpoch(full);
            state.CompletedEpochs = epoch;
            state.ResetEpoch();
            if (validation is not null)
            {
                Track(state, epoch, val.Loss);
            }

            EpochEnded?.Invoke(full);
        }

        history.StoppedEarly = state.StoppedEarly;
        return history;
    }

    /// <summary>Early stopping's bookkeeping after a validated epoch (Keras: improvement means strictly below the best).</summary>
    private void Track(TrainingState state, int epoch, double validationLoss)
    {
        if (validationLoss < state.BestValidationLoss)
        {
            state.BestValidationLoss = validationLoss;
            state.BestEpoch = epoch;
            state.EpochsWithoutImprovement = 0;
            if (state.KeepBestWeights)
            {
                state.KeepWeights(_model);
            }
        }
        else
        {
            state.EpochsWithoutImprovement++;
        }

        if (state.Patience is { } patience && state.EpochsWithoutImprovement >= patience && !state.Finished)
        {
            state.StoppedEarly = true;
        }
    }

    /// <summary>
    /// Trains one epoch, number <paramref name="epoch"/> (1-based), exactly as epoch <paramref name="epoch"/> of
    /// <see cref="Fit(Dataset, int, int, int, Dataset?, CancellationToken)"/> would: the shuffle is a function of (<paramref name="seed"/>, epoch) and the schedule
    /// gives the epoch's rate. For callers that drive the loop themselves (an interactive playground that trains
    /// epoch by epoch between frames). Raises <see cref="BatchEnded"/> but not <see cref="EpochEnded"/>.
    /// </summary>
    /// <returns>The epoch's report without validation; null when cancellation was requested before the last batch.</returns>
    /// <exception cref="TrainingDivergedException">The loss or a layer output became NaN or infinite.</exception>
    /// <exception cref="ArgumentException">The data does not fit the model (shape, task).</exception>
    public EpochReport? TrainEpoch(Dataset train, int epoch, int batchSize, int seed, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckFits(train);
        return RunBatches(train, epoch, 0, (train.Count + batchSize - 1) / batchSize, batchSize, seed, cancellation, Scratch());
    }

    /// <summary>
    /// Trains batches <paramref name="firstBatch"/> to <paramref name="firstBatch"/> + <paramref name="count"/> - 1
    /// (0-based) of epoch <paramref name="epoch"/> (1-based), exactly as <see cref="Fit(Dataset, int, int, int, Dataset?, CancellationToken)"/> trains those batches of
    /// that epoch: consecutive ranges that cover an epoch train it as <see cref="TrainEpoch"/> does. For callers
    /// that must stay responsive within an epoch (a live session whose epoch takes longer than a frame). Raises
    /// <see cref="BatchEnded"/> for each batch (its running values cover this range); the observer's epoch end comes
    /// with the range that ends the epoch.
    /// </summary>
    /// <returns>
    /// The range's report: mean loss and accuracy over the samples of these batches (not of the whole epoch), the
    /// learning rate and the wall time; null when cancellation was requested before the last batch.
    /// </returns>
    /// <exception cref="TrainingDivergedException">The loss or a layer output became NaN or infinite.</exception>
    /// <exception cref="ArgumentException">The data does not fit the model (shape, task).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or reaches past the epoch's last batch.</exception>
    public EpochReport? TrainBatches(Dataset train, int epoch, int firstBatch, int count, int batchSize, int seed, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int perEpoch = (train.Count + batchSize - 1) / batchSize;
        if (firstBatch + count > perEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Batches {firstBatch}..{firstBatch + count - 1} reach past the epoch's last batch ({perEpoch - 1}).");
        }

        CheckFits(train);
        return RunBatches(train, epoch, firstBatch, count, batchSize, seed, cancellation, Scratch());
    }

    /// <summary>The sums of a range trained outside <see cref="Fit(Dataset, Dataset?, TrainingState, CancellationToken)"/>, from zero.</summary>
    private TrainingState Scratch()
    {
        _scratch ??= new TrainingState(1, 1, 0);
        _scratch.ResetEpoch();
        return _scratch;
    }

    /// <summary>Sets the schedule's rate for <paramref name="epoch"/> (1-based); without a schedule the rate stays as it is.</summary>
    private void SetRate(int epoch)
    {
        if (_schedule is not null)
        {
            _optimizer.LearningRate = _schedule.At(epoch - 1, _baseRate);
        }
    }

    /// <summary>The report of an epoch whose batches were all trained before a checkpoint that came before its validation.</summary>
    private EpochReport EndOfBatches(int epoch, TrainingState state, TaskKind task)
    {
        SetRate(epoch);
        return Report(epoch, state, task, TimeSpan.Zero) with { LearningRate = _optimizer.LearningRate };
    }

    private static EpochReport Report(int epoch, TrainingState sums, TaskKind task, TimeSpan elapsed)
        => new(epoch, sums.LossSum / sums.Scored, Accuracy(sums.Correct, sums.Scored, task), double.NaN, double.NaN, double.NaN, sums.PartialElapsed + elapsed);

    /// <summary>
    /// Trains the batches of a range, adding to <paramref name="sums"/> (the epoch's running sums, position and
    /// time) after every batch, before <see cref="BatchEnded"/> is raised.
    /// </summary>
    private EpochReport? RunBatches(Dataset train, int epoch, int firstBatch, int count, int batchSize, int seed, CancellationToken cancellation, TrainingState sums)
    {
        // One iterator per (data, batch size, seed): its batch buffers are reused from epoch to epoch.
        if (_batches is null || _batches.Dataset != train || _batches.BatchSize != batchSize || _batches.Seed != seed)
        {
            _batches = new BatchIterator(train, batchSize, shuffle: true, seed);
        }

        var batches = _batches;
        SetRate(epoch);

        var clock = Stopwatch.StartNew();
        for (int b = firstBatch; b < firstBatch + count; b++)
        {
            if (cancellation.IsCancellationRequested)
            {
                sums.PartialElapsed += clock.Elapsed;
                return null;
            }

            batches.Fill(epoch - 1, b, out var x, out var y);
            Augmentation?.Apply(x, epoch - 1, b);
            _model.ZeroGradients();
            var output = _model.Forward(x, training: true);
            var gradient = Buffer(ref _lossGradient, output.Shape);
            double loss = _loss.Compute(output, y, gradient);
            if (!double.IsFinite(loss))
            {
                Diagnostics?.Diverged(_model, x, epoch, b + 1);
                throw Diverged(epoch, b + 1, loss);
            }

            _model.BackwardParameters(gradient);
            Diagnostics?.BatchEnded(_model, x, epoch, b + 1);
            Regularization?.AddGradient(_model.Parameters);
            if (!_optimizer.TryStep(_model.Parameters))
            {
                // The observer has seen this batch (BatchEnded located the non-finite gradient): close its record.
                Diagnostics?.EpochEnded(_model, epoch);
                throw Diverged(epoch, b + 1, loss, _optimizer.LastGradientNorm);
            }

            int n = x.BatchSize;
            long weight = Scored(y, train.Task);
            sums.LossSum += loss * weight;
            sums.Correct += Correct(output, y, train.Task);
            sums.Scored += weight;
            sums.Samples += n;
            sums.NextBatch = b + 1;
            BatchEnded?.Invoke(new BatchReport(epoch, b + 1, batches.BatchesPerEpoch, loss, sums.LossSum / sums.Scored, Accuracy(sums.Correct, sums.Scored, train.Task), sums.Samples));
        }

        if (firstBatch + count == batches.BatchesPerEpoch)
        {
            Diagnostics?.EpochEnded(_model, epoch);
        }

        return Report(epoch, sums, train.Task, clock.Elapsed) with { LearningRate = _optimizer.LearningRate };
    }

    /// <summary>
    /// Mean loss and accuracy of the model on <paramref name="data"/> (inference mode, no gradients kept): the means
    /// over the samples, or for a sequence task over all the real steps (nats per character).
    /// </summary>
    public Evaluation Evaluate(Dataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFits(data);
        var batches = new BatchIterator(data, batchSize, shuffle: false, seed: 0);
        double lossSum = 0;
        long correct = 0;
        long scored = 0;
        for (int b = 0; b < batches.BatchesPerEpoch; b++)
        {
            batches.Fill(0, b, out var x, out var y);
            var output = _model.Forward(x, training: false);
            var gradient = Buffer(ref _lossGradient, output.Shape);
            long weight = Scored(y, data.Task);
            lossSum += _loss.Compute(output, y, gradient) * weight;
            correct += Correct(output, y, data.Task);
            scored += weight;
        }

        return new Evaluation(lossSum / scored, Accuracy(correct, scored, data.Task), data.Count);
    }

    /// <summary>
    /// Predictions of a batch that match the target: binary, samples whose logit sign matches the 0/1 target;
    /// multiclass, samples whose arg-max is the class index; sequence (outputs [N, T, K], targets [N, T]), real steps
    /// whose arg-max is the step's class index (padded steps, target -1, are skipped); 0 for regression. Divide by
    /// <see cref="Scored"/> for the accuracy.
    /// </summary>
    public static long Correct(Tensor output, Tensor targets, TaskKind task)
    {
        long correct = 0;
        int n = output.BatchSize;
        switch (task)
        {
            case TaskKind.Binary:
                for (int i = 0; i < n; i++)
                {
                    if ((output.Span[i] > 0) == (targets.Span[i] > 0.5f))
                    {
                        correct++;
                    }
                }

                break;
            case TaskKind.Multiclass:
                int k = output.SampleLength;
                for (int i = 0; i < n; i++)
                {
                    if (TensorPrimitives.IndexOfMax(output.Span.Slice(i * k, k)) == (int)targets.Span[i])
                    {
                        correct++;
                    }
                }

                break;
            case TaskKind.Sequence:
                int classes = output.Shape[-1];
                ReadOnlySpan<float> t = targets.Span;
                ReadOnlySpan<float> o = output.Span;
                for (int i = 0; i < t.Length; i++)
                {
                    if (t[i] != SequenceCrossEntropy.IgnoreIndex && TensorPrimitives.IndexOfMax(o.Slice(i * classes, classes)) == (int)t[i])
                    {
                        correct++;
                    }
                }

                break;
        }

        return correct;
    }

    /// <summary>
    /// What a batch's loss and accuracy are means over: its samples (N), or for a sequence task its real steps
    /// (targets other than -1). Batches are weighted by it when losses are averaged over an epoch or a data set.
    /// </summary>
    public static long Scored(Tensor targets, TaskKind task)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (task != TaskKind.Sequence)
        {
            return targets.BatchSize;
        }

        long real = 0;
        foreach (float v in targets.Span)
        {
            if (v != SequenceCrossEntropy.IgnoreIndex)
            {
                real++;
            }
        }

        return real;
    }

    private static double Accuracy(long correct, long scored, TaskKind task)
        => task == TaskKind.Regression || scored == 0 ? double.NaN : (double)correct / scored;

    private void CheckFits(Dataset data)
    {
        if (data.FeatureShape != _model.InputShape)
        {
            throw new ArgumentException($"The data '{data.Name}' has samples of shape {data.FeatureShape}; the model takes {_model.InputShape}.");
        }

        if (data.Task == TaskKind.Sequence)
        {
            var shape = _model.OutputShape;
            int steps = data.Targets.Shape[1];
            if (shape.Rank != 2 || shape[0] != steps || shape[1] != data.ClassCount)
            {
                throw new ArgumentException(
                    $"The data '{data.Name}' is Sequence with {data.ClassCount} classes at each of {steps} steps, so the model must produce [{steps}, {data.ClassCount}] per sample; "
                    + $"it produces {shape}. Keep every step (e.g. lstm:128:seq) and end with a per-step dense:{data.ClassCount}.");
            }

            return;
        }

        int outputs = _model.OutputShape.Length;
        int expected = data.Task switch
        {
            TaskKind.Binary => 1,
            TaskKind.Multiclass => data.ClassCount,
            _ => data.Targets.SampleLength,
        };
        if (outputs != expected)
        {
            throw new ArgumentException($"The data '{data.Name}' is {data.Task} with {expected} output(s) per sample; the model produces {outputs}. End the model with dense:{expected}.");
        }
    }

    /// <summary>The exception for a non-finite loss, or (<paramref name="gradientNorm"/> given) a finite loss whose gradient norm is not finite.</summary>
    private TrainingDivergedException Diverged(int epoch, int batch, double loss, double? gradientNorm = null)
    {
        string what = gradientNorm is { } norm
            ? $"the gradient norm is {norm} (the loss is {loss}; no parameter was updated)"
            : $"the loss is {loss}";
        var layers = _model.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            var output = layers[i].LastOutput;
            if (output is not null && !TensorPrimitives.IsFiniteAll<float>(output.Span))
            {
                return new TrainingDivergedException(epoch, batch, i + 1, layers[i].Spec,
                    $"Training diverged at epoch {epoch}, batch {batch}: the output of layer {i + 1} ('{layers[i].Spec}') is not finite ({what}). {Advice}");
            }
        }

        return new TrainingDivergedException(epoch, batch, 0, "", gradientNorm is null
            ? $"Training diverged at epoch {epoch}, batch {batch}: {what} while every layer output is finite (check the targets, or the output scale against the loss). {Advice}"
            : $"Training diverged at epoch {epoch}, batch {batch}: {what} while every layer output is finite (a gradient overflowed in the backward pass). {Advice}");
    }

    private const string Advice = "Usual fixes: lower the learning rate (e.g. by 10x), use an activation that does not blow up (tanh, or Leaky ReLU instead of ReLU), check the input data for NaN or huge values, or normalise the inputs.";

    private static Tensor Buffer(ref Tensor? buffer, TensorShape shape)
    {
        if (buffer is null || buffer.Shape != shape)
        {
            buffer = new Tensor(shape);
        }

        return buffer;
    }
}
