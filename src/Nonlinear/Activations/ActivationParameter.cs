using System.Globalization;

namespace Nonlinear.Activations;

/// <summary>
/// A parameter an activation takes in its name (e.g. alpha in <c>leaky_relu:0.1</c>): its default and valid
/// range, or for a choice (e.g. GELU's <c>approximate</c>) the allowed words, stored as their index.
/// </summary>
/// <param name="Name">The parameter name, as written in a spec (<c>softplus:beta=2</c>).</param>
/// <param name="Description">One line on what it does.</param>
/// <param name="Default">Value used when the spec omits it.</param>
/// <param name="Minimum">Smallest valid value.</param>
/// <param name="Maximum">Largest valid value.</param>
/// <param name="MinimumExclusive">Whether <paramref name="Minimum"/> itself is invalid.</param>
/// <param name="MaximumExclusive">Whether <paramref name="Maximum"/> itself is invalid.</param>
/// <param name="Choices">For a choice parameter, the allowed words (the value is the index); otherwise null.</param>
public sealed record ActivationParameter(
    string Name,
    string Description,
    double Default,
    double Minimum = double.NegativeInfinity,
    double Maximum = double.PositiveInfinity,
    bool MinimumExclusive = false,
    bool MaximumExclusive = false,
    IReadOnlyList<string>? Choices = null)
{
    /// <summary>The valid range in words, e.g. "beta > 0", "alpha in [0, 1]", "approximate is one of none, tanh".</summary>
    public string RangeText
    {
        get
        {
            if (Choices is not null)
            {
                return $"{Name} is one of {string.Join(", ", Choices)}";
            }

            bool hasMin = !double.IsNegativeInfinity(Minimum), hasMax = !double.IsPositiveInfinity(Maximum);
            string min = Format(Minimum), max = Format(Maximum);
            return (hasMin, hasMax) switch
            {
                (true, true) => $"{Name} in {(MinimumExclusive ? "(" : "[")}{min}, {max}{(MaximumExclusive ? ")" : "]")}",
                (true, false) => $"{Name} {(MinimumExclusive ? ">" : ">=")} {min} and finite",
                (false, true) => $"{Name} {(MaximumExclusive ? "<" : "<=")} {max} and finite",
                _ => $"{Name} finite",
            };
        }
    }

    /// <summary>Null if <paramref name="value"/> is valid, else a message naming the parameter, the value and the valid range.</summary>
    public string? Validate(double value)
    {
        bool ok = Choices is not null
            ? value >= 0 && value < Choices.Count && value == Math.Floor(value)
            : double.IsFinite(value)
              && (MinimumExclusive ? value > Minimum : value >= Minimum)
              && (MaximumExclusive ? value < Maximum : value <= Maximum);
        return ok ? null : $"{Name} = {FormatValue(value)} is out of range: expected {RangeText}";
    }

    /// <summary>Reads a value as written in a spec: a number, or one of <see cref="Choices"/>.</summary>
    public bool TryParse(string text, out double value)
    {
        if (Choices is not null)
        {
            for (int i = 0; i < Choices.Count; i++)
            {
                if (string.Equals(Choices[i], text, StringComparison.OrdinalIgnoreCase))
                {
                    value = i;
                    return true;
                }
            }

            value = double.NaN;
            return false;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A value as written in a spec (shortest round-trip number, or the choice word).</summary>
    public string FormatValue(double value)
        => Choices is not null && value >= 0 && value < Choices.Count && value == Math.Floor(value) ? Choices[(int)value] : Format(value);

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
