using Google.Protobuf;
using Nonlinear.Activations;
using Nonlinear.Layers;
using Onnx;

namespace Nonlinear.Serialization.Onnx.Sequences;

/// <summary>
/// Node patterns the sequence emitters share: the graph input of a sequence model, the sequence length T of a
/// [N, T, ...] value (symbolic in the graph), a [T_max, ...] table sliced to T, the mean over an axis at every
/// opset, layer normalisation, and multi-head self-attention.
/// </summary>
internal static class SequenceOps
{
    /// <summary>The symbolic sequence length of exported sequence models.</summary>
    public static OnnxDim Steps { get; } = OnnxDim.Named("T");

    /// <summary>Float [N, T, ...] with a symbolic T: the input of a model whose first layer takes sequences [T, F].</summary>
    public static (TensorProto.Types.DataType, IReadOnlyList<OnnxDim>) SequenceInput(Layer layer)
        => layer.InputShape.Rank == 2
            ? (TensorProto.Types.DataType.Float, [OnnxDim.Batch, Steps, .. layer.InputShape.Skip(1).Select(d => OnnxDim.Fixed(d))])
            : (TensorProto.Types.DataType.Float, OnnxGraphBuilder.BatchOf(layer.InputShape));

    /// <summary>The current shape with its last dimension replaced by <paramref name="size"/>.</summary>
    public static IReadOnlyList<OnnxDim> WithLast(IReadOnlyList<OnnxDim> shape, long size) => [.. shape.Take(shape.Count - 1), OnnxDim.Fixed(size)];

