using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Tensors;
using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// Recognises activations in an ONNX graph by what they compute rather than by the exact nodes: a run of elementwise
/// nodes from one value x to one value y whose other inputs are scalar constants is a function y = f(x); it is
/// evaluated (in double) on a grid over [-10, 10] and compared with every activation in the catalog, with parameters
/// taken from the run's constants and attributes. So the Erf pattern of GELU, tanh GELU, Mish (Softplus, Tanh, Mul),
/// SiLU (Sigmoid, Mul), HardSwish (HardSigmoid, Mul), Softplus with beta (Mul, Softplus, Div), Clip (ReLU6, HardTanh)
/// and the single ONNX operators (Relu, Elu, Selu, Celu with alpha 1, LeakyRelu, HardSigmoid, ...) are found in
/// whatever order the exporter wrote them.
/// </summary>
internal static class ImportActivations
{
    /// <summary>The elementwise operators a run may contain.</summary>
    public static readonly IReadOnlySet<string> Elementwise = new HashSet<string>(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Erf", "Tanh", "Sigmoid", "Relu", "LeakyRelu", "Elu", "Selu",
        "Celu", "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Clip", "Exp", "Log", "Neg", "Abs", "Sqrt",
        "Reciprocal", "Sin", "Identity", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "Equal", "Where", "Cast", "IsNaN", "Not", "Sign",
    };

    private const int GridPoints = 641;

    /// <summary>The longest run tried (tanh GELU is 11 nodes): bounds the work a forged graph can cause.</summary>
    private const int MaxRunNodes = 32;

    private static readonly double[] Grid = MakeGrid();

    /// <summary>
    /// The activation computed from <paramref name="x"/> by the elementwise nodes that follow it: the spec (e.g.
    /// "gelu", "softplus:beta=2") or "identity", the value it ends at, and the nodes it covers. The shortest run
    /// that matches an activation wins.
    /// </summary>
    public static (string Spec, string Output, List<NodeProto> Nodes) Match(ImportGraph graph, string x)
    {
        var nodes = new List<NodeProto>();
        var produced = new List<string> { x };
        while (true)
        {
            NodeProto? next = null;
            foreach (var value in produced)
            {
                foreach (var consumer in graph.Consumers(value))
                {
                    if (!nodes.Contains(consumer) && consumer.OpType != "Shape" && (next is null || graph.Order(consumer) < graph.Order(next)))
                    {
                        next = consumer;
                    }
                }
            }

            if (next is null || nodes.Count >= MaxRunNodes || !IsElementwiseOnScalars(graph, next, produced))
            {
                if (nodes.Count == 0)
                {
                    throw next is null
                        ? new ImportException($"value '{ImportException.Shorten(x)}' is not used by any node and is not the graph's output")
                        : Unsupported(next);
                }

                throw new ImportException(
                    nodes[0],
                    $"the elementwise nodes from here to {ImportException.Describe(nodes[^1])} ({string.Join(", ", nodes.Select(n => n.OpType))}) compute a function that is not a Nonlinear activation"
                    + (next is null ? "" : $", and the next {ImportException.Describe(next)} is not elementwise on scalar constants"));
            }

            nodes.Add(next);
            produced.AddRange(next.Output.Where(o => o.Length > 0));
            var pending = produced.Where(v => graph.IsGraphOutput(v) || graph.Consumers(v).Any(c => !nodes.Contains(c) && c.OpType != "Shape")).ToList();
            if (pending.Count == 1 && pending[0] != x && next.Output.Contains(pending[0]))
            {
                if (Identify(graph, x, pending[0], nodes) is { } spec)
                {
                    return (spec, pending[0], nodes);
                }
            }
        }
    }

    /// <summary>The error for an operator Nonlinear does not import at all, naming the node.</summary>
    public static ImportException Unsupported(NodeProto node)
        => new(node, $"operator {ImportException.Shorten(node.OpType)}{(node.Domain.Length > 0 ? $" (domain {ImportException.Shorten(node.Domain)})" : "")} is not supported. "
            + "Nonlinear imports MLPs and CNNs: Gemm, MatMul(+Add), Conv, MaxPool, BatchNormalization, Flatten, Reshape (flattening), "
            + "Dropout, Identity, PRelu, Softmax/LogSoftmax at the end, and elementwise activations (Relu, Sigmoid, Tanh, Elu, Selu, "
            + "LeakyRelu, Softplus, HardSigmoid, HardSwish, Clip, and the GELU, Mish and SiLU patterns)");

    private static bool IsElementwiseOnScalars(ImportGraph graph, NodeProto node, List<string> produced)
    {
        if (!string.IsNullOrEmpty(node.Domain) && node.Domain != "ai.onnx")
        {
            return false;
        }

        if (!Elementwise.Contains(node.OpType) || node.Output.Count != 1)
        {
            return false;
        }

        foreach (var input in node.Input)
        {
            if (input.Length == 0 || produced.Contains(input))
            {
                continue;
            }

            if (graph.Constant(input) is not { IsScalar: true, Floats: not null })
            {
                return false;
            }
        }

        return true;
    }

