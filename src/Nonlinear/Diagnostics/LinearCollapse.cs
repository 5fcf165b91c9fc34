using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Diagnostics;

/// <summary>
/// Finds where a model is linear and what it collapses to. A stack of dense layers with identity activations is
/// one affine map, W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), whatever its depth: it cannot learn XOR.
/// </summary>
public static class LinearCollapse
{
    /// <summary>
    /// Every stretch of consecutive linear layers (dense, identity) with at least one dense layer, in order. On
    /// sequences [T, F] dense layers act at each step, and the map is the one applied at every step (from F inputs).
    /// </summary>
    public static IReadOnlyList<LinearStretch> Stretches(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new List<LinearStretch>();
        var layers = model.Layers;
        int i = 0;
        while (i < layers.Count)
        {
            if (!IsLinear(layers[i]))
            {
                i++;
                continue;
            }

            int first = i;
            int dense = 0;
            AffineMap? map = null;
            int inputs = -1, outputs = -1;
            for (; i < layers.Count && IsLinear(layers[i]); i++)
            {
                if (layers[i] is Dense d)
                {
                    dense++;
                    outputs = d.Units;
                    if (d.IsBuilt)
                    {
                        inputs = inputs < 0 ? d.InputShape[-1] : inputs;
                        map = (map ?? AffineMap.Identity(d.InputShape[-1])).Then(d.Weight.Value.Span, d.Bias.Value.Span, d.Units);
                    }
                }
            }

            if (dense > 0)
            {
                result.Add(new LinearStretch(first + 1, i, dense, inputs, outputs, map));
            }
        }

        return result;
    }

    /// <summary>
    /// The single affine map a fully linear model computes, or null when the model has a non-linearity (or
    /// layers other than dense and identity) or its input is not a flat vector (a sequence model's map acts per step:
    /// see <see cref="Stretches"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built (it has no weights yet).</exception>
    public static AffineMap? Collapse(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsBuilt)
        {
            throw new InvalidOperationException("Build the model before collapsing it: the map is made of its weights.");
        }

        if (!model.Layers.All(IsLinear) || model.InputShape.Rank != 1)
        {
            return null;
        }

        var stretches = Stretches(model);
        return stretches.Count == 1 ? stretches[0].Map : AffineMap.Identity(model.InputShape[0]);
    }

    /// <summary>
    /// The largest absolute difference between the model and <paramref name="map"/> on <paramref name="samples"/>
    /// random inputs uniform in [-scale, scale] (seeded): how well the collapse is verified.
    /// </summary>
    public static double MaxDifference(Sequential model, AffineMap map, int samples, int seed, double scale = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(map);
        var rng = new Random(seed);
        var x = new Tensor(samples, map.Inputs);
        for (int i = 0; i < x.Length; i++)
        {
            x.Span[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        }

        var y = model.Forward(x);
        double worst = 0;
        for (int n = 0; n < samples; n++)
        {
            var expected = map.Apply(x.Row(n));
            var row = y.Row(n);
            for (int r = 0; r < expected.Length; r++)
            {
                worst = Math.Max(worst, Math.Abs(expected[r] - row[r]));
            }
        }

        return worst;
    }

    private static bool IsLinear(Layer layer) => layer is Dense || layer is ActivationLayer { Activation.Info.Family: ActivationFamily.Linear };
}