    /// <summary>A strings attribute (the RNN's activations).</summary>
    public static AttributeProto Strings(string name, params string[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        a.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return a;
    }

    /// <summary>
    /// <paramref name="table"/> [T_max, ...] cut to the first T rows of <paramref name="x"/> [N, T, ...]: the table
    /// itself when T is fixed at T_max in the graph, else a Slice whose end is read from x's shape at run time.
    /// </summary>
    public static string FirstSteps(OnnxGraphBuilder graph, string table, long tableSteps, string x, OnnxDim steps, int axes = 1)
    {
        if (steps.IsFixed && steps.Size == tableSteps)
        {
            return table;
        }

        var t = SequenceLength(graph, x);
        long[] axisList = [.. Enumerable.Range(0, axes).Select(i => (long)i)];
        var ends = axes == 1 ? t : graph.AddNode("Concat", [.. Enumerable.Repeat(t, axes)], OnnxGraphBuilder.Attribute("axis", 0L));
        return graph.AddNode("Slice", [table, graph.Int64Vector(new long[axes]), ends, graph.Int64Vector(axisList)]);
    }

    /// <summary>T of <paramref name="x"/> [N, T, ...] as a 1-D int64 [1], read from its shape at run time.</summary>
    public static string SequenceLength(OnnxGraphBuilder graph, string x)
    {
        if (graph.Opset >= 15)
        {
            return graph.AddNode("Shape", [x], OnnxGraphBuilder.Attribute("start", 1L), OnnxGraphBuilder.Attribute("end", 2L));
        }

        var shape = graph.AddNode("Shape", [x]);
        return graph.AddNode("Slice", [shape, graph.Int64Vector(1), graph.Int64Vector(2), graph.Int64Vector(0)]);
    }

    /// <summary>ReduceMean over <paramref name="axis"/> (axes an attribute before opset 18, an input from 18).</summary>
    public static string Mean(OnnxGraphBuilder graph, string x, long axis, bool keepDims)
    {
        var keep = OnnxGraphBuilder.Attribute("keepdims", keepDims ? 1L : 0L);
        return graph.Opset >= 18
            ? graph.AddNode("ReduceMean", [x, graph.Int64Vector(axis)], keep)
            : graph.AddNode("ReduceMean", [x], OnnxGraphBuilder.Attribute("axes", [axis]), keep);
    }

    /// <summary>
    /// Layer normalisation of <paramref name="x"/> over its last axis with γ and β (initializer names):
    /// LayerNormalization from opset 17, else (x − μ) / √(σ² + ε) γ + β in elementary operators.
    /// </summary>
    public static string LayerNorm(OnnxGraphBuilder graph, string x, string gamma, string beta, float epsilon)
    {
        if (graph.Opset >= 17)
        {
            return graph.AddNode("LayerNormalization", [x, gamma, beta],
                OnnxGraphBuilder.Attribute("axis", -1L), OnnxGraphBuilder.Attribute("epsilon", epsilon));
        }

        var centred = graph.AddNode("Sub", [x, Mean(graph, x, -1, keepDims: true)]);
        var variance = Mean(graph, graph.AddNode("Mul", [centred, centred]), -1, keepDims: true);
        var std = graph.AddNode("Sqrt", [graph.AddNode("Add", [variance, graph.Scalar(epsilon)])]);
        var normed = graph.AddNode("Div", [centred, std]);
        return graph.AddNode("Add", [graph.AddNode("Mul", [normed, gamma]), beta]);
    }

    /// <summary>x W^T + b for x [..., in] and W [out, in] in our (PyTorch's) layout: MatMul with the transposed weight, then Add.</summary>
    public static string Linear(OnnxGraphBuilder graph, string x, string weight, string bias)
    {
        var transposed = graph.AddNode("Transpose", [weight], OnnxGraphBuilder.Attribute("perm", 1L, 0L));
        return graph.AddNode("Add", [graph.AddNode("MatMul", [x, transposed]), bias]);
    }

    /// <summary>
    /// Multi-head self-attention on <paramref name="x"/> [N, T, D] as <see cref="Layers.Attention.MultiHeadAttention"/>
    /// computes it: [Q | K | V] = x W_in^T + b_in, split into h heads of d_k = D / h, S = Q K^T (times 1/√d_k when
    /// scaled), + a mask of −∞ above the diagonal when causal, P = Softmax(S) over the last axis, O = P V, heads
    /// concatenated, y = O W_out^T + b_out. Weights are initializer names in our layout.
    /// </summary>
    public static string Attention(OnnxGraphBuilder graph, string x, OnnxDim steps, int builtSteps, int d, int heads, bool causal, bool scaled,
        string inWeight, string inBias, string outWeight, string outBias)
    {
        int dk = d / heads;
        var qkv = Linear(graph, x, inWeight, inBias);
        var parts = graph.AddNode("Split", [qkv, graph.Int64Vector(d, d, d)], 3, OnnxGraphBuilder.Attribute("axis", -1L));
        var headShape = graph.Int64Vector(0, 0, heads, dk);
        string Heads(string value, params long[] perm) => graph.AddNode("Transpose", [graph.AddNode("Reshape", [value, headShape])], OnnxGraphBuilder.Attribute("perm", perm));
        var q = Heads(parts[0], 0, 2, 1, 3);   // [N, h, T, dk]
        var kT = Heads(parts[1], 0, 2, 3, 1);  // [N, h, dk, T]
        var v = Heads(parts[2], 0, 2, 1, 3);   // [N, h, T, dk]
        var scores = graph.AddNode("MatMul", [q, kT]);
        if (scaled)
        {
            // The same float as the layer's scale, applied to the finished dot products as the layer does.
            scores = graph.AddNode("Mul", [scores, graph.Scalar((float)(1 / Math.Sqrt(dk)))]);
        }

        if (causal)
        {
            var mask = new float[builtSteps * builtSteps];
            for (int i = 0; i < builtSteps; i++)
            {
                for (int j = i + 1; j < builtSteps; j++)
                {
                    mask[i * builtSteps + j] = float.NegativeInfinity;
                }
            }

            var maskName = graph.AddInitializer($"{graph.Scope}.causal_mask", mask, builtSteps, builtSteps);
            scores = graph.AddNode("Add", [scores, FirstSteps(graph, maskName, builtSteps, x, steps, axes: 2)]);
        }

        var probabilities = graph.AddNode("Softmax", [scores], OnnxGraphBuilder.Attribute("axis", -1L));
        var context = graph.AddNode("MatMul", [probabilities, v]);   // [N, h, T, dk]
        var merged = graph.AddNode("Reshape",
            [graph.AddNode("Transpose", [context], OnnxGraphBuilder.Attribute("perm", 0L, 2L, 1L, 3L)), graph.Int64Vector(0, 0, d)]);
        return Linear(graph, merged, outWeight, outBias);
    }

    /// <summary>Applies a catalog activation to <paramref name="x"/> of shape <paramref name="shape"/>; returns the result's name (the builder's current value is left there).</summary>
    public static string Activate(OnnxGraphBuilder graph, string x, IReadOnlyList<OnnxDim> shape, Activation activation)
    {
        graph.SetCurrent(x, shape);
        OnnxActivations.Emit(graph, activation);
        return graph.Current;
    }
}
