using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nonlinear.Diagnostics;

namespace Nonlinear.Web.Playground;

/// <summary>
/// The advisor's findings as the page shows them. The advisor numbers a model's layers from 1 in spec order
/// (dense:4 is layer 1, its activation layer 2); the page numbers only its hidden layers ("Layer 1" is the first
/// dense layer and its activation). Each finding gets the hidden layer it concerns, and its text names layers the
/// page's way, so "layer 4 (relu)" reads "hidden layer 2 (relu)".
/// </summary>
internal static partial class PageAdvice
{
    /// <summary>Writes <paramref name="advice"/> as a JSON array property (docs/web-api.md, "advice").</summary>
    /// <param name="w">The writer.</param>
    /// <param name="name">The property name.</param>
    /// <param name="advice">The findings.</param>
    /// <param name="hiddenLayerOf">The 0-based hidden layer holding a 1-based model layer, or null.</param>
    /// <param name="outputLayer">The 1-based model index of the output layer's dense layer.</param>
    public static void Write(Utf8JsonWriter w, string name, IReadOnlyList<Advice> advice, Func<int, int?> hiddenLayerOf, int outputLayer)
    {
        w.WriteStartArray(name);
        foreach (var a in advice)
        {
            w.WriteStartObject();
            w.WriteString("severity", a.Severity.ToString().ToLowerInvariant());
            w.WriteString("code", a.Code);
            if (a.Layer is { } layer)
            {
                w.WriteNumber("layer", layer);
            }
            else
            {
                w.WriteNull("layer");
            }

            if (a.Layer is { } l && hiddenLayerOf(l) is { } hidden)
            {
                w.WriteNumber("hiddenLayer", hidden);
            }
            else
            {
                w.WriteNull("hiddenLayer");
            }

            w.WriteString("message", Renumber(a.Message, hiddenLayerOf, outputLayer));
            w.WriteString("reason", Renumber(a.Reason, hiddenLayerOf, outputLayer));
            w.WriteString("fix", Renumber(a.Fix, hiddenLayerOf, outputLayer));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>
    /// <paramref name="text"/> with "layer N", "layers A-B" and "layers A, B, C" (1-based model layers) named as the
    /// page numbers them; references it cannot place stay as they are.
    /// </summary>
    public static string Renumber(string text, Func<int, int?> hiddenLayerOf, int outputLayer)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(hiddenLayerOf);
        return LayerReference().Replace(text, m =>
        {
            var numbers = m.Groups["n"].Captures.Select(c => int.Parse(c.Value, CultureInfo.InvariantCulture)).ToArray();
            if (m.Groups["to"].Success)
            {
                int last = int.Parse(m.Groups["to"].Value, CultureInfo.InvariantCulture);
                if (hiddenLayerOf(numbers[0]) is not { } from)
                {
                    return m.Value;
                }

                if (last >= outputLayer)
                {
                    return $"hidden layer {I(from + 1)} to the output layer";
                }

                return hiddenLayerOf(last) is not { } to ? m.Value
                    : from == to ? $"hidden layer {I(from + 1)}"
                    : $"hidden layers {I(from + 1)}-{I(to + 1)}";
            }

            if (numbers.Length == 1)
            {
                return numbers[0] >= outputLayer ? "the output layer"
                    : hiddenLayerOf(numbers[0]) is { } hidden ? $"hidden layer {I(hidden + 1)}"
                    : m.Value;
            }

            var hiddenLayers = numbers.Select(hiddenLayerOf).ToArray();
            return hiddenLayers.Any(h => h is null) ? m.Value
                : $"hidden layers {string.Join(", ", hiddenLayers.Distinct().Select(h => I(h!.Value + 1)))}";
        });
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(?<!hidden )\blayers? (?<n>\d+)(?:(?:-(?<to>\d+))|(?:, (?<n>\d+))*)\b", RegexOptions.CultureInvariant)]
    private static partial Regex LayerReference();
}
