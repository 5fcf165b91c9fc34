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
internal sealed class LayerProbe
{
    private readonly ElementwiseActivation? _activation;
    private readonly bool _deadCapable;
    private readonly bool _saturating;
    private readonly bool _rectifier;
    private readonly float _saturationLimit;
    private readonly float[] _ones = [];
    private readonly float[] _derivative = [];
    private readonly float[] _alive = [];
    private readonly float[] _largestInput = [];
    private readonly RunningStatistics _statistics;
    private double _gradientSum;
    private int _gradientBatches;
    private long _saturated;
    private long _preActivations;
    private bool _unitsSeen;

    public LayerProbe(Layer layer, int index, DiagnosticsThresholds thresholds, int bins)
    {
        Layer = layer;
        Index = index;
        Weight = GradientFlow.WeightOf(layer);
        _statistics = new RunningStatistics(bins);
        if (layer is ActivationLayer { Activation: ElementwiseActivation activation })
        {
            _activation = activation;
            var info = activation.Info;
            _deadCapable = HasZeroDerivative(activation);
            _saturating = info.Family == ActivationFamily.Saturating;
            _rectifier = info.Family == ActivationFamily.Rectifier;
            _saturationLimit = (float)(thresholds.SaturationDerivative * info.DerivativeMax);
            int units = layer.OutputShape.Length;
            if (_deadCapable || _saturating)
            {
                _ones = new float[units];
                _ones.AsSpan().Fill(1);
                _derivative = new float[units];
            }

            _alive = _deadCapable ? new float[units] : [];
            _largestInput = _rectifier ? new float[units] : [];
        }

        Reset();
    }

    public Layer Layer { get; }

    public int Index { get; }

    /// <summary>The layer's parameter named "weight", or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>Whether the per-unit passes (dead units, saturation, negative inputs) apply to this layer.</summary>
    public bool WatchesUnits => _deadCapable || _saturating || _rectifier;

    public long NonFinite => _statistics.NonFinite;

    /// <summary>
    /// Whether the activation's derivative is exactly zero somewhere on [-6, 6] (relu, relu6, hardtanh,
    /// hardsigmoid, hardswish): then a unit can die. Smooth activations (sigmoid, GELU, SiLU, ELU...) are checked
    /// on a grid that misses their isolated zeros, and only reach a zero derivative by underflow far outside it.
    /// </summary>
    public static bool HasZeroDerivative(ElementwiseActivation activation)
    {
        for (float x = -6; x <= 6; x += 0.5f)
        {
            if (activation.Derivative(x) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds this batch's weight-gradient norm; returns it (NaN for a layer without weights).</summary>
    public double ObserveGradient()
    {
        if (Weight is null)
        {
            return double.NaN;
        }

        double norm = TensorPrimitives.Norm<float>(Weight.Gradient.Span);
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

        int units = output.SampleLength;
        int samples = output.BatchSize;
        var x = input.Span;
        var y = output.Span;
        ReadOnlySpan<float> ones = _ones;
        Span<float> derivative = _derivative;
        for (int s = 0; s < samples; s++)
        {
            var xs = x.Slice(s * units, units);
            if (_deadCapable || _saturating)
            {
                // f'(x) for every unit of this sample: the activation's own backward with dL/dy = 1.
                _activation.Backward(xs, y.Slice(s * units, units), ones, derivative);
                if (_deadCapable)
                {
                    TensorPrimitives.MaxMagnitude(_alive, derivative, _alive);
                }

                if (_saturating)
                {
                    _saturated += SpanCounts.MagnitudeBelow(derivative, _saturationLimit);
                }
            }

            if (_rectifier)
            {
                TensorPrimitives.Max(_largestInput, xs, _largestInput);
            }
        }

        _preActivations += (long)samples * units;
        _unitsSeen = true;
    }

    public void ObserveStatistics(Tensor output) => _statistics.Add(output.Span);

    /// <summary>The epoch's diagnostics for this layer.</summary>
    public LayerDiagnostics ToDiagnostics(bool withStatistics)
    {
        double dead = _deadCapable && _unitsSeen ? (double)SpanCounts.Zeros(_alive) / _alive.Length : double.NaN;
        double saturated = _saturating && _preActivations > 0 ? (double)_saturated / _preActivations : double.NaN;
        double negative = _rectifier && _unitsSeen ? (double)SpanCounts.AtMostZero(_largestInput) / _largestInput.Length : double.NaN;
        return new LayerDiagnostics(
            Index,
            Layer.Spec,
            GradientNorm,
            dead,
            saturated,
            withStatistics ? _statistics.ToStatistics() : null)
        {
            NegativeShare = negative,
        };
    }

    /// <summary>Mean weight-gradient norm over the batches observed (NaN without weights or batches).</summary>
    public double GradientNorm => _gradientBatches == 0 ? double.NaN : _gradientSum / _gradientBatches;

    public void Reset()
    {
        _gradientSum = 0;
        _gradientBatches = 0;
        _saturated = 0;
        _preActivations = 0;
        _unitsSeen = false;
        Array.Clear(_alive);
        _largestInput.AsSpan().Fill(float.NegativeInfinity);
        _statistics.Reset();
    }
}
