using System.Text.Json;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>An exercise as course.json lists it under a module.</summary>
/// <param name="Id">Unique across the course, e.g. "m2-forward-sigmoid"; attempts are stored under it.</param>
/// <param name="Kind">The <see cref="IExerciseKind.Kind"/> that makes and checks it.</param>
/// <param name="Title">Shown on the exercise card.</param>
/// <param name="Parameters">Kind-specific settings (e.g. {"activation":"sigmoid"}); absent is empty.</param>
internal sealed record ExerciseDefinition(string Id, string Kind, string Title, IReadOnlyDictionary<string, JsonElement>? Parameters)
{
    /// <summary>The module the exercise belongs to (set when the course loads).</summary>
    public string ModuleId { get; init; } = "";

    /// <summary>A string parameter, or <paramref name="fallback"/> when absent.</summary>
    public string Text(string name, string fallback) =>
        Parameters is not null && Parameters.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : fallback;

    /// <summary>A number parameter, or <paramref name="fallback"/> when absent.</summary>
    public double Number(string name, double fallback) =>
        Parameters is not null && Parameters.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : fallback;
}
