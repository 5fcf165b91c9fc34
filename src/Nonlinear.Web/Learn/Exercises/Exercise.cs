namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// One generated instance: what the learner sees (<see cref="PromptHtml"/>, <see cref="Fields"/>) and what only the
/// checker reads (<see cref="Solution"/>).
/// </summary>
/// <param name="Definition">The course's exercise.</param>
/// <param name="Seed">The seed it was made from (learner, exercise, variant).</param>
/// <param name="PromptHtml">The task with its numbers: trusted HTML made by the server (MathML for formulas); never echoes input.</param>
/// <param name="Fields">The answer fields, in order.</param>
/// <param name="Solution">Kind-specific: the exact answers and intermediates the checker and the tutor use.</param>
internal sealed record Exercise(ExerciseDefinition Definition, ulong Seed, string PromptHtml, IReadOnlyList<AnswerField> Fields, object Solution);
