namespace Nonlinear.Web.Classroom;

/// <summary>The answer of <c>GET /api/classroom/progress</c> (docs/learn-api.md, "Classroom progress").</summary>
/// <param name="Learners">The learners by name (the instructor is not one).</param>
/// <param name="Modules">The course's modules in order: the columns of the table.</param>
/// <param name="Exercises">Every exercise of the course in order, with the class's results.</param>
internal sealed record ClassProgressReport(
    IReadOnlyList<ClassProgressReport.Learner> Learners,
    IReadOnlyList<ClassProgressReport.Module> Modules,
    IReadOnlyList<ClassProgressReport.Exercise> Exercises)
{
    /// <summary>One learner's row.</summary>
    /// <param name="Id">The profile's id.</param>
    /// <param name="Name">The profile's name.</param>
    /// <param name="Solved">Exercises of the course solved at least once.</param>
    /// <param name="Modules">Per module id: complete or not.</param>
    /// <param name="ModuleSolved">Per module id: how many of its exercises are solved.</param>
    /// <param name="LastSeen">The latest sign-in, answer or post (ISO 8601 UTC), or null.</param>
    internal sealed record Learner(long Id, string Name, int Solved, IReadOnlyDictionary<string, bool> Modules, IReadOnlyDictionary<string, int> ModuleSolved, string? LastSeen);

    /// <summary>A column of the table.</summary>
    /// <param name="Id">"m1".."m9".</param>
    /// <param name="Number">1-9.</param>
    /// <param name="Title">The module's title.</param>
    /// <param name="Exercises">How many exercises it has.</param>
    internal sealed record Module(string Id, int Number, string Title, int Exercises);

    /// <summary>One exercise's results over the class.</summary>
    /// <param name="Id">The exercise id.</param>
    /// <param name="Module">Its module's id.</param>
    /// <param name="Title">Its title.</param>
    /// <param name="Attempts">Answers sent by learners.</param>
    /// <param name="Correct">Of those, the correct ones.</param>
    /// <param name="Learners">Learners who answered at least once.</param>
    /// <param name="SolvedBy">Learners who answered correctly at least once.</param>
    /// <param name="SuccessRate">SolvedBy / Learners (0-1), the share of those who tried that solved it; null when nobody tried.</param>
    internal sealed record Exercise(string Id, string Module, string Title, int Attempts, int Correct, int Learners, int SolvedBy, double? SuccessRate);
}
