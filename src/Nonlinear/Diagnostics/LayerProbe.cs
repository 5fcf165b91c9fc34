using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Diagnostics;

/// <summary>
/// What <see cref="TrainingDiagnostics"/> accumulates for one layer during an epoch: the weight-gradient norms,
/// the "ever alive" mask of a layer whose activation can have a zero derivative, the saturated pre-activations of
/// a saturating activation, the largest input of each unit of a rectifier, and the output statistics. Every
/// buffer is sized once per layer (per-sample sizes), so observing a batch allocates nothing.
/// </summary>
/// <remarks>
/// Large batches are split over the engine's worker threads (<see cref="WorkerPool"/>, the team the kernels use,
/// idle while the diagnostics run): the unit passes by ranges of units (each part owns its slice of the masks, so
/// nothing needs merging), the statistics by ranges of values (one accumulator per part, combined per epoch).
/// </remarks>
internal sealed class LayerProbe : IParallelJob
{
    /// <summary>Below this many values a batch is not worth waking a second thread for.</summary>
    private const int ParallelThreshold = 1 << 15;

    private readonly ElementwiseActivation? _activation;
    private readonly bool _deadCapable;
    private readonly bool _saturating;
    private readonly bool _rectifier;
    private readonly bool _isRelu;
    private readonly float _saturationLimit;
    private readonly float[] _ones = [];
    private readonly float[] _derivative = [];
    private readonly float[] _alive = [];
    private readonly float[] _largestInput = [];
    private readonly int[] _pending = [];
    private int _pendingCount = -1;
    private RunningStatistics[] _statistics;
    private long[] _saturated;
    private double _gradientSum;
    private int _gradientBatches;
    private long _preActivations;
    private bool _unitsSeen;

    // The batch being observed by the parts of a parallel job.
    private Tensor? _jobInput;
    private Tensor? _jobOutput;
    private int _jobParts;
    private bool _jobUnits;

    public LayerProbe(Layer layer, int index, DiagnosticsThresholds thresholds, int bins)
    {
        Layer = layer;
        Index = index;
        Weights = GradientFlow.WeightsOf(layer);
        Sequence = SequenceProbe.For(layer, thresholds.GateSaturation);
        _statistics = [new RunningStatistics(bins)];
        _saturated = new long[1];
        if (layer is ActivationLayer { Activation: ElementwiseActivation activation })
        {
            _activation = activation;
            var info = activation.Info;
            _isRelu = activation is Relu;
            _deadCapable = HasZeroDerivative(activation);
            _saturating = info.Family == ActivationFamily.Saturating;
            _rectifier = info.Family == ActivationFamily.Rectifier;
            _saturationLimit = (float)(thresholds.SaturationDerivative * info.DerivativeMax);
            int units = layer.OutputShape.Length;
            if ((_deadCapable && !_isRelu) || _saturating)
            {
                _ones = new float[units];
                _ones.AsSpan().Fill(1);
                _derivative = new float[units];
            }

            _alive = _deadCapable ? new float[units] : [];
            _largestInput = _rectifier && !_isRelu ? new float[units] : [];
            _pending = _isRelu || (_rectifier && !_deadCapable && !_saturating) ? new int[units] : [];
        }

        Reset();
    }

    public Layer Layer { get; }

    public int Index { get; }

    /// <summary>The layer's weight parameters (see <see cref="GradientFlow.WeightsOf"/>); empty when it has none.</summary>
    public Parameter[] Weights { get; }

    /// <summary>Whether the layer has weights.</summary>
    public bool HasWeights => Weights.Length > 0;

    /// <summary>The per-step probe of a recurrent or attention layer, or null.</summary>
    public SequenceProbe? Sequence { get; }

    /// <summary>
    /// A flatten layer after another layer outputs the same values in another shape: its statistics are the
    /// previous layer's, not gathered twice.
    /// </summary>
    public bool SharesPreviousOutput => Layer is Flatten && Index > 0;

    /// <summary>Whether the per-unit passes (dead units, saturation, negative inputs) apply to this layer.</summary>
    public bool WatchesUnits => _deadCapable || _saturating || _rectifier;

    public long NonFinite
    {
        get
        {
            long n = 0;
            foreach (var s in _statistics)
            {
                n += s.NonFinite;
            }

            return n;
        }
    }

