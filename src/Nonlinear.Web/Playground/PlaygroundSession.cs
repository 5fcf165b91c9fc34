using System.Globalization;
using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Nonlinear.Web.Sessions;
using Nonlinear.Web.Uploads;

namespace Nonlinear.Web.Playground;

/// <summary>
/// One playground tab: a 2-D dataset (or an uploaded table), a small network trained by the engine's
/// <see cref="Trainer"/> epoch by epoch at TF Playground's pace (or faster), and frames with the output heatmap,
/// every neuron's heatmap, the weights, the losses, the test confusion matrix and the diagnostics, all computed by
/// the engine. A table without two chosen columns has no 2-D views: its frames carry no grids.
/// </summary>
/// <remarks>
/// Evaluation runs on copies of the model that keep one batch size each (the heatmap grid, the training points,
/// the test points), so no layer reallocates its buffers between training batches and frames.
/// </remarks>
internal sealed class PlaygroundSession : LiveSession
{
    /// <summary>Side of the output heatmap grid.</summary>
    public const int GridSize = 100;

    /// <summary>Side of each neuron's heatmap (every second grid point).</summary>
    public const int ThumbSize = 50;

    private const double BaseEpochsPerSecond = 60;

    private readonly List<(int Epoch, double Train, double Test)> _curve = [];
    private static readonly Activation Sigmoid = ActivationRegistry.Parse("sigmoid");
    private static readonly Activation Softmax = ActivationRegistry.Parse("softmax");
    private readonly UploadStore? _uploads;
    private float[] _gridValues = [];
    private readonly float[] _thumbValues = new float[ThumbSize * ThumbSize];
    private float[] _layerThumbs = [];
    private PlaygroundConfig _config = new();
    private string[] _warnings = [];
    private PlaygroundPoints? _trainPoints;
    private PlaygroundPoints? _testPoints;
    private UploadedTable? _table;
    private ConfusionMatrix? _confusion;
    private Dataset _train = null!;
    private Dataset _test = null!;
    private Sequential _model = null!;
    private Sequential _gridModel = null!;
    private Sequential _trainModel = null!;
    private Sequential _testModel = null!;
    private Trainer _trainer = null!;
    private Optimizer? _optimizer;
    private Loss _loss = null!;
    private TrainingDiagnostics _diagnostics = null!;
    private Tensor _gridInput = null!;
    private IReadOnlyList<Advice> _advice = [];
    private IReadOnlyList<Advice> _runtimeAdvice = [];
    private HiddenBlock[] _blocks = [];
    private Tensor? _trainGradient;
    private Tensor? _testGradient;
    private bool _running;
    private string _status = "paused";
    private string? _error;
    private int _epoch;
    private int _dataSeed;
    private (double Loss, double Accuracy) _lastTrain = (double.NaN, double.NaN);
    private (double Loss, double Accuracy) _lastTest = (double.NaN, double.NaN);

    public PlaygroundSession(PlaygroundLimits limits, UploadStore? uploads = null)
        : base(limits)
    {
        _uploads = uploads;
    }

    public PlaygroundConfig Config => _config;

    protected override bool Running => _running;

    protected override double EpochsPerSecond => _config.Speed <= 0 ? 0 : BaseEpochsPerSecond * _config.Speed;

    /// <summary>Builds data and network from a validated config (on the loop, or before <see cref="LiveSession.Start"/>).</summary>
    public void Configure(PlaygroundConfig config, IReadOnlyList<string> warnings, int? dataSeed = null)
    {
        if (_optimizer is not null && dataSeed is null && _status is not ("diverged" or "error") && OnlyPaceOrDisplayChanged(_config, config))
        {
            // As TF Playground: the learning rate, the pace and what is drawn change without starting over. Not after
            // a divergence or a failure: a lower learning rate is the usual fix, and it must lift the stop.
            _config = config;
            _warnings = [.. warnings];
            _optimizer.LearningRate = config.LearningRate;
            ResetRate();
            RequestFrame();
            return;
        }

        int seed = dataSeed ?? PlaygroundData.SeedOf(config.Seed);
        if (config.ActiveDataset == "csv")
        {
            // The table in use stays with the session (also after the store forgets it); another id is looked up.
            var upload = _table is { } held && held.Upload.Id == config.CsvId
                ? held.Upload
                : (_uploads ?? throw WebRequestException.BadRequest("This server keeps no uploads.")).Get(config.CsvId, StatusCodes.Status400BadRequest);
            var table = UploadedTable.Prepare(upload, config, seed);
            (_table, _train, _test, _trainPoints, _testPoints) = (table, table.Train, table.Test, table.TrainPoints, table.TestPoints);
        }
        else
        {
            var split = PlaygroundSplit.Generate(config, seed);
            (_table, _train, _test, _trainPoints, _testPoints) = (null, split.Train, split.Test, split.TrainPoints, split.TestPoints);
        }

        _dataSeed = seed;
        _config = config;
        _warnings = [.. warnings];
        BuildNetwork();
    }

