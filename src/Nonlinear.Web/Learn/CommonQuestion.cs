using System.Text.Json.Serialization;
using Nonlinear.Web.Learn.Exercises;

namespace Nonlinear.Web.Learn;

/// <summary>A common question and its answer (Learn/Content/questions.json), the answer rendered once.</summary>
/// <param name="Id">Its anchor on the questions page (/learn/questions#id); unique.</param>
/// <param name="Question">The question, plain text.</param>
/// <param name="AnswerHtml">The answer's Markdown rendered to HTML (trusted course content).</param>
/// <param name="AnswerText">The answer as plain text, for search (not served).</param>
/// <param name="See">Where the idea is shown live, or null.</param>
internal sealed record CommonQuestion(string Id, string Question, string AnswerHtml, [property: JsonIgnore] string AnswerText, SeeAlso? See);
