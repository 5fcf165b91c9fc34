namespace Nonlinear.Web.Learn.Exercises;

/// <summary>One number the learner computes, with its exact value and how close an answer must be.</summary>
/// <param name="Field">The answer's key, e.g. "z".</param>
/// <param name="Label">The field's label (MathML allowed).</param>
/// <param name="Exact">The engine's value.</param>
/// <param name="Tolerance">The accepted absolute error, as the prompt states it.</param>
/// <param name="Carried">
/// The value that follows from the learner's own earlier answers (e.g. a = σ(z) of their z), or null. An answer within
/// <see cref="Tolerance"/> of it is accepted too, provided every field of <see cref="DependsOn"/> was accepted: a learner
/// who rounds z to 3 decimals and then computes σ of the rounded z did the task right.
/// </param>
/// <param name="DependsOn">The fields <see cref="Carried"/> reads.</param>
/// <param name="Relative">
/// For tiny numbers (a product of many slopes): the accepted error as a share of the target, e.g. 0.02; then
/// <see cref="Tolerance"/> is that share of <see cref="Exact"/>, and a recognised mistake is matched within the same
/// share of the mistaken value.
/// </param>
internal sealed record NumericAnswer(
    string Field,
    string Label,
    double Exact,
    double Tolerance,
    Func<AnswerSheet, double>? Carried = null,
    IReadOnlyList<string>? DependsOn = null,
    double? Relative = null)
{
    /// <summary>The accepted error around <paramref name="target"/> (the exact value, a carried one or a mistaken one).</summary>
    public double ToleranceAt(double target) => Relative is { } share ? share * Math.Abs(target) : Tolerance;
}
