using System.Globalization;
using System.Text.Json;

namespace Nonlinear.Tests.Activations;

/// <summary>Reads Golden/activations-torch.json (PyTorch's float64 values; format in Golden/README.md).</summary>
internal static class Golden
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "activations-torch.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>A number, or one of the strings "NaN", "Infinity", "-Infinity".</summary>
    public static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new FormatException($"Unexpected number string '{s}' in the golden file."),
        }
        : e.GetDouble();

    public static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(Number).ToArray();

    /// <summary>Our spec for a golden entry, e.g. leaky_relu {"alpha":0.1} → "leaky_relu:0.1".</summary>
    public static string Spec(JsonElement entry)
    {
        string name = entry.GetProperty("activation").GetString()!;
        var p = entry.GetProperty("params");
        string N(string key) => p.GetProperty(key).GetDouble().ToString("R", CultureInfo.InvariantCulture);
        return name switch
        {
            "leaky_relu" or "elu" => $"{name}:{N("alpha")}",
            "gelu" => p.GetProperty("approximate").GetString() == "tanh" ? "gelu:tanh" : "gelu",
            "softplus" => $"softplus:beta={N("beta")}:threshold={N("threshold")}",
            "hardtanh" => $"hardtanh:min={N("min")}:max={N("max")}",
            _ => name,
        };
    }
}
