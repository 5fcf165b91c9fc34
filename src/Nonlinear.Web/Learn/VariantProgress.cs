namespace Nonlinear.Web.Learn;

/// <summary>Where a learner stands on one exercise: the variant they work on and their tries on it.</summary>
/// <param name="Variant">The current variant (0 until "next" is pressed).</param>
/// <param name="Attempts">Answers checked on this variant (malformed ones are not stored).</param>
/// <param name="Wrong">Of those, the ones not accepted.</param>
/// <param name="SolvedHere">Whether this variant has been solved.</param>
/// <param name="Solved">Whether the exercise has been solved in any variant.</param>
internal sealed record VariantProgress(int Variant, int Attempts, int Wrong, bool SolvedHere, bool Solved)
{
    /// <summary>Whether the worked solution of this variant has been shown (after the third wrong try, unsolved).</summary>
    public bool SolutionShown => !SolvedHere && Wrong >= Exercises.Tutor.TriesBeforeSolution;
}
