using Nonlinear.Models;
using Nonlinear.Tensors;
using Nonlinear.Training;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Opt-in diagnostics of a training run, cheap enough to leave on: attach to a trainer
/// (<c>trainer.Diagnostics = new TrainingDiagnostics();</c>) and read one <see cref="EpochDiagnostics"/> per
/// epoch from <see cref="History"/> or <see cref="EpochCompleted"/>.
/// </summary>
/// <remarks>
/// <para>Per epoch and per layer:</para>
/// <list type="bullet">
/// <item>Gradient flow: the L2 norm of the weight gradient (the parameter named "weight"; biases excluded) after
/// every backward pass, averaged over the epoch; the first/last ratio says whether gradients vanish or explode.</item>
/// <item>Dead units, for activations whose derivative is exactly zero on part of the domain (relu, relu6,
/// hardtanh, hardsigmoid, hardswish): the share of units (per-sample output positions: features, or
/// channels × pixels) whose derivative was zero on every sample of the epoch.</item>
/// <item>Negative inputs, for rectifiers (including Leaky ReLU, whose units never die exactly): the share of units
/// whose input was at most zero on every sample (<see cref="LayerDiagnostics.NegativeShare"/>).</item>
/// <item>Saturation, for saturating activations (sigmoid, tanh, softsign, hard variants): the share of
/// pre-activations whose derivative was below <see cref="DiagnosticsThresholds.SaturationDerivative"/> times the
/// activation's largest derivative.</item>
/// <item>Output statistics (mean, std, min, max, histogram, non-finite count) of every layer, over every
/// <see cref="StatisticsInterval"/>-th batch; the histogram's range is the first such batch's min and max.</item>
/// <item>The first NaN or infinity: epoch, batch and layer (<see cref="FirstNonFinite"/>).</item>
/// </list>
/// <para>
/// Dead units, saturation and gradient norms see every batch (a unit is dead only if it was dead on every sample).
/// Everything is vectorised and works in buffers sized once per model, so steady-state training still allocates
/// nothing per batch; only the per-epoch summary allocates.
/// </para>
/// </remarks>
public sealed class TrainingDiagnostics : ITrainingObserver
{
    private readonly List<EpochDiagnostics> _history = [];
    private Sequential? _model;
    private LayerProbe[] _probes = [];
    private int _firstWeighted = -1;
    private int _lastWeighted = -1;
    private int _epoch;
    private int _batches;
    private NonFiniteLocation? _epochNonFinite;
    private int _historyCapacity;

    /// <summary>Diagnostics with the given thresholds (<see cref="DiagnosticsThresholds.Default"/> when null).</summary>
    public TrainingDiagnostics(DiagnosticsThresholds? thresholds = null)
    {
        Thresholds = thresholds ?? DiagnosticsThresholds.Default;
    }

    /// <summary>The thresholds (saturation uses <see cref="DiagnosticsThresholds.SaturationDerivative"/>).</summary>
    public DiagnosticsThresholds Thresholds { get; }

    /// <summary>
    /// Output statistics are gathered on batch 1 of every epoch and every this-many batches after it (default 8;
    /// 1 = every batch). Gradient norms, dead units and saturation always see every batch.
    /// </summary>
    public int StatisticsInterval
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = 8;

