namespace Nonlinear.Web.Playground;

/// <summary>A URL hash read into a config, with a warning for every parameter that was ignored and why.</summary>
/// <param name="Config">The experiment (defaults where the hash said nothing usable).</param>
/// <param name="Warnings">One readable sentence per ignored parameter.</param>
public sealed record ParsedState(PlaygroundConfig Config, IReadOnlyList<string> Warnings);
