using System.Diagnostics;
using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Sessions;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Web.Images;

/// <summary>
/// One Images tab: an MLP or a CNN trained by the engine's <see cref="Trainer"/> on the Fashion-MNIST subset as
/// fast as the machine allows, with frames holding the loss and accuracy curves, the confusion matrix of the test
/// images and the predictions for the gallery, and a classifier for what the learner draws.
/// </summary>
/// <remarks>
/// <para>
/// The loop trains one mini-batch per call (<see cref="TrainEpoch"/>; a CNN's epoch of 2,000 images takes about
/// half a second, too long to keep frames and commands flowing), through <see cref="Trainer.TrainBatches"/>, so the
/// batches are exactly those of epoch-by-epoch training.
/// </para>
/// <para>
/// The test images are evaluated when a frame is built, at most every 200 ms and never more than a fifth of the
/// time (a CNN's pass over 500 images is far longer than a frame): frames in between carry the batch count and the
/// last evaluation. The training loss and accuracy are those of the batches trained since the previous evaluation
/// (as a progress bar shows them), not a second pass over the training images. Evaluation and classification run
/// on copies of the model with one batch size each, so no layer reallocates its buffers between training batches.
/// </para>
/// </remarks>
internal sealed class ImageSession : LiveSession
{
    /// <summary>Test images per evaluation batch (memory of a CNN's activations stays near 10 MB).</summary>
    private const int EvaluationBatch = 100;

    /// <summary>Curve points kept for a page that is not reading them (a session without a stream).</summary>
    private const int MaxCurvePoints = 4096;

    /// <summary>Batches one step trains at most.</summary>
    public const int MaxStepBatches = 1000;

    private const int Classes = 10;

    private static readonly Activation Softmax = ActivationRegistry.Parse("softmax");
    private static readonly long MinEvaluationInterval = Stopwatch.Frequency / 5;

    private readonly ImageData _data;
    private readonly BatchIterator _testBatches;
    private readonly List<CurvePoint> _curve = [];
    private readonly int _galleryCount;
    private readonly int[] _galleryPredicted;
    private readonly float[] _galleryProbability;
    private readonly float[] _probabilities = new float[EvaluationBatch * Classes];
    private readonly Tensor _drawing = new(1, 1, ImageData.Side, ImageData.Side);
    private ImageConfig _config = new();
    private Sequential _model = null!;
    private Sequential _evaluationModel = null!;
    private Sequential _drawingModel = null!;
    private Trainer _trainer = null!;
    private Optimizer _optimizer = null!;
    private Loss _loss = null!;
    private Tensor? _lossGradient;
    private ConfusionMatrix _confusion = new(Classes);
    private bool _running;
    private string _status = "paused";
    private string? _error;
    private int _epoch;
    private int _batch;
    private int _batchesPerEpoch;
    private double _trainLossSum;
    private long _trainCorrect;
    private long _trainSamples;
    private (double Loss, double Accuracy) _lastTrain = (double.NaN, double.NaN);
    private (double Loss, double Accuracy) _lastTest = (double.NaN, double.NaN);
    private long _evaluatedUpdates = -1;
    private long _nextEvaluation;

    public ImageSession(PlaygroundLimits limits, ImageData data)
        : base(limits)
    {
        _data = data ?? throw new ArgumentNullException(nameof(data));
        _testBatches = new BatchIterator(data.Test, EvaluationBatch, shuffle: false, seed: 0);
        _galleryCount = data.GalleryLabels.Count;
        _galleryPredicted = new int[_galleryCount];
        _galleryProbability = new float[_galleryCount];
    }

    public ImageConfig Config => _config;

    protected override bool Running => _running;

    /// <summary>As fast as possible: the loop calls <see cref="TrainEpoch"/> (one batch) until its slice is used.</summary>
    protected override double EpochsPerSecond => 0;

    /// <summary>Epochs trained, with the fraction of the current one.</summary>
    private double EpochsTrained => _batchesPerEpoch == 0 ? 0 : (double)Updates / _batchesPerEpoch;

