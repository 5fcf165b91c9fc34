namespace Nonlinear.Web.Learners;

/// <summary>Who made a request: a learner (with a profile) or the classroom's instructor.</summary>
/// <param name="LearnerId">The learner's row id (an instructor also has a profile, named by them).</param>
/// <param name="Name">The profile's name as shown to others.</param>
/// <param name="Role">"learner" or "instructor".</param>
public sealed record SignedIn(long LearnerId, string Name, string Role)
{
    /// <summary>The role of a learner.</summary>
    public const string LearnerRole = "learner";

    /// <summary>The role of the classroom's instructor.</summary>
    public const string InstructorRole = "instructor";

    /// <summary>Whether this is the instructor.</summary>
    public bool IsInstructor => Role == InstructorRole;
}