    private static bool OnlyPaceOrDisplayChanged(PlaygroundConfig before, PlaygroundConfig after)
    {
        var rest = after with
        {
            LearningRate = before.LearningRate,
            Speed = before.Speed,
            ShowTestData = before.ShowTestData,
            Discretize = before.Discretize,
            HideText = before.HideText,
            Hidden = before.Hidden,
        };
        return JsonSerializer.Serialize(rest, WebJson.Options) == JsonSerializer.Serialize(before, WebJson.Options);
    }

    /// <summary>The network's inputs (the <paramref name="features"/> of each point) and targets.</summary>
    internal static Dataset ToDataset(string name, PlaygroundPoints points, IReadOnlyList<string> features, TaskKind task, int classes, IReadOnlyList<string>? classNames = null)
    {
        if (task == TaskKind.Sequence)
        {
            throw new ArgumentException("The playground's points have one label each; sequence tasks (a class at every step) are trained with 'nonlinear train --data words'.", nameof(task));
        }

        int f = features.Count;
        var values = new float[points.Count * f];
        InputFeatures.Fill(features, points.X, points.Y, values);
        var targets = task == TaskKind.Multiclass
            ? Tensor.FromArray((float[])points.Label.Clone(), points.Count)
            : Tensor.FromArray((float[])points.Label.Clone(), points.Count, 1);
        return new Dataset(name, Tensor.FromArray(values, points.Count, f), targets, task, task == TaskKind.Regression ? 0 : classes, classNames);
    }

    /// <summary>Whether the data lies in the plane (generated, or a table with two chosen columns): heatmaps and points exist.</summary>
    private bool HasPlane => _table is null || _table.HasPlane;

    /// <summary>The names of the network's inputs: the config's features, or a table's columns.</summary>
    private IReadOnlyList<string> Inputs => _table?.Inputs ?? _config.Features;

    /// <summary>The model spec of the config: per hidden layer dense, [batchnorm], activation, [dropout]; then the output layer.</summary>
    public static string SpecOf(PlaygroundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return SpecOf(config, config.Problem == "classification" && config.Classes > 2 ? config.Classes : 1);
    }

