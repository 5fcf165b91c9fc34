namespace Nonlinear.Web.Learn.Exercises;

/// <summary>One finding of the advisor on a learner's network, as the verdict's <c>training.advice</c> lists it.</summary>
/// <param name="Stage">"before training" (the static checks of the network) or "during training" (the diagnostics).</param>
/// <param name="Severity">"info", "warning" or "error".</param>
/// <param name="Code">The advisor's stable code, e.g. "linear-collapse" or "dead-units".</param>
/// <param name="Message">What is wrong (layers named as the learner numbers them).</param>
/// <param name="Reason">Why it matters.</param>
/// <param name="Fix">What to do.</param>
internal sealed record TrainingAdvice(string Stage, string Severity, string Code, string Message, string Reason, string Fix);
