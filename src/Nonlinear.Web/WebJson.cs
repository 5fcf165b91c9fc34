using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nonlinear.Web;

/// <summary>The JSON settings of every request and answer: camelCase, numbers strictly as numbers, no trailing junk.</summary>
public static class WebJson
{
    /// <summary>camelCase names, case-insensitive reading, enums as strings.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        MaxDepth = 16,
    };
}
