using Nonlinear.Web.Learn.Exercises;

namespace Nonlinear.Web.Learn;

/// <summary>One term of the glossary (Learn/Content/glossary.json), served as it is.</summary>
/// <param name="Term">The term, e.g. "Dying ReLU".</param>
/// <param name="Id">Its anchor on the glossary page (/learn/glossary#dying-relu); unique.</param>
/// <param name="Definition">One line of plain text.</param>
/// <param name="See">Where the idea is shown live: a module and a widget or heading id in its lesson.</param>
internal sealed record GlossaryEntry(string Term, string Id, string Definition, SeeAlso? See);
