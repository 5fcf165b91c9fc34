using System.Text.Json;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// One kind of exercise (forward pass, derivative, collapse, softmax, backprop, concept, make-it-learn,
/// fix-this-network): makes an instance from a seed and checks an answer with the engine. Instances are never stored:
/// the same definition and seed give the same numbers, so checking regenerates them.
/// </summary>
internal interface IExerciseKind
{
    /// <summary>The kind's name as course.json writes it, e.g. "forward".</summary>
    string Kind { get; }

    /// <summary>The instance of <paramref name="definition"/> for <paramref name="seed"/> (deterministic).</summary>
    /// <exception cref="InvalidOperationException">The definition's parameters are wrong (a course bug; tests load every one).</exception>
    Exercise Generate(ExerciseDefinition definition, ulong seed);

    /// <summary>
    /// Checks <paramref name="answers"/> (field name to the JSON value the page sent) against <paramref name="exercise"/>;
    /// <paramref name="attempt"/> is 1 for the first try of this variant. A malformed answer throws a 400
    /// <see cref="WebRequestException"/> naming the field (it does not count as an attempt).
    /// </summary>
    Task<Verdict> CheckAsync(Exercise exercise, IReadOnlyDictionary<string, JsonElement> answers, int attempt, CancellationToken cancellation);
}
