using System.Globalization;
using Nonlinear.Activations;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// Checks a widget's inputs at the edge: every number finite and within a range that keeps the lesson's drawings
/// meaningful, every list of the right size, every spec parsed. Anything else is a 400 naming the field.
/// </summary>
internal static class WidgetInput
{
    /// <summary>The largest request body a widget accepts (a few numbers and a spec).</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>A number in [-limit, limit]; <paramref name="fallback"/> when absent (null: the field is required).</summary>
    public static double Number(double? value, string name, double limit, double? fallback = null)
    {
        if (value is null)
        {
            return fallback ?? throw WebRequestException.BadRequest($"{name} is missing: expected a number.");
        }

        return InRange(value.Value, name, -limit, limit);
    }

    /// <summary>A number in [min, max]; <paramref name="fallback"/> when absent.</summary>
    public static double Between(double? value, string name, double min, double max, double fallback)
        => value is null ? fallback : InRange(value.Value, name, min, max);

    /// <summary>A whole number in [min, max]; <paramref name="fallback"/> when absent.</summary>
    public static int Count(int? value, string name, int min, int max, int fallback)
    {
        int v = value ?? fallback;
        if (v < min || v > max)
        {
            throw WebRequestException.BadRequest($"{name} = {v} is out of range: expected {min}-{max}.");
        }

        return v;
    }

    /// <summary>Exactly <paramref name="length"/> numbers, each in [-limit, limit].</summary>
    public static double[] Vector(double[]? values, string name, int length, double limit)
    {
        if (values is null)
        {
            throw WebRequestException.BadRequest($"{name} is missing: expected {length} numbers.");
        }

        if (values.Length != length)
        {
            throw WebRequestException.BadRequest($"{name} has {values.Length} numbers; expected {length}.");
        }

        for (int i = 0; i < values.Length; i++)
        {
            InRange(values[i], $"{name}[{i}]", -limit, limit);
        }

        return values;
    }

    /// <summary>A rows × columns matrix (an array of rows), each entry in [-limit, limit]; returned row-major.</summary>
    public static double[] Matrix(double[][]? rows, string name, int rowCount, int columns, double limit)
    {
        if (rows is null)
        {
            throw WebRequestException.BadRequest($"{name} is missing: expected {rowCount} rows of {columns} numbers.");
        }

        if (rows.Length != rowCount)
        {
            throw WebRequestException.BadRequest($"{name} has {rows.Length} rows; expected {rowCount}.");
        }

        var flat = new double[rowCount * columns];
        for (int r = 0; r < rowCount; r++)
        {
            Vector(rows[r], $"{name}[{r}]", columns, limit).CopyTo(flat, r * columns);
        }

        return flat;
    }

    /// <summary>The activation a spec names; a parse error is the 400's message.</summary>
    public static Activation Activation(string? spec, string name, string fallback)
    {
        string text = string.IsNullOrWhiteSpace(spec) ? fallback : spec;
        if (text.Length > 100)
        {
            throw WebRequestException.BadRequest($"{name} is {text.Length} characters long; an activation spec has at most 100.");
        }

        if (!ActivationRegistry.TryParse(text, out var activation, out var error))
        {
            throw WebRequestException.BadRequest($"{name}: {error}");
        }

        return activation!;
    }

    /// <summary>An elementwise activation (a per-unit derivative is what the widget shows); softmax and log-softmax are refused.</summary>
    public static ElementwiseActivation Elementwise(string? spec, string name, string fallback, string why)
    {
        var activation = Activation(spec, name, fallback);
        return activation as ElementwiseActivation
            ?? throw WebRequestException.BadRequest($"{name}: {activation.Spec} couples the units of a row, so {why}; choose an elementwise activation (sigmoid, tanh, relu, ...).");
    }

    /// <summary>One of <paramref name="choices"/> (case-insensitive), or <paramref name="fallback"/> when absent.</summary>
    public static string Choice(string? value, string name, IReadOnlyList<string> choices, string fallback)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        string v = value.Trim().ToLowerInvariant();
        return choices.Contains(v)
            ? v
            : throw WebRequestException.BadRequest($"{name} = '{Shorten(value)}' is not known; expected one of {string.Join(", ", choices)}.");
    }

    /// <summary>A number as the messages write it.</summary>
    public static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static double InRange(double value, string name, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            throw WebRequestException.BadRequest($"{name} = {Format(value)} is out of range: expected a number in [{Format(min)}, {Format(max)}].");
        }

        return value;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