    /// <summary>The model spec of the config's hidden layers with <paramref name="outputs"/> output units.</summary>
    public static string SpecOf(PlaygroundConfig config, int outputs)
    {
        ArgumentNullException.ThrowIfNull(config);
        var tokens = new List<string>();
        foreach (var layer in config.Layers)
        {
            tokens.Add($"dense:{layer.Units.ToString(CultureInfo.InvariantCulture)}");
            if (layer.BatchNorm)
            {
                tokens.Add("batchnorm");
            }

            tokens.Add(layer.Activation ?? config.Activation);
            if (layer.Dropout > 0)
            {
                tokens.Add($"dropout:{layer.Dropout.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        tokens.Add($"dense:{outputs.ToString(CultureInfo.InvariantCulture)}");
        return string.Join(",", tokens);
    }

    private void BuildNetwork()
    {
        var config = _config;
        int outputs = _train.Task == TaskKind.Multiclass ? _train.ClassCount : 1;
        var network = PlaygroundNetwork.Build(config, _train, new TrainingDiagnostics { StatisticsInterval = 1, HistoryCapacity = 4 });
        _model = network.Model;
        _gridModel = network.Copy();
        _trainModel = network.Copy();
        _testModel = network.Copy();
        _loss = network.Loss;
        _optimizer = network.Optimizer;
        _diagnostics = network.Diagnostics;
        _trainer = network.Trainer;
        _blocks = HiddenBlock.Find(_model);
        _advice = network.Advice;
        _runtimeAdvice = [];
        if (HasPlane)
        {
            FillGridInput(config.Features);
            if (_gridValues.Length != GridSize * GridSize * outputs)
            {
                _gridValues = new float[GridSize * GridSize * outputs];
            }
        }
        _epoch = 0;
        Updates = 0;
        ResetRate();
        _curve.Clear();
        _running = false;
        _status = "paused";
        _error = null;
        Evaluate();
        _curve.Add((0, _lastTrain.Loss, _lastTest.Loss));
        RequestFrame();
    }


    private void FillGridInput(IReadOnlyList<string> features)
    {
        int n = GridSize * GridSize;
        var x = new float[n];
        var y = new float[n];
        for (int r = 0; r < GridSize; r++)
        {
            for (int c = 0; c < GridSize; c++)
            {
                x[r * GridSize + c] = (float)GridCoordinate(c);
                y[r * GridSize + c] = (float)-GridCoordinate(r);
            }
        }

        _gridInput = new Tensor(n, features.Count);
        InputFeatures.Fill(features, x, y, _gridInput.Span);
    }

    /// <summary>The coordinate of grid cell <paramref name="index"/>'s centre, from -6 (index 0) to +6.</summary>
    public static double GridCoordinate(int index) => -PlaygroundData.Domain + 2 * PlaygroundData.Domain * (index + 0.5) / GridSize;

    public object Play() => Do(() => { if (_status is not ("diverged" or "error")) { _running = true; _status = "running"; } });

    public object Pause() => Do(() => { _running = false; _status = _status is "diverged" or "error" ? _status : "paused"; });

    public object Step() => Do(() =>
    {
        _running = false;
        if (_status is not ("diverged" or "error"))
        {
            _status = "paused";
            TrainEpoch();
        }
    });

    public object Reset() => Do(BuildNetwork);

    private object Do(Action action)
    {
        action();
        RequestFrame();
        return new { status = _status, epoch = _epoch };
    }

    /// <summary>Sets one weight (from = -1: the bias) of dense layer <paramref name="layer"/> (0-based among dense layers).</summary>
    public float SetWeight(int layer, int to, int from, float value)
    {
        var dense = _model.Layers.OfType<Dense>().ToArray();
        if ((uint)layer >= (uint)dense.Length)
        {
            throw WebRequestException.BadRequest($"layer {layer} is out of range: the network has {dense.Length} weight layers (0-{dense.Length - 1}).");
        }

        var d = dense[layer];
        int inputs = d.InputShape[0];
        if ((uint)to >= (uint)d.Units)
        {
            throw WebRequestException.BadRequest($"to = {to} is out of range: layer {layer} has {d.Units} neurons (0-{d.Units - 1}).");
        }

        if (from < -1 || from >= inputs)
        {
            throw WebRequestException.BadRequest($"from = {from} is out of range: layer {layer} has {inputs} inputs (0-{inputs - 1}, or -1 for the bias).");
        }

        if (!float.IsFinite(value) || Math.Abs(value) > 1e6f)
        {
            throw WebRequestException.BadRequest($"value = {value} is not a usable weight: expected a finite number within ±1e6.");
        }

        if (from < 0)
        {
            d.Bias.Value.Span[to] = value;
        }
        else
        {
            d.Weight.Value.Span[to * inputs + from] = value;
        }

        if (_status == "diverged")
        {
            _status = "paused";
            _error = null;
        }

        Evaluate();
        RequestFrame();
        return value;
    }

    protected internal override void TrainEpoch()
    {
        try
        {
            _trainer.TrainEpoch(_train, _epoch + 1, _config.BatchSize, _dataSeed);
            _epoch++;
            Updates += (_train.Count + _config.BatchSize - 1) / _config.BatchSize;
            if (_diagnostics.Latest is { } latest)
            {
                _runtimeAdvice = Advisor.FromDiagnostics(latest);
            }
        }
        catch (TrainingDivergedException e)
        {
            _running = false;
            _status = "diverged";
            _error = _diagnostics.FirstNonFinite is { } where
                ? $"{e.Message} The first non-finite value: {where}."
                : e.Message;
            RequestFrame();
        }
    }

    protected override void Fail(Exception error)
    {
        _running = false;
        _status = "error";
        _error = $"The server failed in this session ({error.GetType().Name}: {error.Message}). Reset the network or reload the page.";
        Console.Error.WriteLine($"playground session {Id}: {error}");
    }

    private void Evaluate()
    {
        _lastTrain = EvaluateOn(_trainModel, _train, ref _trainGradient, out _);
        _lastTest = EvaluateOn(_testModel, _test, ref _testGradient, out var testOutput);
        // Rows: the true class; columns: the predicted one (binary outputs are logits: class 1 above 0).
        _confusion = _test.Task == TaskKind.Regression ? null : ConfusionMatrix.FromOutputs(testOutput, _test.Targets, _test.Task, _test.ClassCount, binaryThreshold: 0f);
    }

    private (double Loss, double Accuracy) EvaluateOn(Sequential copy, Dataset data, ref Tensor? gradient, out Tensor output)
    {
        CopyWeights(_model, copy);
        output = copy.Forward(data.Features, training: false);
        if (gradient is null || gradient.Shape != output.Shape)
        {
            gradient = new Tensor(output.Shape);
        }

        double loss = _loss.Compute(output, data.Targets, gradient);
        double accuracy = data.Task == TaskKind.Regression ? double.NaN : (double)Trainer.Correct(output, data.Targets, data.Task) / data.Count;
        return (loss, accuracy);
    }

    /// <summary>Copies the parameters and state (batch-norm statistics) of <paramref name="from"/> into a model of the same spec.</summary>
    internal static void CopyWeights(Sequential from, Sequential to)
    {
        for (int i = 0; i < from.Parameters.Count; i++)
        {
            from.Parameters[i].Value.Span.CopyTo(to.Parameters[i].Value.Span);
        }

        for (int i = 0; i < from.State.Count; i++)
        {
            from.State[i].Value.Span.CopyTo(to.State[i].Value.Span);
        }
    }

    protected internal override void WriteFrame(FrameWriter writer, long number, double unixMilliseconds)
    {
        Evaluate();
        if (_curve.Count == 0 || _curve[^1].Epoch != _epoch)
        {
            _curve.Add((_epoch, _lastTrain.Loss, _lastTest.Loss));
        }

        Tensor? output = null;
        if (HasPlane)
        {
            CopyWeights(_model, _gridModel);
            output = _gridModel.Forward(_gridInput, training: false);
        }

        var w = writer.Header;
        w.WriteStartObject();
        w.WriteNumber("frame", number);
        w.WriteNumber("epoch", _epoch);
        w.WriteNumber("updates", Updates);
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
        FrameWriter.Number(w, "testLoss", _lastTest.Loss);
        FrameWriter.Number(w, "trainAccuracy", _lastTrain.Accuracy);
        FrameWriter.Number(w, "testAccuracy", _lastTest.Accuracy);
        w.WriteStartArray("curve");
        foreach (var (epoch, train, test) in _curve)
        {
            w.WriteStartArray();
            w.WriteNumberValue(epoch);
            WriteNumberOrNull(w, train);
            WriteNumberOrNull(w, test);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        _curve.Clear();
        FrameWriter.Number(w, "updatesPerSecond", UpdatesPerSecond);
        w.WriteNumber("time", unixMilliseconds);
        if (output is not null)
        {
            WriteOutput(writer, output);
            WriteNeurons(writer);
        }
        else
        {
            // No plane, no grids: the output's kind only, and no neuron heatmaps.
            w.WriteStartObject("output");
            w.WriteString("kind", _train.Task.ToString().ToLowerInvariant());
            w.WriteEndObject();
            w.WriteStartArray("neurons");
            w.WriteEndArray();
        }

        WriteConfusion(w);
        WriteWeights(w);
        WriteDiagnostics(w);
        WriteAdvice(w, "advice", _runtimeAdvice);
        WriteCollapse(w);
        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, double value)
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

    private void WriteOutput(FrameWriter writer, Tensor output)
    {
        var w = writer.Header;
        int n = GridSize * GridSize;
        var values = _gridValues.AsSpan(0, output.Length);
        w.WriteStartObject("output");
        switch (_train.Task)
        {
            case TaskKind.Binary:
                Sigmoid.Forward(output.Span, values);
                w.WriteString("kind", "binary");
                w.WriteNumber("lo", 0);
                w.WriteNumber("hi", 1);
                FrameWriter.Quantize(values, 0, 1, writer.Grid(n));
                break;
            case TaskKind.Multiclass:
                int k = _train.ClassCount;
                Softmax.Forward(output.Span, values, k);
                w.WriteString("kind", "multiclass");
                w.WriteNumber("lo", 0);
                w.WriteNumber("hi", 1);
                var classes = writer.Grid(n);
                var probability = writer.Grid(n);
                for (int i = 0; i < n; i++)
                {
                    var row = values.Slice(i * k, k);
                    int best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
                    classes[i] = (byte)best;
                    probability[i] = (byte)Math.Clamp(row[best] * 255f + 0.5f, 0f, 255f);
                }

                break;
            default:
                output.Span.CopyTo(values);
                var (lo, hi) = Range(values);
                w.WriteString("kind", "regression");
                w.WriteNumber("lo", lo);
                w.WriteNumber("hi", hi);
                FrameWriter.Quantize(values, lo, hi, writer.Grid(n));
                break;
        }

        w.WriteEndObject();
    }

    private void WriteConfusion(Utf8JsonWriter w)
    {
        if (_confusion is null)
        {
            w.WriteNull("confusion");
            return;
        }

        w.WriteStartArray("confusion");
        for (int actual = 0; actual < _confusion.ClassCount; actual++)
        {
            w.WriteStartArray();
            for (int predicted = 0; predicted < _confusion.ClassCount; predicted++)
            {
                w.WriteNumberValue(_confusion[actual, predicted]);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static (float Lo, float Hi) Range(ReadOnlySpan<float> values)
    {
        // Vectorised when every value is finite (the usual case); otherwise the loop below skips NaN and infinities.
        if (!values.IsEmpty && System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values))
        {
            return (System.Numerics.Tensors.TensorPrimitives.Min(values), System.Numerics.Tensors.TensorPrimitives.Max(values));
        }

        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (float.IsFinite(v))
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        if (!(lo <= hi))
        {
            return (0, 0);
        }

        return (lo, hi);
    }

    private void WriteNeurons(FrameWriter writer)
    {
        var w = writer.Header;
        w.WriteStartArray("neurons");
        const int area = ThumbSize * ThumbSize;
        for (int b = 0; b < _blocks.Length; b++)
        {
            var values = _gridModel.Layers[_blocks[b].Output].LastOutput!.Span;
            int units = _blocks[b].Units;
            if (_layerThumbs.Length < units * area)
            {
                _layerThumbs = new float[units * area];
            }

            // One pass over every second grid point fills all the layer's thumbnails (a point's units sit side by
            // side), rather than one strided pass over the whole layer output per unit.
            for (int r = 0; r < ThumbSize; r++)
            {
                for (int c = 0; c < ThumbSize; c++)
                {
                    var point = values.Slice(((2 * r * GridSize) + (2 * c)) * units, units);
                    int at = (r * ThumbSize) + c;
                    for (int u = 0; u < units; u++)
                    {
                        _layerThumbs[(u * area) + at] = point[u];
                    }
                }
            }

            for (int u = 0; u < units; u++)
            {
                var thumb = _layerThumbs.AsSpan(u * area, area);
                var (lo, hi) = Range(thumb);
                FrameWriter.Quantize(thumb, lo, hi, writer.Grid(area));
                w.WriteStartObject();
                w.WriteNumber("layer", b);
                w.WriteNumber("unit", u);
                w.WriteNumber("lo", lo);
                w.WriteNumber("hi", hi);
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
    }

    private void WriteWeights(Utf8JsonWriter w)
    {
        w.WriteStartArray("weights");
        foreach (var d in _model.Layers.OfType<Dense>())
        {
            int inputs = d.InputShape[0];
            var weights = d.Weight.Value.Span;
            w.WriteStartObject();
            w.WriteStartArray("w");
            for (int u = 0; u < d.Units; u++)
            {
                w.WriteStartArray();
                for (int i = 0; i < inputs; i++)
                {
                    WriteNumberOrNull(w, weights[u * inputs + i]);
                }

                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteStartArray("b");
            foreach (float b in d.Bias.Value.Span)
            {
                WriteNumberOrNull(w, b);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private void WriteDiagnostics(Utf8JsonWriter w)
    {
        w.WriteStartArray("diagnostics");
        var latest = _diagnostics.Latest;
        for (int b = 0; b < _blocks.Length && latest is not null; b++)
        {
            var block = _blocks[b];
            var dense = latest.Layers[block.Dense];
            var act = latest.Layers[block.Activation];
            var pre = latest.Layers[block.Activation - 1].Output;
            w.WriteStartObject();
            w.WriteNumber("layer", b);
            w.WriteString("activation", _model.Layers[block.Activation].Spec);
            FrameWriter.Number(w, "gradientNorm", dense.GradientNorm);
            FrameWriter.Number(w, "deadShare", act.DeadShare);
            FrameWriter.Number(w, "saturatedShare", act.SaturatedShare);
            FrameWriter.Number(w, "negativeShare", act.NegativeShare);
            if (pre is not null)
            {
                w.WriteStartObject("preActivation");
                FrameWriter.Number(w, "lo", pre.HistogramLow);
                FrameWriter.Number(w, "hi", pre.HistogramHigh);
                FrameWriter.Number(w, "mean", pre.Mean);
                FrameWriter.Number(w, "std", pre.Std);
                w.WriteStartArray("counts");
                foreach (long c in pre.Histogram)
                {
                    w.WriteNumberValue(c);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (latest is not null)
        {
            FrameWriter.Number(w, "gradientRatio", latest.GradientRatio);

            // The last bar of the page's gradient-flow chart: the ratio's denominator is the output layer's norm.
            FrameWriter.Number(w, "outputGradientNorm", latest.Layers[OutputDenseIndex].GradientNorm);
        }
    }

    /// <summary>Index in the model of the output layer's dense layer (the last one).</summary>
    private int OutputDenseIndex
    {
        get
        {
            int i = _model.Layers.Count - 1;
            while (i > 0 && _model.Layers[i] is not Dense)
            {
                i--;
            }

            return i;
        }
    }

    private void WriteAdvice(Utf8JsonWriter w, string name, IReadOnlyList<Advice> advice)
        => PageAdvice.Write(w, name, advice, HiddenLayerOf, OutputDenseIndex + 1);

    /// <summary>
    /// The hidden layer (0-based, as the page numbers them) that holds the advisor's 1-based model layer
    /// <paramref name="modelLayer"/>: its dense layer, batch norm, activation or dropout; null for the output layer.
    /// </summary>
    private int? HiddenLayerOf(int modelLayer)
    {
        int index = modelLayer - 1;
        for (int b = _blocks.Length - 1; b >= 0; b--)
        {
            if (index >= _blocks[b].Dense)
            {
                return index < OutputDenseIndex ? b : null;
            }
        }

        return null;
    }

    private void WriteCollapse(Utf8JsonWriter w)
    {
        bool linear = _blocks.All(b => _model.Layers[b.Activation] is ActivationLayer { Activation: Identity }) && !_config.Layers.Any(l => l.BatchNorm);
        var map = linear ? LinearCollapse.Collapse(_model) : null;
        if (map is null)
        {
            w.WriteNull("collapse");
            return;
        }

        w.WriteStartObject("collapse");
        w.WriteString("formula", map.Format(4));
        w.WriteStartArray("weights");
        for (int j = 0; j < map.Inputs; j++)
        {
            WriteNumberOrNull(w, map.Weight[0, j]);
        }

        w.WriteEndArray();
        FrameWriter.Number(w, "bias", map.Bias[0]);

        // One row per output (3-5 classes: one logit each; the boundary between two classes is where their logits meet).
        w.WriteStartArray("rows");
        for (int r = 0; r < map.Outputs; r++)
        {
            w.WriteStartObject();
            w.WriteStartArray("weights");
            for (int j = 0; j < map.Inputs; j++)
            {
                WriteNumberOrNull(w, map.Weight[r, j]);
            }

            w.WriteEndArray();
            FrameWriter.Number(w, "bias", map.Bias[r]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The session as the page needs it after a create or a config change (docs/web-api.md, "Session view").</summary>
    public void WriteView(Utf8JsonWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WritePropertyName("config");
        JsonSerializer.Serialize(w, _config, WebJson.Options);
        w.WriteString("hash", PlaygroundState.Format(_config));
        w.WriteStartArray("warnings");
        foreach (var warning in _warnings)
        {
            w.WriteStringValue(warning);
        }

        w.WriteEndArray();
        w.WriteStartObject("network");
        w.WriteString("spec", _model.Spec);
        w.WriteStartArray("features");
        foreach (var input in Inputs)
        {
            w.WriteStringValue(input);
        }

        w.WriteEndArray();
        w.WriteStartArray("layers");
        foreach (var block in _blocks)
        {
            w.WriteStartObject();
            w.WriteNumber("units", block.Units);
            w.WriteString("activation", _model.Layers[block.Activation].Spec);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("outputs", _model.OutputShape.Length);
        w.WriteString("outputActivation", TaskDefaults.OutputActivation(_train.Task));
        w.WriteString("loss", _loss.Name);
        w.WriteString("optimizer", OptimizerText());
        w.WriteNumber("parameters", _model.ParameterCount);
        w.WriteEndObject();
        w.WriteString("task", _train.Task.ToString().ToLowerInvariant());
        WriteClassNames(w);
        w.WriteStartArray("domain");
        w.WriteNumberValue(-PlaygroundData.Domain);
        w.WriteNumberValue(PlaygroundData.Domain);
        w.WriteEndArray();
        w.WriteNumber("grid", HasPlane ? GridSize : 0);
        w.WriteNumber("thumb", HasPlane ? ThumbSize : 0);
        // A large table is drawn from a sample: the first rows of each (shuffled) split.
        int shown = Limits.MaxSamples;
        if (_trainPoints is not null && _testPoints is not null)
        {
            w.WriteStartObject("points");
            WritePoints(w, "train", _trainPoints, shown);
            WritePoints(w, "test", _testPoints, shown);
            w.WriteEndObject();
        }

        if (_table is null)
        {
            w.WriteNull("csv");
        }
        else
        {
            _table.WriteView(w, Math.Min(shown, _trainPoints?.Count ?? 0) + Math.Min(shown, _testPoints?.Count ?? 0));
        }

        WriteFeatureThumbs(w);
        WriteAdvice(w, "advice", _advice);
        w.WriteEndObject();
    }

    private string OptimizerText() => _config.Optimizer switch
    {
        "momentum" => $"SGD with momentum 0.9, lr {_config.LearningRate.ToString(CultureInfo.InvariantCulture)}",
        "adam" => $"Adam, lr {_config.LearningRate.ToString(CultureInfo.InvariantCulture)}",
        _ => $"SGD, lr {_config.LearningRate.ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>classNames: a table's label texts, "0", "1", ... for generated classes, null for regression.</summary>
    private void WriteClassNames(Utf8JsonWriter w)
    {
        if (_train.Task == TaskKind.Regression)
        {
            w.WriteNull("classNames");
            return;
        }

        w.WriteStartArray("classNames");
        for (int c = 0; c < _train.ClassCount; c++)
        {
            w.WriteStringValue(_train.ClassNames is { } names ? names[c] : c.ToString(CultureInfo.InvariantCulture));
        }

        w.WriteEndArray();
    }

    private static void WritePoints(Utf8JsonWriter w, string name, PlaygroundPoints points, int max)
    {
        w.WriteStartObject(name);
        WriteArray(w, "x", points.X, max);
        WriteArray(w, "y", points.Y, max);
        WriteArray(w, "label", points.Label, max);
        w.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter w, string name, float[] values, int max)
    {
        w.WriteStartArray(name);
        foreach (float v in values.AsSpan(0, Math.Min(max, values.Length)))
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private void WriteFeatureThumbs(Utf8JsonWriter w)
    {
        w.WriteStartArray("featureThumbs");
        int f = HasPlane ? _config.Features.Count : 0;
        var bytes = new byte[ThumbSize * ThumbSize];
        for (int j = 0; j < f; j++)
        {
            for (int r = 0; r < ThumbSize; r++)
            {
                for (int c = 0; c < ThumbSize; c++)
                {
                    _thumbValues[r * ThumbSize + c] = _gridInput.Span[((2 * r) * GridSize + 2 * c) * f + j];
                }
            }

            var (lo, hi) = Range(_thumbValues);
            FrameWriter.Quantize(_thumbValues, lo, hi, bytes);
            w.WriteStartObject();
            w.WriteString("name", _config.Features[j]);
            w.WriteNumber("lo", lo);
            w.WriteNumber("hi", hi);
            w.WriteBase64String("data", bytes);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Where one hidden layer's pieces sit in the model: its dense layer, its activation, the layer whose output is the neurons'.</summary>
    private readonly record struct HiddenBlock(int Dense, int Activation, int Output, int Units)
    {
        public static HiddenBlock[] Find(Sequential model)
        {
            var blocks = new List<HiddenBlock>();
            var layers = model.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                if (layers[i] is Dense dense)
                {
                    int a = i + 1;
                    while (a < layers.Count && layers[a] is BatchNorm)
                    {
                        a++;
                    }

                    if (a < layers.Count && layers[a] is ActivationLayer)
                    {
                        blocks.Add(new HiddenBlock(i, a, a, dense.Units));
                    }
                }
            }

            return [.. blocks];
        }
    }
}
