using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// The JSON of widget answers: the app's settings, but a non-finite number is written as the string "NaN",
/// "Infinity" or "-Infinity". The softmax widget must show the naive exp overflowing to infinity and the depth
/// widget an exploding gradient, and JSON numbers cannot say either. Requests are still read strictly (WebJson).
/// </summary>
internal static class WidgetJson
{
    public static JsonSerializerOptions Options { get; } = new(WebJson.Options)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>An answer in these settings.</summary>
    public static IResult Answer(object value) => Results.Json(value, Options);
}
