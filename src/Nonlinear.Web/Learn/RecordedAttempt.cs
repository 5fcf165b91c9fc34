namespace Nonlinear.Web.Learn;

/// <summary>The learner's standing after an attempt was stored.</summary>
/// <param name="Attempts">Attempts on the variant, this one included.</param>
/// <param name="Solved">Whether the exercise is solved (in any variant).</param>
/// <param name="ModuleComplete">Whether the exercise's module is complete.</param>
internal sealed record RecordedAttempt(int Attempts, bool Solved, bool ModuleComplete);
