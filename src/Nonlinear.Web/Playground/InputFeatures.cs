namespace Nonlinear.Web.Playground;

/// <summary>
/// TF Playground's input features of a point (x, y): x, y, x², y², x·y, sin x, sin y, and also cos x, cos y.
/// </summary>
public static class InputFeatures
{
    /// <summary>Every feature name, in display order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY", "cosX", "cosY"];

    /// <summary>How each feature is written for people.</summary>
    public static string Label(string name) => name switch
    {
        "x" => "x₁",
        "y" => "x₂",
        "xSquared" => "x₁²",
        "ySquared" => "x₂²",
        "xTimesY" => "x₁x₂",
        "sinX" => "sin(x₁)",
        "sinY" => "sin(x₂)",
        "cosX" => "cos(x₁)",
        "cosY" => "cos(x₂)",
        _ => name,
    };

    /// <summary>The value of feature <paramref name="name"/> at (x, y).</summary>
    /// <exception cref="ArgumentException">The name is not a feature.</exception>
    public static double Value(string name, double x, double y) => name switch
    {
        "x" => x,
        "y" => y,
        "xSquared" => x * x,
        "ySquared" => y * y,
        "xTimesY" => x * y,
        "sinX" => Math.Sin(x),
        "sinY" => Math.Sin(y),
        "cosX" => Math.Cos(x),
        "cosY" => Math.Cos(y),
        _ => throw new ArgumentException($"Unknown feature '{name}'; valid: {string.Join(", ", Names)}.", nameof(name)),
    };

    /// <summary>Writes the features of each point into <paramref name="output"/>, row-major [count, features].</summary>
    public static void Fill(IReadOnlyList<string> features, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> output)
    {
        ArgumentNullException.ThrowIfNull(features);
        int f = features.Count;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = 0; j < f; j++)
            {
                output[i * f + j] = (float)Value(features[j], x[i], y[i]);
            }
        }
    }
}
