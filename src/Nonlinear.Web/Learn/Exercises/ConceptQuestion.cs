namespace Nonlinear.Web.Learn.Exercises;

/// <summary>A concept question of the course, as course.json names it by its "question" parameter.</summary>
/// <param name="Id">The parameter value, e.g. "dying-relu".</param>
/// <param name="See">Where the idea is shown live.</param>
/// <param name="Variants">The wordings; the seed picks one and draws its numbers.</param>
internal sealed record ConceptQuestion(string Id, SeeAlso See, IReadOnlyList<Func<SeededRandom, ConceptVariant>> Variants);
