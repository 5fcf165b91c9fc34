using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Layers.Recurrent;

namespace Nonlinear.Diagnostics;

/// <summary>
/// The per-time-step part of <see cref="LayerProbe"/> for sequence layers, read from what the layer keeps (nothing is
/// recomputed): for a recurrent layer the gradient norm reaching each step (<see cref="RecurrentLayer.StepGradientNorms"/>,
/// every batch) and the saturation of each gate (<see cref="RecurrentLayer.LastGateValues"/>); for attention (or a
/// transformer block's attention) the entropy of the attention rows per head (<see cref="MultiHeadAttention.AttentionWeights"/>).
/// Gates and entropies are read on the statistics batches only. Buffers are sized once, so observing allocates nothing.
/// </summary>
internal sealed class SequenceProbe
{
    private readonly RecurrentLayer? _recurrent;
    private readonly MultiHeadAttention? _attention;
    private readonly double[] _stepSums = [];
    private readonly long[] _saturated = [];
    private readonly float[] _low = [];
    private readonly float[] _high = [];
    private readonly double[] _entropySums = [];
    private readonly double _uniformEntropy;
    private readonly int _steps;
    private int _stepBatches;
    private long _gateValues;
    private long _entropyRows;

    private SequenceProbe(RecurrentLayer? recurrent, MultiHeadAttention? attention, double gateThreshold)
    {
        _recurrent = recurrent;
        _attention = attention;
        if (recurrent is not null)
        {
            _steps = recurrent.Steps;
            recurrent.RecordsStepGradients = true;
            _stepSums = new double[_steps];
            int gates = recurrent.Gates;
            _saturated = new long[gates];
            _low = new float[gates];
            _high = new float[gates];
            for (int g = 0; g < gates; g++)
            {
                var info = recurrent.GateActivation(g).Info;
                double range = info.OutputMax - info.OutputMin;
                bool bounded = double.IsFinite(range);
                _low[g] = bounded ? (float)(info.OutputMin + gateThreshold * range) : float.NegativeInfinity;
                _high[g] = bounded ? (float)(info.OutputMax - gateThreshold * range) : float.PositiveInfinity;
            }
        }
        else if (attention is not null)
        {
            _steps = attention.InputShape[0];
            _entropySums = new double[attention.Heads];
            double uniform = 0;
            for (int t = 0; t < _steps; t++)
            {
                uniform += Math.Log(attention.Causal ? t + 1 : _steps);
            }

            _uniformEntropy = uniform / _steps;
        }
    }

    /// <summary>A probe for a built recurrent, attention or transformer layer; null for any other layer.</summary>
    public static SequenceProbe? For(Layer layer, double gateThreshold) => layer switch
    {
        RecurrentLayer { IsBuilt: true } r => new SequenceProbe(r, null, gateThreshold),
        MultiHeadAttention { IsBuilt: true } a => new SequenceProbe(null, a, gateThreshold),
        TransformerEncoderBlock { IsBuilt: true } b => new SequenceProbe(null, b.Attention, gateThreshold),
        _ => null,
    };

    /// <summary>After a backward pass: adds the recurrent layer's per-step gradient norms (when it recorded them).</summary>
    public void ObserveGradients()
    {
        if (_recurrent is null)
        {
            return;
        }

        var norms = _recurrent.StepGradientNorms;
        if (norms.Length != _stepSums.Length)
        {
            return;
        }

        for (int t = 0; t < norms.Length; t++)
        {
            _stepSums[t] += norms[t];
        }

        _stepBatches++;
    }

    /// <summary>After a forward pass: counts saturated gate values, or adds the attention rows' entropies.</summary>
    public void ObserveForward()
    {
        if (_recurrent is not null)
        {
            ObserveGates(_recurrent.LastGateValues, _recurrent.Gates, _recurrent.HiddenSize);
        }
        else if (_attention is not null)
        {
            ObserveEntropy(_attention.AttentionWeights, _attention.Heads);
        }
    }

    public RecurrentDiagnostics? ToRecurrent()
    {
        if (_recurrent is null)
        {
            return null;
        }

        var norms = _stepBatches == 0 ? [] : _stepSums.Select(s => s / _stepBatches).ToArray();
        var gates = new GateSaturation[_saturated.Length];
        for (int g = 0; g < gates.Length; g++)
        {
            bool bounded = float.IsFinite(_low[g]);
            double share = bounded && _gateValues > 0 ? (double)_saturated[g] / _gateValues : double.NaN;
            gates[g] = new GateSaturation(_recurrent.GateNames[g], _recurrent.GateActivation(g).Spec, share);
        }

        return new RecurrentDiagnostics(norms, gates);
    }

    public AttentionDiagnostics? ToAttention()
    {
        if (_attention is null)
        {
            return null;
        }

        var entropy = _entropySums.Select(s => _entropyRows == 0 ? double.NaN : s / _entropyRows).ToArray();
        return new AttentionDiagnostics(entropy, _uniformEntropy, _steps);
    }

    public void Reset()
    {
        Array.Clear(_stepSums);
        _stepBatches = 0;
        Array.Clear(_saturated);
        _gateValues = 0;
        Array.Clear(_entropySums);
        _entropyRows = 0;
    }

    /// <summary>Values [T, N, G·H]: per gate, the values at or beyond its saturation limits.</summary>
    private void ObserveGates(ReadOnlySpan<float> values, int gates, int hidden)
    {
        int width = gates * hidden;
        if (values.Length == 0 || values.Length % width != 0)
        {
            return;
        }

        int rows = values.Length / width;
        for (int g = 0; g < gates; g++)
        {
            float low = _low[g], high = _high[g];
            if (!float.IsFinite(low))
            {
                continue;
            }

            long count = 0;
            for (int r = 0; r < rows; r++)
            {
                foreach (float v in values.Slice(r * width + g * hidden, hidden))
                {
                    if (v <= low || v >= high)
                    {
                        count++;
                    }
                }
            }

            _saturated[g] += count;
        }

        _gateValues += (long)rows * hidden;
    }

    /// <summary>Weights [N, h, T, T]: adds −Σ p ln p of every row to its head's sum.</summary>
    private void ObserveEntropy(ReadOnlySpan<float> weights, int heads)
    {
        int t = _steps, block = t * t;
        if (weights.Length == 0 || weights.Length % (heads * block) != 0)
        {
            return;
        }

        int matrices = weights.Length / block;
        for (int m = 0; m < matrices; m++)
        {
            _entropySums[m % heads] += SoftmaxKernel.Entropy(weights.Slice(m * block, block));
        }

        _entropyRows += (long)(matrices / heads) * t;
    }
}
