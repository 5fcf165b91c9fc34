using Nonlinear.Activations;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Every catalog activation as ONNX operators (opset 14 and later): the matching operator where ONNX has one with
/// our definition, else an exact composition of elementwise operators. The compositions follow our own kernels,
/// clamps included, so that ±∞ gives our limits rather than ∞·0 = NaN (see docs/onnx.md for the table).
/// </summary>
internal static class OnnxActivations
{
    /// <summary>
    /// The activations that cannot be exported, by catalog name, with the reason. Empty: every catalog activation
    /// has an operator or an exact composition.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NotExportable { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Why <paramref name="activation"/> cannot be exported, or null when it can.</summary>
    public static string? Unsupported(Activation activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        return NotExportable.TryGetValue(activation.Name, out var why) ? $"activation '{activation.Spec}' cannot be exported to ONNX: {why}"
            : IsKnown(activation) ? null
            : $"activation '{activation.Spec}' ({activation.GetType().Name}) has no ONNX mapping";
    }

    /// <summary>Applies <paramref name="activation"/> to the builder's current value (the shape is kept).</summary>
    /// <exception cref="NotSupportedException">The activation has no mapping.</exception>
    public static void Emit(OnnxGraphBuilder graph, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (Unsupported(activation) is { } why)
        {
            throw new NotSupportedException(why);
        }

        var x = graph.Current;
        string y = activation switch
        {
            Identity => x,
            Sigmoid => graph.AddNode("Sigmoid", [x]),
            Tanh => graph.AddNode("Tanh", [x]),
            Relu => graph.AddNode("Relu", [x]),
            LeakyRelu a => graph.AddNode("LeakyRelu", [x], OnnxGraphBuilder.Attribute("alpha", a.Alpha)),
            Elu a => graph.AddNode("Elu", [x], OnnxGraphBuilder.Attribute("alpha", a.Alpha)),
            Selu => graph.AddNode("Selu", [x], OnnxGraphBuilder.Attribute("alpha", (float)Selu.Alpha), OnnxGraphBuilder.Attribute("gamma", (float)Selu.Scale)),
            Gelu { TanhApproximation: false } => GeluExact(graph, x),
            Gelu => GeluTanh(graph, x),
            Silu => SiluOf(graph, x),
            Mish => MishOf(graph, x),
            Softplus a => SoftplusOf(graph, x, a.Beta, a.Threshold),
            Softsign => graph.AddNode("Softsign", [Clip(graph, x, -float.MaxValue, float.MaxValue)]),
            HardSigmoid => graph.AddNode("HardSigmoid", [x], OnnxGraphBuilder.Attribute("alpha", 1f / 6f), OnnxGraphBuilder.Attribute("beta", 0.5f)),
            HardSwish => graph.AddNode("HardSwish", [graph.AddNode("Max", [x, graph.Scalar(-4f)])]),
            Relu6 => Clip(graph, x, 0f, 6f),
            HardTanh a => Clip(graph, x, a.Min, a.Max),
            LogSigmoid => graph.AddNode("Neg", [graph.AddNode("Softplus", [graph.AddNode("Neg", [x])])]),
            Sin => graph.AddNode("Sin", [x]),
            Gaussian => graph.AddNode("Exp", [graph.AddNode("Neg", [graph.AddNode("Mul", [x, x])])]),
            Step => StepOf(graph, x),
            Softmax => graph.AddNode("Softmax", [x], OnnxGraphBuilder.Attribute("axis", -1L)),
            LogSoftmax => graph.AddNode("LogSoftmax", [x], OnnxGraphBuilder.Attribute("axis", -1L)),
            _ => throw new NotSupportedException($"activation '{activation.Spec}' has no ONNX mapping"),
        };
        graph.SetCurrent(y);
    }

    private static bool IsKnown(Activation a) => a is Identity or Sigmoid or Tanh or Relu or LeakyRelu or Elu or Selu or Gelu or Silu
        or Mish or Softplus or Softsign or HardSigmoid or HardSwish or Relu6 or HardTanh or LogSigmoid or Sin or Gaussian or Step
        or Softmax or LogSoftmax;

    private static string Clip(OnnxGraphBuilder graph, string x, float min, float max)
        => graph.AddNode("Clip", [x, graph.Scalar(min), graph.Scalar(max)]);

