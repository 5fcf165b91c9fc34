using System.Globalization;
using Nonlinear.Activations;

namespace Nonlinear.Serialization.PyTorch;

/// <summary>
/// Each catalog activation as a PyTorch module expression: the built-in <c>nn</c> module where it computes exactly
/// our formula (with our parameters), otherwise one of the small helper modules of <see cref="PyTorchHelpers"/>.
/// </summary>
internal static class PyTorchActivations
{
    /// <summary>The module expression for <paramref name="activation"/>, and the helper it needs (or null).</summary>
    /// <exception cref="NotSupportedException">An activation this exporter does not know (one added to the catalog later).</exception>
    public static (string Code, string? Helper) For(Activation activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        var p = activation.Parameters;
        return activation.Name switch
        {
            "identity" => ("nn.Identity()", null),
            "sigmoid" => ("nn.Sigmoid()", null),
            "tanh" => ("nn.Tanh()", null),
            "relu" => ("nn.ReLU()", null),
            "leaky_relu" => ($"nn.LeakyReLU(negative_slope={Float(p["alpha"])})", null),
            "elu" => ($"nn.ELU(alpha={Float(p["alpha"])})", null),
            "selu" => ("nn.SELU()", null),
            "gelu" => (p["approximate"] == 1 ? "nn.GELU(approximate=\"tanh\")" : "nn.GELU(approximate=\"none\")", null),
            "silu" => ("nn.SiLU()", null),
            "mish" => ("nn.Mish()", null),
            "softplus" => ($"nn.Softplus(beta={Float(p["beta"])}, threshold={Float(p["threshold"])})", null),
            "softsign" => ("nn.Softsign()", null),
            "hardsigmoid" => ("nn.Hardsigmoid()", null),
            "hardswish" => ("nn.Hardswish()", null),
            "relu6" => ("nn.ReLU6()", null),
            "hardtanh" => ($"nn.Hardtanh(min_val={Float(p["min"])}, max_val={Float(p["max"])})", null),
            "log_sigmoid" => ("nn.LogSigmoid()", null),
            "sin" => ("Sine()", PyTorchHelpers.Sine),
            "gaussian" => ("Gaussian()", PyTorchHelpers.Gaussian),
            "step" => ("Step()", PyTorchHelpers.Step),
            "softmax" => ("nn.Softmax(dim=-1)", null),
            "log_softmax" => ("nn.LogSoftmax(dim=-1)", null),
            _ => throw new NotSupportedException($"activation '{activation.Spec}' has no PyTorch translation in this exporter."),
        };
    }

    /// <summary>A Python float literal that reads back as <paramref name="value"/> (2 → "2.0", 1e-5 → "1e-05").</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return double.IsNaN(value) ? "float(\"nan\")" : value > 0 ? "float(\"inf\")" : "-float(\"inf\")";
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('e', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>A Python float literal for a float32 constant, written with the fewest digits that read back as it (1e-5f → "1e-05").</summary>
    public static string Float32(float value) => Float(double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
}
