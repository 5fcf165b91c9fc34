using System.Text.Encodings.Web;
using System.Text.Json;

namespace Nonlinear.Cli.Output;

/// <summary>
/// JSON helpers. JSON has no NaN or infinity, and Utf8JsonWriter refuses them, so non-finite numbers are
/// written as the strings "NaN", "Infinity" and "-Infinity" (what System.Text.Json and Json.NET read back
/// with named floating-point literals allowed).
/// </summary>
internal static class Json
{
    /// <summary>Indented, and without escaping '+' or '&lt;' (formulas contain them; this is not HTML).</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes a JSON document built by <paramref name="write"/> to <paramref name="output"/>, then a newline.</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    public static void WriteNumber(Utf8JsonWriter writer, float value)
    {
        // Utf8JsonWriter writes the shortest round-trip text for a float (0.1, not 0.10000000149011612) and keeps
        // the indentation, which a raw value would break.
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(Numbers.Format(value));
        }
    }

    public static void WriteNumber(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(Numbers.Format(value));
        }
    }

    public static void WriteNumber(Utf8JsonWriter writer, string name, float value)
    {
        writer.WritePropertyName(name);
        WriteNumber(writer, value);
    }

    public static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        writer.WritePropertyName(name);
        WriteNumber(writer, value);
    }

    /// <summary>A number token for hand-built one-line JSON (see the eval command).</summary>
    public static string NumberText(float value) => float.IsFinite(value) ? Numbers.Format(value) : $"\"{Numbers.Format(value)}\"";

    /// <summary>A number token for hand-built one-line JSON.</summary>
    public static string NumberText(double value) => double.IsFinite(value) ? Numbers.Format(value) : $"\"{Numbers.Format(value)}\"";

    /// <summary>A quoted, escaped string token for hand-built one-line JSON.</summary>
    public static string StringText(string value) => $"\"{JsonEncodedText.Encode(value, WriterOptions.Encoder)}\"";
}
