using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Losses;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The backprop221 widget: the chain rule for one parameter of a 2-2-1 network, factor by factor, next to the
/// gradient the engine's backward pass computed and a central finite difference of the engine's loss.
/// </summary>
/// <remarks>
/// The loss is the engine's mean squared error on the one output, L = (ŷ − y)², so ∂L/∂ŷ = 2(ŷ − y). For a weight
/// w into hidden unit j from input i: ∂L/∂w = ∂L/∂ŷ · f′(z_out) · v_j · g′(z_j) · x_i, with v_j the output weight
/// from unit j, g the hidden and f the output activation; a bias has 1 in place of x_i. For an output weight v_j:
/// ∂L/∂v_j = ∂L/∂ŷ · f′(z_out) · a_j.
/// </remarks>
internal static class Backprop221Widget
{
    /// <summary>
    /// The finite-difference step: the engine runs in float32, so the step balances rounding (about 1e-7 / h)
    /// against the central difference's own error (about h²).
    /// </summary>
    public const float Step = 0.01f;

    public static object Answer(BackpropWidgetRequest body)
    {
        var network = TinyNetwork.From(body.Network, elementwise: true, out var x);
        float target = (float)WidgetInput.Number(body.Target, "target", TinyNetwork.Limit);
        int layer = WidgetInput.Count(body.Layer, "layer", 1, 2, 1);
        int to = layer == 1 ? WidgetInput.Count(body.To, "to", 0, 1, 0) : WidgetInput.Count(body.To, "to", 0, 0, 0);
        int from = WidgetInput.Count(body.From, "from", -1, 1, 0);

        var loss = new MeanSquaredError();
        var (forward, value, dLoss) = network.Backward(x, target, loss);
        var dense = layer == 1 ? network.First : network.Second;
        var parameter = from < 0 ? dense.Bias : dense.Weight;
        int index = from < 0 ? to : to * 2 + from;
        float engine = parameter.Gradient.Span[index];

        var hidden = (ElementwiseActivation)network.Hidden;
        var output = (ElementwiseActivation)network.Output;
        var factors = new List<ChainFactor>
        {
            Factor("dL/dŷ", "∂L/∂ŷ = 2(ŷ − y)", dLoss),
            Factor("f'(z_out)", $"{output.Spec}′(z_out)", output.Derivative(forward.ZOut)),
        };
        string name;
        if (layer == 1)
        {
            int j = to + 1;
            factors.Add(Factor($"v{j}", $"v{j}, the weight from h{j} to the output", network.Second.Weight.Value.Span[to]));
            factors.Add(Factor($"g'(z{j})", $"{hidden.Spec}′(z{j})", hidden.Derivative(forward.ZHidden[to])));
            factors.Add(from < 0 ? Factor("1", "1 (a bias multiplies 1)", 1f) : Factor($"x{from + 1}", $"x{from + 1}, the input", x[from]));
            name = from < 0 ? $"b{j}" : $"w{j}{from + 1}";
        }
        else
        {
            factors.Add(from < 0 ? Factor("1", "1 (a bias multiplies 1)", 1f) : Factor($"a{from + 1}", $"a{from + 1}, the hidden unit's output", forward.AHidden[from]));
            name = from < 0 ? "c" : $"v{from + 1}";
        }

        // The product in float64 of the float32 factors: what the chain rule gives, rounded once.
        double product = factors.Aggregate(1.0, (p, f) => p * f.Value);

        return new
        {
            hidden = hidden.Spec,
            output = output.Spec,
            x,
            target,
            zHidden = forward.ZHidden,
            aHidden = forward.AHidden,
            zOut = forward.ZOut,
            yHat = forward.YHat,
            loss = value,
            lossName = loss.Name,
            parameter = new { layer, to, from, name, value = parameter.Value.Span[index] },
            factors,
            product,
            engineGradient = engine,
            finiteDifference = FiniteDifference(network, parameter, index, x, target, loss),
            step = Step,
        };
    }

    private static ChainFactor Factor(string symbol, string label, float value) => new(symbol, label, value);

    /// <summary>(L(p + h) − L(p − h)) / 2h with the engine's forward pass and loss; the parameter is restored.</summary>
    private static double FiniteDifference(TinyNetwork network, Parameter parameter, int index, float[] x, float target, Loss loss)
    {
        var span = parameter.Value.Span;
        float kept = span[index];
        span[index] = kept + Step;
        double up = network.Loss(x, target, loss);
        span[index] = kept - Step;
        double down = network.Loss(x, target, loss);
        span[index] = kept;

        // The step actually taken in float32, so the quotient is not off by the rounding of kept ± h.
        double taken = (double)(kept + Step) - (kept - Step);
        return (up - down) / taken;
    }
}