    /// <summary>Builds the network from a validated config: new weights from its seed, epoch 0, paused.</summary>
    public void Configure(ImageConfig config)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        string spec = ImageModels.SpecOf(config);
        var shape = _data.Train.FeatureShape;
        _model = Sequential.Parse(spec);
        _model.Build(shape, config.Seed);
        _evaluationModel = Copy(spec, shape);
        _drawingModel = Copy(spec, shape);
        _loss = TaskDefaults.Loss(TaskKind.Multiclass);
        _optimizer = Optimizer.Create(config.Optimizer, config.LearningRate);
        _trainer = new Trainer(_model, _loss, _optimizer);
        _batchesPerEpoch = (_data.Train.Count + config.BatchSize - 1) / config.BatchSize;
        _epoch = 1;
        _batch = 0;
        Updates = 0;
        ResetRate();
        (_trainLossSum, _trainCorrect, _trainSamples) = (0, 0, 0);
        _lastTrain = (double.NaN, double.NaN);
        _curve.Clear();
        _running = false;
        _status = "paused";
        _error = null;
        Evaluate();
        RequestFrame();
    }

    private static Sequential Copy(string spec, TensorShape shape)
    {
        var copy = Sequential.Parse(spec);
        copy.Build(shape, seed: 0);
        return copy;
    }

    public object Play() => Do(() =>
    {
        if (_status is not ("diverged" or "error"))
        {
            _running = true;
            _status = "running";
        }
    });

    public object Pause() => Do(() =>
    {
        _running = false;
        _status = _status is "diverged" or "error" ? _status : "paused";
    });

    /// <summary>Pauses, trains <paramref name="batches"/> batches (null: one epoch's worth) and evaluates the test images.</summary>
    public object Step(int? batches) => Do(() =>
    {
        _running = false;
        if (_status is "diverged" or "error")
        {
            return;
        }

        _status = "paused";
        int count = batches ?? _batchesPerEpoch;
        for (int i = 0; i < count && _status == "paused"; i++)
        {
            TrainEpoch();
        }

        if (_status == "paused")
        {
            Evaluate();
        }
    });

    public object Reset() => Do(() => Configure(_config));

    private object Do(Action action)
    {
        action();
        RequestFrame();
        return Summary();
    }

    /// <summary>What a command answers: the state and the last evaluation.</summary>
    public object Summary() => new
    {
        status = _status,
        error = _error,
        epoch = Math.Round(EpochsTrained, 3),
        batches = Updates,
        trainLoss = Finite(_lastTrain.Loss),
        trainAccuracy = Finite(_lastTrain.Accuracy),
        testLoss = Finite(_lastTest.Loss),
        testAccuracy = Finite(_lastTest.Accuracy),
        evaluatedAt = _evaluatedUpdates,
    };

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>Trains one mini-batch (the loop calls this while running; see the remarks).</summary>
    protected internal override void TrainEpoch()
    {
        try
        {
            var report = _trainer.TrainBatches(_data.Train, _epoch, _batch, 1, _config.BatchSize, _config.Seed)!.Value;
            int n = Math.Min(_config.BatchSize, _data.Train.Count - _batch * _config.BatchSize);
            _trainLossSum += report.Loss * n;
            _trainCorrect += (long)Math.Round(report.Accuracy * n);
            _trainSamples += n;
            Updates++;
            if (++_batch == _batchesPerEpoch)
            {
                _batch = 0;
                _epoch++;
            }
        }
        catch (TrainingDivergedException e)
        {
            _running = false;
            _status = "diverged";
            _error = e.Message;
            RequestFrame();
        }
    }

    protected override void Fail(Exception error)
    {
        _running = false;
        _status = "error";
        _error = $"The server failed in this session ({error.GetType().Name}: {error.Message}). Reset the network or reload the page.";
        Console.Error.WriteLine($"image session {Id}: {error}");
    }

    /// <summary>
    /// Runs the test images through a copy of the model: loss, accuracy, the confusion matrix and the gallery's
    /// predictions; closes the running training averages into a curve point.
    /// </summary>
    private void Evaluate()
    {
        long start = Stopwatch.GetTimestamp();
        PlaygroundSession.CopyWeights(_model, _evaluationModel);
        var confusion = new ConfusionMatrix(Classes);
        double lossSum = 0;
        for (int b = 0; b < _testBatches.BatchesPerEpoch; b++)
        {
            _testBatches.Fill(0, b, out var x, out var y);
            var output = _evaluationModel.Forward(x, training: false);
            if (_lossGradient is null || _lossGradient.Shape != output.Shape)
            {
                _lossGradient = new Tensor(output.Shape);
            }

            lossSum += _loss.Compute(output, y, _lossGradient) * x.BatchSize;
            if (TensorPrimitives.IsFiniteAll<float>(output.Span))
            {
                confusion.AddOutputs(output, y, TaskKind.Multiclass);
            }

            int first = b * EvaluationBatch;
            int rows = Math.Min(x.BatchSize, _galleryCount - first);
            if (rows > 0)
            {
                var probabilities = _probabilities.AsSpan(0, rows * Classes);
                Softmax.Forward(output.Span[..probabilities.Length], probabilities, Classes);
                for (int i = 0; i < rows; i++)
                {
                    var row = probabilities.Slice(i * Classes, Classes);
                    int best = TensorPrimitives.IndexOfMax(row);
                    _galleryPredicted[first + i] = best;
                    _galleryProbability[first + i] = row[best];
                }
            }
        }

        _confusion = confusion;
        _lastTest = (lossSum / _data.Test.Count, confusion.Total == _data.Test.Count ? confusion.Accuracy : double.NaN);
        if (_trainSamples > 0)
        {
            _lastTrain = (_trainLossSum / _trainSamples, (double)_trainCorrect / _trainSamples);
            (_trainLossSum, _trainCorrect, _trainSamples) = (0, 0, 0);
        }

        _curve.Add(new CurvePoint(EpochsTrained, _lastTrain.Loss, _lastTest.Loss, _lastTrain.Accuracy, _lastTest.Accuracy));
        if (_curve.Count > MaxCurvePoints)
        {
            _curve.RemoveRange(0, _curve.Count - MaxCurvePoints);
        }

        _evaluatedUpdates = Updates;
        long now = Stopwatch.GetTimestamp();
        _nextEvaluation = now + Math.Max(MinEvaluationInterval, 4 * (now - start));
    }

    /// <summary>
    /// The class probabilities (softmax by the engine) of a 28x28 drawing, row-major, values in [0, 1] with white
    /// ink on black as in Fashion-MNIST, standardised exactly as the training images.
    /// </summary>
    public object Classify(ReadOnlySpan<double> pixels)
    {
        if (pixels.Length != _drawing.Length)
        {
            throw new ArgumentException($"A drawing has {_drawing.Length} pixels.", nameof(pixels));
        }

        if (_status is "diverged" or "error")
        {
            throw new WebRequestException(StatusCodes.Status409Conflict, "The network diverged (its weights are not finite) or its session failed, so it cannot classify; press reset.");
        }

        var x = _drawing.Span;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)pixels[i];
        }

        _data.Normalization.ApplyInPlace(_drawing);
        PlaygroundSession.CopyWeights(_model, _drawingModel);
        var output = _drawingModel.Forward(_drawing, training: false);
        var probabilities = new float[Classes];
        Softmax.Forward(output.Span, probabilities, Classes);
        if (!TensorPrimitives.IsFiniteAll<float>(probabilities))
        {
            throw new WebRequestException(StatusCodes.Status409Conflict, "The network's output for this drawing is not finite; press reset.");
        }

        var order = Enumerable.Range(0, Classes).OrderByDescending(c => probabilities[c]).ToArray();
        return new
        {
            probabilities,
            predicted = order[0],
            className = ImageData.ClassNames[order[0]],
            top = order.Take(3).Select(c => new { @class = c, name = ImageData.ClassNames[c], probability = probabilities[c] }),
            batches = Updates,
        };
    }

    protected internal override void WriteFrame(FrameWriter writer, long number, double unixMilliseconds)
    {
        if (_evaluatedUpdates != Updates && _status is not ("diverged" or "error") && (!_running || Stopwatch.GetTimestamp() >= _nextEvaluation))
        {
            Evaluate();
        }

        var w = writer.Header;
        w.WriteStartObject();
        w.WriteNumber("frame", number);
        w.WriteNumber("epoch", Math.Round(EpochsTrained, 3));
        w.WriteNumber("batches", Updates);
        w.WriteString("status", _status);
        if (_error is null)
        {
            w.WriteNull("error");
        }
        else
        {
            w.WriteString("error", _error);
        }

        FrameWriter.Number(w, "trainLoss", _lastTrain.Loss);
        FrameWriter.Number(w, "trainAccuracy", _lastTrain.Accuracy);
        FrameWriter.Number(w, "testLoss", _lastTest.Loss);
        FrameWriter.Number(w, "testAccuracy", _lastTest.Accuracy);
        w.WriteNumber("evaluatedAt", _evaluatedUpdates);
        w.WriteStartArray("curve");
        foreach (var p in _curve)
        {
            w.WriteStartArray();
            w.WriteNumberValue(Math.Round(p.Epoch, 3));
            NumberOrNull(w, p.TrainLoss);
            NumberOrNull(w, p.TestLoss);
            NumberOrNull(w, p.TrainAccuracy);
            NumberOrNull(w, p.TestAccuracy);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        _curve.Clear();
        w.WriteStartArray("confusion");
        for (int actual = 0; actual < Classes; actual++)
        {
            w.WriteStartArray();
            for (int predicted = 0; predicted < Classes; predicted++)
            {
                w.WriteNumberValue(_confusion[actual, predicted]);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteStartObject("gallery");
        w.WriteStartArray("predicted");
        foreach (int p in _galleryPredicted)
        {
            w.WriteNumberValue(p);
        }

        w.WriteEndArray();
        w.WriteStartArray("probability");
        foreach (float p in _galleryProbability)
        {
            NumberOrNull(w, Math.Round(p, 4));
        }

        w.WriteEndArray();
        w.WriteEndObject();
        FrameWriter.Number(w, "updatesPerSecond", UpdatesPerSecond);
        w.WriteNumber("time", unixMilliseconds);
        w.WriteEndObject();
    }

    private static void NumberOrNull(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumberValue(value);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    /// <summary>The session as the page needs it after a create or a config change (docs/web-api.md, "Images").</summary>
    public void WriteView(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WritePropertyName("config");
        JsonSerializer.Serialize(w, _config, WebJson.Options);
        w.WriteStartObject("network");
        w.WriteString("spec", _model.Spec);
        w.WriteNumber("parameters", _model.ParameterCount);
        w.WriteString("outputActivation", TaskDefaults.OutputActivation(TaskKind.Multiclass));
        w.WriteString("loss", _loss.Name);
        w.WriteString("optimizer", _optimizer.ToString());
        w.WriteEndObject();
        w.WriteStartArray("classNames");
        foreach (string name in ImageData.ClassNames)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteStartObject("data");
        w.WriteNumber("train", _data.Train.Count);
        w.WriteNumber("test", _data.Test.Count);
        w.WriteNumber("side", ImageData.Side);
        w.WriteNumber("mean", _data.Normalization.Mean[0]);
        w.WriteNumber("std", _data.Normalization.Std[0]);
        w.WriteEndObject();
        w.WriteNumber("batchesPerEpoch", _batchesPerEpoch);
        w.WriteEndObject();
    }

    private readonly record struct CurvePoint(double Epoch, double TrainLoss, double TestLoss, double TrainAccuracy, double TestAccuracy);
}
