using System.Globalization;
using GraphOptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel;
using InferenceSession = Microsoft.ML.OnnxRuntime.InferenceSession;
using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Serialization.Onnx;
using Nonlinear.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace Nonlinear.Tests.Serialization.Onnx;

/// <summary>Every catalog activation, exported alone, agrees with ours on a dense sweep and at the extremes, as ONNX Runtime runs it.</summary>
public sealed class ExportOnnxActivationTests(ITestOutputHelper output)
{
    /// <summary>Every catalog activation with its defaults, and the parameterised ones with other settings too.</summary>
    public static TheoryData<string> Specs()
    {
        var specs = new TheoryData<string>();
        foreach (var d in ActivationRegistry.All)
        {
            specs.Add(d.Name);
        }

        foreach (var s in new[]
        {
            "leaky_relu:0.2", "leaky_relu:0", "elu:0.5", "elu:2", "gelu:tanh", "softplus:beta=2:threshold=10", "softplus:beta=0.5",
            "softplus:threshold=5", "hardtanh:min=-2:max=3", "hardtanh:min=0.5:max=0.75",
        })
        {
            specs.Add(s);
        }

        return specs;
    }

    /// <summary>20,001 points over [-30, 30], then zeros, tiny and huge magnitudes, the infinities and NaN.</summary>
    internal static float[] SweepPoints()
    {
        var points = new List<float>();
        for (int i = 0; i <= 20_000; i++)
        {
            points.Add((float)(-30 + 60.0 * i / 20_000));
        }

        foreach (float v in new[] { 0f, 1e-30f, 1e-7f, 0.5f, 1f, 3f, 6f, 16f, 20f, 40f, 80f, 88f, 89f, 100f, 200f, 1e4f, 1e6f, 1e20f, 3e38f, float.MaxValue, float.PositiveInfinity, float.NaN })
        {
            points.Add(v);
            points.Add(-v);
        }

        return [.. points];
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void The_exported_activation_matches_ours_on_the_sweep(string spec)
    {
        var activation = ActivationRegistry.Parse(spec);
        var points = SweepPoints();

        // Row-wise activations (softmax) get rows of 17 from the sweep, with the finite extremes up to ±1e4 mixed
        // in (rows with infinities or values near float.MaxValue overflow differently: ours gives NaN or -inf where
        // ONNX Runtime's fused kernel may give NaN); elementwise ones get a column of every point.
        if (activation.IsRowWise)
        {
            points = [.. points.Where(v => Math.Abs(v) <= 1e4f)];
        }

        int row = activation.IsRowWise ? 17 : 1;
        int rows = (points.Length + row - 1) / row;
        var values = new float[rows * row];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = points[i % points.Length];
        }

        var x = Tensor.FromArray(values, rows, row);
        var expected = new Tensor(x.Shape);
        activation.Forward(x, expected);

        var model = new Sequential([new ActivationLayer(activation)]);
        model.Build(new TensorShape(row), seed: 1);
        var saved = new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" });
        var onnx = ExportOnnxRuntime.Export(saved);

        foreach (var level in new[] { GraphOptimizationLevel.ORT_ENABLE_ALL, GraphOptimizationLevel.ORT_DISABLE_ALL })
        {
            var actual = ExportOnnxRuntime.Run(onnx, x, level);
            var (error, at) = ExportOnnxRuntime.MaxError(expected.Span, actual);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{spec} ({level}): max error {error:G3} at x = {values[at]:R} (ours {expected.Span[at]:R}, ORT {actual[at]:R})"));
            Assert.True(
                error <= ExportOnnxRuntime.Tolerance,
                string.Create(CultureInfo.InvariantCulture, $"{spec} ({level}): error {error:G3} at x = {values[at]:R}: ours {expected.Span[at]:R}, ONNX Runtime {actual[at]:R}"));
        }
    }

    [Fact]
    public void Every_catalog_activation_exports_except_exactly_the_listed_ones()
    {
        // The list of activations without an ONNX form is empty; should one be added, it must say why, and every
        // other catalog activation must still export.
        Assert.Empty(OnnxActivations.NotExportable);
        foreach (var d in ActivationRegistry.All)
        {
            var why = OnnxActivations.Unsupported(d.CreateDefault());
            if (OnnxActivations.NotExportable.ContainsKey(d.Name))
            {
                Assert.NotNull(why);
            }
            else
            {
                Assert.Null(why);
            }
        }

        Assert.All(OnnxActivations.NotExportable.Keys, name => Assert.NotNull(ActivationRegistry.Find(name)));
    }

    [Fact]
    public void The_composed_activations_use_only_standard_operators_of_the_default_domain()
    {
        var opTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in ActivationRegistry.All)
        {
            var model = new Sequential([new ActivationLayer(d.CreateDefault())]);
            model.Build(new TensorShape(3), seed: 1);
            var proto = OnnxExport.Build(new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" }), new OnnxExportOptions());
            Assert.All(proto.Graph.Node, n => Assert.Equal("", n.Domain));
            opTypes.UnionWith(proto.Graph.Node.Select(n => n.OpType));
        }

        // GELU exact is PyTorch's Erf pattern; nothing needs an operator newer than opset 14 (HardSwish).
        Assert.Contains("Erf", opTypes);
        Assert.Contains("HardSwish", opTypes);
        Assert.DoesNotContain("Gelu", opTypes);
        Assert.DoesNotContain("Mish", opTypes);
    }
}
