using System.Globalization;

namespace Nonlinear.Web.Playground;

/// <summary>
/// The playground's URL state: reads TensorFlow Playground's hash parameters (so its links and course sheets open
/// the same experiment here) and our own, and writes the canonical hash of a config.
/// </summary>
public static class PlaygroundState
{
    /// <summary>Reads a hash ("#activation=relu&amp;..." or without '#'); anything malformed falls back to the default with a warning.</summary>
    public static ParsedState Parse(string? hash, PlaygroundLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var config = new PlaygroundConfig();
        var warnings = new List<string>();
        if (string.IsNullOrWhiteSpace(hash))
        {
            return new ParsedState(config, warnings);
        }

        foreach (var part in hash.TrimStart('#').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            string value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            switch (key)
            {
                case "activation":
                    config = config with { Activation = value };
                    break;
                case "learningRate" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var lr):
                    config = config with { LearningRate = lr };
                    break;
                default:
                    warnings.Add($"Ignored '{key}={value}': not a playground parameter.");
                    break;
            }
        }

        return new ParsedState(config, warnings);
    }

    /// <summary>The canonical hash of <paramref name="config"/> (without '#').</summary>
    public static string Format(PlaygroundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return string.Create(CultureInfo.InvariantCulture, $"activation={config.Activation}&learningRate={config.LearningRate}");
    }
}