    /// <summary>Bins of each output histogram (default 20).</summary>
    public int HistogramBins
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1024);
            field = value;
        }
    } = 20;

    /// <summary>One entry per completed epoch, in order (an epoch that diverged is included, up to its last batch).</summary>
    public IReadOnlyList<EpochDiagnostics> History => _history;

    /// <summary>The last entry of <see cref="History"/>, or null before the first epoch ends.</summary>
    public EpochDiagnostics? Latest => _history.Count == 0 ? null : _history[^1];

    /// <summary>
    /// The most epochs <see cref="History"/> keeps (the oldest are dropped first); 0 (the default) keeps them all. A
    /// run that never ends, such as an interactive playground at 60 epochs a second, sets a bound.
    /// </summary>
    public int HistoryCapacity
    {
        get => _historyCapacity;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _historyCapacity = value;
        }
    }

    /// <summary>Where the first NaN or infinity of the whole run appeared, or null while everything is finite.</summary>
    public NonFiniteLocation? FirstNonFinite { get; private set; }

    /// <summary>Raised when an epoch's diagnostics are complete (before the trainer's own EpochEnded event).</summary>
    public event Action<EpochDiagnostics>? EpochCompleted;

    /// <summary>Forgets the history and any partial epoch.</summary>
    public void Reset()
    {
        _history.Clear();
        _epoch = 0;
        _batches = 0;
        _epochNonFinite = null;
        FirstNonFinite = null;
        foreach (var p in _probes)
        {
            p.Reset();
        }
    }

    /// <inheritdoc/>
    void ITrainingObserver.BatchEnded(Sequential model, Tensor input, int epoch, int batch)
    {
        Begin(model, batch);
        _batches++;
        bool gradientsFinite = true;
        for (int i = 0; i < _probes.Length; i++)
        {
            var probe = _probes[i];
            if (!double.IsFinite(probe.ObserveGradient()) && probe.HasWeights)
            {
                gradientsFinite = false;
            }

            var output = probe.Layer.LastOutput!;
            if (probe.WatchesUnits)
            {
                probe.ObserveUnits(i == 0 ? input : _probes[i - 1].Layer.LastOutput!, output);
            }
        }

        if ((batch - 1) % StatisticsInterval == 0)
        {
            ObserveStatistics(batch);
        }

        if (!gradientsFinite && _epochNonFinite is null)
        {
            Locate(batch, gradientsToo: true);
        }
    }

    /// <inheritdoc/>
    void ITrainingObserver.Diverged(Sequential model, Tensor input, int epoch, int batch)
    {
        Begin(model, batch);
        ObserveStatistics(batch);
        if (_epochNonFinite is null)
        {
            Locate(batch, gradientsToo: false);
        }

        Complete();
    }

    /// <inheritdoc/>
    void ITrainingObserver.EpochEnded(Sequential model, int epoch)
    {
        if (ReferenceEquals(model, _model) && _batches > 0)
        {
            Complete();
        }
    }

    /// <summary>Binds to the model on first sight; drops a partial epoch (a cancelled Fit) when a new one starts.</summary>
    private void Begin(Sequential model, int batch)
    {
        if (!ReferenceEquals(model, _model))
        {
            Bind(model);
        }
        else if (batch == 1 && _batches > 0)
        {
            ResetEpoch();
        }
    }

    private void Bind(Sequential model)
    {
        _model = model;
        _probes = new LayerProbe[model.Layers.Count];
        _firstWeighted = _lastWeighted = -1;
        for (int i = 0; i < _probes.Length; i++)
        {
            _probes[i] = new LayerProbe(model.Layers[i], i, Thresholds, HistogramBins);
            if (_probes[i].HasWeights)
            {
                _firstWeighted = _firstWeighted < 0 ? i : _firstWeighted;
                _lastWeighted = i;
            }
        }

        _batches = 0;
        _epochNonFinite = null;
    }

    private void ObserveStatistics(int batch)
    {
        for (int i = 0; i < _probes.Length; i++)
        {
            var probe = _probes[i];
            if (probe.SharesPreviousOutput)
            {
                continue;
            }

            probe.Sequence?.ObserveForward();
            long before = probe.NonFinite;
            probe.ObserveStatistics(probe.Layer.LastOutput!);
            if (probe.NonFinite > before && _epochNonFinite is null)
            {
                Record(new NonFiniteLocation(_epoch + 1, batch, i, probe.Layer.Spec, "output"));
            }
        }
    }

    /// <summary>Finds the first layer whose output (then, if asked, whose weight gradient) is not finite.</summary>
    private void Locate(int batch, bool gradientsToo)
    {
        for (int i = 0; i < _probes.Length; i++)
        {
            if (!TensorPrimitives.IsFiniteAll<float>(_probes[i].Layer.LastOutput!.Span))
            {
                Record(new NonFiniteLocation(_epoch + 1, batch, i, _probes[i].Layer.Spec, "output"));
                return;
            }
        }

        if (gradientsToo)
        {
            // Backward runs from the last layer to the first, so the last non-finite gradient is where it started.
            for (int i = _probes.Length - 1; i >= 0; i--)
            {
                if (_probes[i].Weights.Any(w => !TensorPrimitives.IsFiniteAll<float>(w.Gradient.Span)))
                {
                    Record(new NonFiniteLocation(_epoch + 1, batch, i, _probes[i].Layer.Spec, "weight gradient"));
                    return;
                }
            }

            // Only a float norm overflowed (elements past ~1e19 are finite); the loss was finite: nothing to record yet.
            return;
        }

        Record(new NonFiniteLocation(_epoch + 1, batch, -1, "loss", "value"));
    }

    private void Record(NonFiniteLocation location)
    {
        _epochNonFinite = location;
        FirstNonFinite ??= location;
    }

    private void Complete()
    {
        _epoch++;
        var layers = new LayerDiagnostics[_probes.Length];
        for (int i = 0; i < layers.Length; i++)
        {
            layers[i] = _probes[i].ToDiagnostics(_probes[i].SharesPreviousOutput ? layers[i - 1].Output : null);
        }

        double ratio = _firstWeighted >= 0 && _firstWeighted != _lastWeighted
            ? GradientFlow.Ratio(_probes[_firstWeighted].GradientNorm, _probes[_lastWeighted].GradientNorm)
            : double.NaN;
        var diagnostics = new EpochDiagnostics(_epoch, layers, ratio, _epochNonFinite?.ToString());
        _history.Add(diagnostics);
        if (_historyCapacity > 0 && _history.Count > _historyCapacity)
        {
            _history.RemoveRange(0, _history.Count - _historyCapacity);
        }

        ResetEpoch();
        EpochCompleted?.Invoke(diagnostics);
    }

    private void ResetEpoch()
    {
        _batches = 0;
        _epochNonFinite = null;
        foreach (var p in _probes)
        {
            p.Reset();
        }
    }
}
