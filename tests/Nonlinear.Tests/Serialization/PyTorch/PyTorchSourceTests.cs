using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Serialization.PyTorch;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Serialization.PyTorch;

/// <summary>The generated Python reads like hand-written PyTorch (no Python needed for these).</summary>
public sealed class PyTorchSourceTests
{
    private static SavedModel Cnn()
    {
        var model = Sequential.Parse("conv:8x3:same,batchnorm,relu,pool:2,conv:16x3,prelu:channel,pool:2,flatten,dropout:0.25,dense:10");
        model.Build(new TensorShape(1, 28, 28), seed: 1);
        return new SavedModel(model, new ModelMetadata
        {
            Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy",
            ClassNames = [.. FashionMnist.ClassNames], NormalizationMean = [0.28f], NormalizationStd = [0.35f],
        });
    }

    [Fact]
    public void The_module_has_one_line_per_layer_in_pytorch_terms()
    {
        string source = PyTorchExport.Generate(Cnn(), "cnn.nlm", "cnn.py");

        Assert.Contains("class Model(nn.Module):", source, StringComparison.Ordinal);
        Assert.Contains("        self.layers = nn.Sequential(\n", source, StringComparison.Ordinal);
        string[] layers =
        [
            "# 0  conv:8x3:same  [1, 28, 28] -> [8, 28, 28]",
            "nn.Conv2d(1, 8, kernel_size=3, stride=1, padding=1),",
            "nn.BatchNorm2d(8, eps=1e-05, momentum=0.1),",
            "nn.ReLU(),",
            "nn.MaxPool2d(kernel_size=2, stride=2),",
            "nn.Conv2d(8, 16, kernel_size=3, stride=1, padding=0),",
            "nn.PReLU(num_parameters=16, init=0.25),",
            "nn.MaxPool2d(kernel_size=2, stride=2),",
            "nn.Flatten(),",
            "nn.Dropout(p=0.25),",
            "# 9  dense:10  [576] -> [10]",
            "nn.Linear(576, 10),",
        ];
        int at = 0;
        foreach (var layer in layers)
        {
            int found = source.IndexOf("            " + layer + "\n", at, StringComparison.Ordinal);
            Assert.True(found > at, $"'{layer}' is missing or out of order");
            at = found;
        }

        Assert.Contains("self.output_activation = nn.Softmax(dim=-1)", source, StringComparison.Ordinal);
        Assert.Contains("self.register_buffer(\"normalization_mean\", torch.zeros(1))", source, StringComparison.Ordinal);
        Assert.Contains("mean = self.normalization_mean.view(-1, 1, 1)", source, StringComparison.Ordinal);
        Assert.Contains("    \"5.slope\": \"layers.5.weight\",\n", source, StringComparison.Ordinal);
        Assert.Contains("    \"1.running_var\": \"layers.1.running_var\",\n", source, StringComparison.Ordinal);
        Assert.Contains("MODEL_FILE = \"cnn.nlm\"\n", source, StringComparison.Ordinal);
        Assert.Contains("INPUT_SHAPE = (1, 28, 28)\n", source, StringComparison.Ordinal);
        Assert.Contains("    return nn.CrossEntropyLoss()\n", source, StringComparison.Ordinal);
        Assert.Contains("def load(path=None):", source, StringComparison.Ordinal);
        Assert.Contains("Run `python3 cnn.py --check`", source, StringComparison.Ordinal);
        Assert.DoesNotContain("class Sine", source, StringComparison.Ordinal);        // helpers only when used
        Assert.DoesNotContain("functional as F", source, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_generated_file_keeps_to_pep8_line_lengths_and_layout()
    {
        foreach (var c in PyTorchCases.All())
        {
            string source = PyTorchExport.Generate(c.Saved, "model.nlm");
            var lines = source.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                Assert.True(lines[i].Length <= 79, $"{c.Name} line {i + 1} has {lines[i].Length} characters: {lines[i]}");
                Assert.True(lines[i] == lines[i].TrimEnd(), $"{c.Name} line {i + 1} has trailing white space");
                Assert.DoesNotContain('\t', lines[i]);
            }

            Assert.EndsWith("    main()\n", source, StringComparison.Ordinal);
            Assert.DoesNotContain("\n\n\n\n", source, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("gelu", "nn.GELU(approximate=\"none\")", null)]
    [InlineData("gelu:tanh", "nn.GELU(approximate=\"tanh\")", null)]
    [InlineData("softplus:beta=2:threshold=10", "nn.Softplus(beta=2.0, threshold=10.0)", null)]
    [InlineData("leaky_relu:0.2", "nn.LeakyReLU(negative_slope=0.2)", null)]
    [InlineData("elu:alpha=0.5", "nn.ELU(alpha=0.5)", null)]
    [InlineData("hardtanh:-2:3", "nn.Hardtanh(min_val=-2.0, max_val=3.0)", null)]
    [InlineData("selu", "nn.SELU()", null)]
    [InlineData("mish", "nn.Mish()", null)]
    [InlineData("hardswish", "nn.Hardswish()", null)]
    [InlineData("sin", "Sine()", "class Sine(nn.Module):")]
    [InlineData("gaussian", "Gaussian()", "class Gaussian(nn.Module):")]
    [InlineData("step", "Step()", "class Step(nn.Module):")]
    public void Activations_use_pytorchs_module_or_a_documented_one(string spec, string module, string? helper)
    {
        var model = Sequential.Parse($"dense:4,{spec},dense:2");
        model.Build(new TensorShape(3), seed: 1);
        string source = PyTorchExport.Generate(new SavedModel(model, new ModelMetadata { Task = TaskKind.Regression, OutputActivation = "identity", Loss = "mse" }), "m.nlm");

        Assert.Contains($"            {module},\n", source, StringComparison.Ordinal);
        if (helper is not null)
        {
            Assert.Contains(helper, source, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Sequence_layers_use_pytorchs_names()
    {
        var model = Sequential.Parse("embedding:27:16,positions:learned,transformer:d=16,heads=4,ff=64:causal,lstm:8:seq,rnn:4:sin,dense:27");
        model.Build(new TensorShape(5), seed: 1);
        string source = PyTorchExport.Generate(new SavedModel(model, new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy" }), "m.nlm");

        Assert.Contains("            nn.Embedding(27, 16),\n", source, StringComparison.Ordinal);
        Assert.Contains("            LearnedPositions(5, 16),\n", source, StringComparison.Ordinal);
        Assert.Contains("            TransformerBlock(16, heads=4, feedforward=64, causal=True),\n", source, StringComparison.Ordinal);
        Assert.Contains("            LSTM(16, 8, return_sequences=True),\n", source, StringComparison.Ordinal);
        Assert.Contains("            ElmanRNN(8, 4, Sine()),\n", source, StringComparison.Ordinal);
        Assert.Contains("    \"2.self_attn.in_proj_weight\": \"layers.2.self_attn.in_proj_weight\",\n", source, StringComparison.Ordinal);
        Assert.Contains("    \"3.weight_hh\": \"layers.3.weight_hh_l0\",\n", source, StringComparison.Ordinal);
        Assert.Contains("    return torch.randint(0, 27, (batch, *INPUT_SHAPE))\n", source, StringComparison.Ordinal);
        foreach (var helper in new[] { "LearnedPositions", "SelfAttention", "TransformerBlock", "LSTM(nn.LSTM)", "ElmanRNN", "Sine" })
        {
            Assert.Contains($"class {helper}", source, StringComparison.Ordinal);
        }

        Assert.True(source.IndexOf("class SelfAttention", StringComparison.Ordinal) < source.IndexOf("class TransformerBlock", StringComparison.Ordinal));
    }

    [Fact]
    public void Save_writes_atomically_with_the_model_file_relative_to_the_python_file()
    {
        string folder = Path.Combine(Path.GetTempPath(), "nonlinear-pysave-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(folder, "code"));
        try
        {
            string py = Path.Combine(folder, "code", "net.py");
            File.WriteAllText(py, "old");
            PyTorchExport.Save(py, Cnn(), Path.Combine(folder, "models", "cnn.nlm"));

            string source = File.ReadAllText(py);
            Assert.StartsWith("\"\"\"PyTorch version of the Nonlinear model \"cnn.nlm\".", source, StringComparison.Ordinal);
            Assert.Contains("MODEL_FILE = \"../models/cnn.nlm\"\n", source, StringComparison.Ordinal);
            Assert.Contains("Run `python3 net.py --check`", source, StringComparison.Ordinal);
            Assert.Equal(["net.py"], Directory.GetFiles(Path.Combine(folder, "code")).Select(Path.GetFileName));

            var e = Assert.Throws<ModelFileException>(() => PyTorchExport.Save(Path.Combine(folder, "missing", "net.py"), Cnn(), "cnn.nlm"));
            Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
