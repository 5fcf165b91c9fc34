using System.Text.Json;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// A kind whose answers are numbers: the subclass draws the task from the seed and works out the
/// <see cref="NumericSolution"/>; the <see cref="Tutor"/> checks answers against it.
/// </summary>
internal abstract class NumericKind : IExerciseKind
{
    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
    public Exercise Generate(ExerciseDefinition definition, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var (prompt, solution) = Make(definition, new SeededRandom(seed));

        // A mistake whose numbers equal the right ones on this draw would be named for a right answer's neighbour.
        solution = solution.WithoutIndistinct();
        var fields = solution.Answers.Select(a => new AnswerField(a.Field, a.Label, "number", a.Tolerance)).ToList();
        return new Exercise(definition, seed, prompt, fields, solution);
    }

    /// <inheritdoc/>
    public Task<Verdict> CheckAsync(Exercise exercise, IReadOnlyDictionary<string, JsonElement> answers, int attempt, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        return Task.FromResult(Tutor.Check((NumericSolution)exercise.Solution, answers, attempt));
    }

    /// <summary>The prompt (HTML) and the solution of the task drawn from <paramref name="random"/>.</summary>
    protected abstract (string Prompt, NumericSolution Solution) Make(ExerciseDefinition definition, SeededRandom random);

    /// <summary>
    /// Draws with <paramref name="draw"/> until <paramref name="good"/> holds (at most 500 draws), so the exercise's
    /// mistakes can be told apart on its numbers; the last draw is kept if none qualifies (with 500 draws, vanishingly rare).
    /// </summary>
    protected static T Until<T>(Func<T> draw, Func<T, bool> good)
    {
        ArgumentNullException.ThrowIfNull(draw);
        ArgumentNullException.ThrowIfNull(good);
        T candidate = draw();
        for (int tries = 1; tries < 500 && !good(candidate); tries++)
        {
            candidate = draw();
        }

        return candidate;
    }
}