    // (0.5 x) (1 + erf(x / sqrt 2)), the Erf pattern of PyTorch's export (halving first, which is exact, so that
    // x (1 + erf) cannot overflow above 1.7e38), on max(x, -16): below -16 Phi(x) is 0 in float32 (ours gives -0
    // there too), and -inf · 0 would be NaN.
    private static string GeluExact(OnnxGraphBuilder graph, string x)
    {
        var xc = graph.AddNode("Max", [x, graph.Scalar(-16f)]);
        var erf = graph.AddNode("Erf", [graph.AddNode("Div", [xc, graph.Scalar(MathF.Sqrt(2f))])]);
        var gate = graph.AddNode("Add", [erf, graph.Scalar(1f)]);
        return graph.AddNode("Mul", [graph.AddNode("Mul", [xc, graph.Scalar(0.5f)]), gate]);
    }

    // 0.5 x (1 + tanh u) = x sigmoid(2u) = x / (1 + e^(-2u)), u = sqrt(2/pi) (x + 0.044715 x^3), with x clamped
    // to [-200, 200] as ours. The e^ form keeps full relative precision in the left tail, where 1 + tanh u cancels.
    private static string GeluTanh(OnnxGraphBuilder graph, string x)
    {
        var xc = Clip(graph, x, -200f, 200f);
        var cube = graph.AddNode("Mul", [graph.AddNode("Mul", [xc, xc]), xc]);
        var inner = graph.AddNode("Add", [xc, graph.AddNode("Mul", [cube, graph.Scalar(0.044715f)])]);
        var minusTwoU = graph.AddNode("Mul", [inner, graph.Scalar((float)(-2 * Math.Sqrt(2 / Math.PI)))]);
        var denominator = graph.AddNode("Add", [graph.AddNode("Exp", [minusTwoU]), graph.Scalar(1f)]);
        return graph.AddNode("Div", [graph.AddNode("Max", [x, graph.Scalar(-200f)]), denominator]);
    }

    // x sigmoid(x) = x / (1 + e^(-x)), with max(x, -200) as the numerator as ours (-inf · 0 would be NaN).
    private static string SiluOf(OnnxGraphBuilder graph, string x)
    {
        var denominator = graph.AddNode("Add", [graph.AddNode("Exp", [graph.AddNode("Neg", [x])]), graph.Scalar(1f)]);
        return graph.AddNode("Div", [graph.AddNode("Max", [x, graph.Scalar(-200f)]), denominator]);
    }

    // x tanh(softplus(x)) = x w / (w + 2), w = n (n + 2), n = e^min(x, 20) (tanh(ln(1 + n)) = w / (w + 2) exactly),
    // as our kernel computes it, with max(x, -200) as the factor.
    private static string MishOf(OnnxGraphBuilder graph, string x)
    {
        var n = graph.AddNode("Exp", [graph.AddNode("Min", [x, graph.Scalar(20f)])]);
        var w = graph.AddNode("Mul", [n, graph.AddNode("Add", [n, graph.Scalar(2f)])]);
        var gate = graph.AddNode("Div", [w, graph.AddNode("Add", [w, graph.Scalar(2f)])]);
        return graph.AddNode("Mul", [graph.AddNode("Max", [x, graph.Scalar(-200f)]), gate]);
    }

    // 1 where x > 0, else 0, and NaN stays NaN (as ours; Greater alone would give 0).
    private static string StepOf(OnnxGraphBuilder graph, string x)
    {
        var step = graph.AddNode("Cast", [graph.AddNode("Greater", [x, graph.Scalar(0f)])], OnnxGraphBuilder.Attribute("to", (long)global::Onnx.TensorProto.Types.DataType.Float));
        return graph.AddNode("Where", [graph.AddNode("IsNaN", [x]), x, step]);
    }

    // PyTorch's softplus: x where beta x > threshold, else ln(1 + e^(beta x)) / beta. ONNX's Softplus is the stable
    // ln(1 + e^z) (no overflow for large z), so the branch Where does not take stays finite.
    private static string SoftplusOf(OnnxGraphBuilder graph, string x, float beta, float threshold)
    {
        var z = beta == 1f ? x : graph.AddNode("Mul", [x, graph.Scalar(beta)]);
        var soft = graph.AddNode("Softplus", [z]);
        if (beta != 1f)
        {
            soft = graph.AddNode("Div", [soft, graph.Scalar(beta)]);
        }

        return graph.AddNode("Where", [graph.AddNode("Greater", [z, graph.Scalar(threshold)]), x, soft]);
    }
}