    private static string? Identify(ImportGraph graph, string x, string y, List<NodeProto> nodes)
    {
        var reference = new double[GridPoints];
        for (int i = 0; i < GridPoints; i++)
        {
            reference[i] = Evaluate(graph, x, y, nodes, Grid[i]);
        }

        if (reference.Any(double.IsNaN))
        {
            return null;
        }

        // A candidate is first tried on every 40th point (17 of them), which rejects almost all; the survivors on all 641.
        var probe = Enumerable.Range(0, GridPoints).Where(i => i % 40 == 0).ToArray();
        var all = Enumerable.Range(0, GridPoints).ToArray();
        foreach (var spec in Candidates(graph, nodes))
        {
            if (!ActivationRegistry.TryParse(spec, out var activation, out _) || activation is RowwiseActivation)
            {
                continue;
            }

            if (Same(activation!, reference, probe) && Same(activation!, reference, all))
            {
                return spec;
            }
        }

        return null;
    }

    private static bool Same(Activation activation, double[] reference, int[] points)
    {
        var input = new Tensor(1, points.Length);
        var output = new Tensor(1, points.Length);
        for (int i = 0; i < points.Length; i++)
        {
            input.Span[i] = (float)Grid[points[i]];
        }

        activation.Forward(input, output);
        for (int i = 0; i < points.Length; i++)
        {
            double r = reference[points[i]], a = output.Span[i];
            bool same = double.IsInfinity(r) ? a == r : Math.Abs(a - r) <= 2e-5 * (1 + Math.Abs(r));
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Activation specs to try: every catalog entry without parameters, then each parametric one with the run's constants.</summary>
    private static List<string> Candidates(ImportGraph graph, List<NodeProto> nodes)
    {
        var constants = new SortedSet<double>();
        foreach (var node in nodes)
        {
            foreach (var a in node.Attribute)
            {
                if (a.Type == AttributeProto.Types.AttributeType.Float)
                {
                    constants.Add(a.F);
                }
            }

            foreach (var input in node.Input)
            {
                if (graph.IsConstant(input) && graph.Constant(input) is { IsScalar: true } c)
                {
                    constants.Add(c.Scalar);
                }
            }

            // Attribute defaults that an exporter may leave out (Elu/Celu alpha 1, LeakyRelu 0.01).
            constants.Add(1);
            if (node.OpType == "LeakyRelu")
            {
                constants.Add(0.01);
            }
        }

        var values = new SortedSet<double>();
        foreach (double c in constants)
        {
            if (double.IsFinite(c))
            {
                values.Add(c);
                values.Add(-c);
                if (c != 0)
                {
                    values.Add(1 / c);
                }
            }
        }

        var specs = new List<string>();
        var parametric = new List<ActivationDescriptor>();
        foreach (var d in ActivationRegistry.All)
        {
            if (d.Parameters.Count == 0)
            {
                specs.Add(d.Name);
            }
            else
            {
                parametric.Add(d);
            }
        }

        foreach (var d in parametric)
        {
            var p = d.Parameters[0];
            if (p.Choices is { } choices)
            {
                specs.AddRange(choices.Select(choice => $"{d.Name}:{choice}"));
            }
            else if (d.Parameters.Count == 1)
            {
                specs.AddRange(values.Where(v => p.Validate(v) is null).Select(v => $"{d.Name}:{Format(v)}"));
            }
            else
            {
                // Two parameters (softplus beta and threshold, hardtanh min and max): the first from the constants
                // with the second at its default, then every pair (only values in range: parsing others throws).
                var q = d.Parameters[1];
                var first = values.Where(v => p.Validate(v) is null).ToList();
                var second = values.Where(v => q.Validate(v) is null).ToList();
                specs.AddRange(first.Select(v => $"{d.Name}:{p.Name}={Format(v)}"));
                foreach (double a in first)
                {
                    specs.AddRange(second.Where(b => b != a && (q.Name != "max" || b > a)).Select(b => $"{d.Name}:{Format(a)}:{Format(b)}"));
                }
            }
        }

        return specs;
    }

    private static string Format(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture);

    private static double Evaluate(ImportGraph graph, string x, string y, List<NodeProto> nodes, double at)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { [x] = at };
        foreach (var node in nodes)
        {
            double In(int i) => i < node.Input.Count && node.Input[i].Length > 0
                ? values.TryGetValue(node.Input[i], out double v) ? v : graph.Constant(node.Input[i])!.Scalar
                : double.NaN;
            double a = In(0);
            double result = node.OpType switch
            {
                "Add" => a + In(1),
                "Sub" => a - In(1),
                "Mul" => a * In(1),
                "Div" => a / In(1),
                "Pow" => Math.Pow(a, In(1)),
                "Max" => node.Input.Count == 1 ? a : Math.Max(a, In(1)),
                "Min" => node.Input.Count == 1 ? a : Math.Min(a, In(1)),
                "Erf" => Erf(a),
                "Tanh" => Math.Tanh(a),
                "Sigmoid" => 1 / (1 + Math.Exp(-a)),
                "Relu" => Math.Max(a, 0),
                "LeakyRelu" => a >= 0 ? a : ImportGraph.Float(node, "alpha", 0.01f) * a,
                "Elu" => a >= 0 ? a : ImportGraph.Float(node, "alpha", 1f) * (Math.Exp(a) - 1),
                "Celu" => Math.Max(0, a) + Math.Min(0, ImportGraph.Float(node, "alpha", 1f) * (Math.Exp(a / ImportGraph.Float(node, "alpha", 1f)) - 1)),
                "Selu" => ImportGraph.Float(node, "gamma", 1.05070102214813232421875f) * (a > 0 ? a : ImportGraph.Float(node, "alpha", 1.67326319217681884765625f) * (Math.Exp(a) - 1)),
                "Softplus" => a > 30 ? a + Math.Log(1 + Math.Exp(-a)) : Math.Log(1 + Math.Exp(a)),
                "Softsign" => a / (1 + Math.Abs(a)),
                "HardSigmoid" => Math.Clamp(ImportGraph.Float(node, "alpha", 0.2f) * a + ImportGraph.Float(node, "beta", 0.5f), 0, 1),
                "HardSwish" => a * Math.Clamp(a / 6 + 0.5, 0, 1),
                "Clip" => Clip(node, a, In(1), In(2)),
                "Exp" => Math.Exp(a),
                "Log" => Math.Log(a),
                "Neg" => -a,
                "Abs" => Math.Abs(a),
                "Sqrt" => Math.Sqrt(a),
                "Reciprocal" => 1 / a,
                "Sin" => Math.Sin(a),
                "Greater" => a > In(1) ? 1 : 0,
                "Less" => a < In(1) ? 1 : 0,
                "GreaterOrEqual" => a >= In(1) ? 1 : 0,
                "LessOrEqual" => a <= In(1) ? 1 : 0,
                "Equal" => a == In(1) ? 1 : 0,
                "Where" => a != 0 ? In(1) : In(2),
                "IsNaN" => double.IsNaN(a) ? 1 : 0,
                "Not" => a == 0 ? 1 : 0,
                "Sign" => Math.Sign(a),
                "Cast" => Cast(node, a),
                _ => a, // Identity
            };
            values[node.Output[0]] = result;
        }

        return values[y];
    }

    /// <summary>Cast to bool gives 0 or 1, to an integer type truncates, to a float type keeps the value.</summary>
    private static double Cast(NodeProto node, double a) => ImportGraph.Int(node, "to", (long)TensorProto.Types.DataType.Float) switch
    {
        (long)TensorProto.Types.DataType.Bool => a != 0 ? 1 : 0,
        (long)TensorProto.Types.DataType.Float or (long)TensorProto.Types.DataType.Double or (long)TensorProto.Types.DataType.Float16 => a,
        _ => Math.Truncate(a),
    };

    private static double Clip(NodeProto node, double a, double low, double high)
    {
        // Opset 11+ takes min and max as optional inputs; earlier opsets as attributes.
        if (node.Input.Count < 2)
        {
            low = ImportGraph.Float(node, "min", float.NegativeInfinity);
            high = ImportGraph.Float(node, "max", float.PositiveInfinity);
        }

        low = double.IsNaN(low) ? double.NegativeInfinity : low;
        high = double.IsNaN(high) ? double.PositiveInfinity : high;
        return Math.Min(Math.Max(a, low), high);
    }

    /// <summary>erf in double to about 1e-13: its Maclaurin series below 2.5, erfc's continued fraction above.</summary>
    internal static double Erf(double x)
    {
        // A node whose input is missing evaluates to NaN (found by fuzzing: Math.Sign threw on it).
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            // Maclaurin series: converges fast for small |x|.
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 100; n++)
            {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }
            }

            return 2 / Math.Sqrt(Math.PI) * sum;
        }

        if (ax > 6)
        {
            return Math.Sign(x);
        }

        // erfc by its continued fraction (Lentz), which converges quickly for ax >= 2.5.
        double tiny = 1e-300, f = ax, c = ax, d = 0;
        for (int n = 1; n < 300; n++)
        {
            double an = n / 2.0;
            d = ax + an * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = ax + an / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16)
            {
                break;
            }
        }

        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        return Math.Sign(x) * (1 - erfc);
    }

    private static double[] MakeGrid()
    {
        var grid = new double[GridPoints];
        for (int i = 0; i < GridPoints; i++)
        {
            grid[i] = -10 + i / 32.0;
        }

        return grid;
    }
}
