using Nonlinear.Activations;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// An activation of the engine, asked for single values: the numbers of an exercise are what Nonlinear computes
/// (float32 kernels; their error, about 1e-7, is far below any tolerance stated on a page).
/// </summary>
internal sealed class EngineActivation
{
    private readonly ElementwiseActivation _activation;

    /// <summary>The elementwise activation <paramref name="spec"/> names, e.g. "leaky_relu:0.1".</summary>
    /// <exception cref="InvalidOperationException">The spec is unknown or row-wise (a course bug).</exception>
    public EngineActivation(string spec)
    {
        _activation = ActivationRegistry.TryParse(spec, out var activation, out string? error)
            ? activation as ElementwiseActivation ?? throw new InvalidOperationException($"'{spec}' is not an elementwise activation.")
            : throw new InvalidOperationException(error);
    }

    /// <summary>The canonical spec, e.g. "leaky_relu:0.1".</summary>
    public string Spec => _activation.Spec;

    /// <summary>f(z).</summary>
    public double Value(double z) => _activation.Value((float)z);

    /// <summary>f′(z), the engine's backward kernel for an upstream gradient of 1.</summary>
    public double Slope(double z) => _activation.Derivative((float)z);

    /// <summary>The engine's softmax of one row of logits.</summary>
    public static double[] Softmax(IReadOnlyList<double> logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        var x = logits.Select(v => (float)v).ToArray();
        var y = new float[x.Length];
        ActivationRegistry.Parse("softmax").Forward(x, y);
        return [.. y.Select(v => (double)v)];
    }
}