    /// <summary>
    /// Whether the activation's derivative is exactly zero on a stretch of [-6, 6], two neighbouring points of a
    /// grid of step 0.5 (relu, relu6, hardtanh, hardsigmoid, hardswish, step): then a unit can die. Isolated zeros
    /// do not count (GELU's and SiLU's fall between the grid points; the Gaussian's peak at 0 is on one, but a
    /// unit cannot sit exactly there for every sample), nor does the underflow of smooth activations far outside.
    /// </summary>
    public static bool HasZeroDerivative(ElementwiseActivation activation)
    {
        bool previous = false;
        for (float x = -6; x <= 6; x += 0.5f)
        {
            bool zero = activation.Derivative(x) == 0;
            if (zero && previous)
            {
                return true;
            }

            previous = zero;
        }

        return false;
    }

    /// <summary>Adds this batch's weight-gradient norm; returns it (NaN for a layer without weights).</summary>
    public double ObserveGradient()
    {
        Sequence?.ObserveGradients();
        if (Weights.Length == 0)
        {
            return double.NaN;
        }

        double norm = GradientFlow.GradientNorm(Weights);
        _gradientSum += norm;
        _gradientBatches++;
        return norm;
    }

    /// <summary>The per-unit passes over one batch: input [N, units] and output [N, units] of an activation layer.</summary>
    public void ObserveUnits(Tensor input, Tensor output)
    {
        if (_activation is null || !WatchesUnits)
        {
            return;
        }

        if (_pendingCount >= 0)
        {
            ObservePending(input.Span, output.Span, output.SampleLength);
        }
        else
        {
            Run(input, output, units: true, output.SampleLength);
            UpdatePending();
        }

        _preActivations += output.Length;
        _unitsSeen = true;
    }

    public void ObserveStatistics(Tensor output)
    {
        if (!_statistics[0].HasRange && output.Length > 0)
        {
            var (min, max) = RunningStatistics.FiniteRange(output.Span);
            foreach (var s in _statistics)
            {
                s.SetRange(min, max);
            }
        }

        Run(output, output, units: false, output.Length / 16);
    }

    /// <summary>The epoch's diagnostics for this layer (<paramref name="output"/>: statistics to report instead of this layer's own).</summary>
    public LayerDiagnostics ToDiagnostics(ActivationStatistics? output = null)
    {
        double dead = _deadCapable && _unitsSeen ? (double)SpanCounts.Zeros(_alive) / _alive.Length : double.NaN;
        long saturatedCount = 0;
        foreach (long s in _saturated)
        {
            saturatedCount += s;
        }

        double saturated = _saturating && _preActivations > 0 ? (double)saturatedCount / _preActivations : double.NaN;
        double negative = !_rectifier || !_unitsSeen ? double.NaN
            : _isRelu ? dead // relu'(x) = 0 exactly when x <= 0
            : (double)SpanCounts.AtMostZero(_largestInput) / _largestInput.Length;
        return new LayerDiagnostics(Index, Layer.Spec, GradientNorm, dead, saturated, output ?? Statistics())
        {
            NegativeShare = negative,
            Recurrent = Sequence?.ToRecurrent(),
            Attention = Sequence?.ToAttention(),
        };
    }

    /// <summary>This epoch's output statistics (null when no batch was sampled).</summary>
    public ActivationStatistics? Statistics() => _statistics[0].HasRange ? RunningStatistics.Combine(_statistics) : null;

    /// <summary>Mean weight-gradient norm over the batches observed (NaN without weights or batches).</summary>
    public double GradientNorm => _gradientBatches == 0 ? double.NaN : _gradientSum / _gradientBatches;

    public void Reset()
    {
        Sequence?.Reset();
        _gradientSum = 0;
        _gradientBatches = 0;
        Array.Clear(_saturated);
        _preActivations = 0;
        _unitsSeen = false;
        Array.Clear(_alive);
        _largestInput.AsSpan().Fill(float.NegativeInfinity);
        _pendingCount = -1;
        foreach (var s in _statistics)
        {
            s.Reset();
        }
    }

    /// <inheritdoc/>
    public void Execute(int part)
    {
        if (_jobUnits)
        {
            // Units [from, to): split on multiples of 16 floats so that parts never share a cache line of a mask.
            int units = _jobOutput!.SampleLength;
            int from = Split(units, part), to = Split(units, part + 1);
            if (to > from)
            {
                ObserveUnits(_jobInput!.Span, _jobOutput.Span, units, from, to, ref _saturated[part]);
            }
        }
        else
        {
            var values = _jobOutput!.Span;
            int from = Split(values.Length, part), to = Split(values.Length, part + 1);
            _statistics[part].Add(values[from..to]);
        }
    }

    private int Split(int length, int part) => part == _jobParts ? length : Math.Min(length, (int)((long)length * part / _jobParts) & ~15);

    private void Run(Tensor input, Tensor output, bool units, int parallelWidth)
    {
        int parts = output.Length >= ParallelThreshold && parallelWidth >= 64 ? Math.Max(1, Engine.MaxThreads) : 1;
        if (parts > _statistics.Length)
        {
            // Sized once per thread count (the first large batch): no allocation in steady state.
            Grow(parts);
        }

        (_jobInput, _jobOutput, _jobParts, _jobUnits) = (input, output, parts, units);
        if (parts == 1)
        {
            Execute(0);
        }
        else
        {
            WorkerPool.Run(parts, this);
        }

        (_jobInput, _jobOutput) = (null, null);
    }

    private void Grow(int parts)
    {
        var statistics = new RunningStatistics[parts];
        _statistics.CopyTo(statistics, 0);
        for (int p = _statistics.Length; p < parts; p++)
        {
            statistics[p] = new RunningStatistics(_statistics[0].Bins);
            if (_statistics[0].HasRange)
            {
                var (low, high) = _statistics[0].Range;
                statistics[p].SetRange(low, high);
            }
        }

        var saturated = new long[parts];
        _saturated.CopyTo(saturated, 0);
        (_statistics, _saturated) = (statistics, saturated);
    }

    /// <summary>
    /// After a full pass: when only a few units are still undecided (never alive for ReLU, never positive input
    /// for the other rectifiers), later batches check just those (a unit that lived once in the epoch is alive
    /// whatever follows). Most units live on the first batch, so this saves reading every activation every batch.
    /// </summary>
    private void UpdatePending()
    {
        if (_pending.Length == 0)
        {
            return;
        }

        var marks = _isRelu ? _alive : _largestInput;
        int count = 0;
        for (int u = 0; u < marks.Length && count <= marks.Length / 4; u++)
        {
            if (!(marks[u] > 0))
            {
                count++;
            }
        }

        if (count > marks.Length / 4)
        {
            return;
        }

        count = 0;
        for (int u = 0; u < marks.Length; u++)
        {
            if (!(marks[u] > 0))
            {
                _pending[count++] = u;
            }
        }

        _pendingCount = count;
    }

    /// <summary>The undecided units only, sample by sample (in unit order, so that a dead channel is read contiguously).</summary>
    private void ObservePending(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int units)
    {
        var values = _isRelu ? y : x;
        var marks = _isRelu ? _alive : _largestInput;
        int samples = values.Length / units;
        for (int s = 0; s < samples && _pendingCount > 0; s++)
        {
            var row = values.Slice(s * units, units);
            int kept = 0;
            for (int i = 0; i < _pendingCount; i++)
            {
                int u = _pending[i];
                float v = row[u];
                if (v > 0)
                {
                    marks[u] = v;
                }
                else
                {
                    _pending[kept++] = u;
                }
            }

            _pendingCount = kept;
        }
    }

    private void ObserveUnits(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int units, int from, int to, ref long saturated)
    {
        int width = to - from;
        Span<float> Part(float[] buffer) => buffer.Length == 0 ? default : buffer.AsSpan(from, width);
        var ones = Part(_ones);
        var derivative = Part(_derivative);
        var alive = Part(_alive);
        var largest = Part(_largestInput);
        int samples = y.Length / units;
        for (int s = 0; s < samples; s++)
        {
            int offset = (s * units) + from;
            var xs = x.Slice(offset, width);
            var ys = y.Slice(offset, width);
            if (_isRelu)
            {
                // relu'(x) is 0 exactly where the output is 0, and the output is never negative: the running
                // maximum of the outputs is non-zero exactly for the units that were alive at least once.
                TensorPrimitives.Max(alive, ys, alive);
                continue;
            }

            if (_deadCapable || _saturating)
            {
                // f'(x) for every unit of this sample: the activation's own backward with dL/dy = 1.
                _activation!.Backward(xs, ys, ones, derivative);
                if (_deadCapable)
                {
                    TensorPrimitives.MaxMagnitude(alive, derivative, alive);
                }

                if (_saturating)
                {
                    saturated += SpanCounts.MagnitudeBelow(derivative, _saturationLimit);
                }
            }

            if (_rectifier)
            {
                TensorPrimitives.Max(largest, xs, largest);
            }
        }
    }
}
