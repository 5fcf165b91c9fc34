namespace Nonlinear.Models;

/// <summary>A word written by <see cref="WordSampler"/>.</summary>
/// <param name="Text">The letters (a-z), prefix included; may be empty when the model ends the word at once.</param>
/// <param name="Ended">
/// True when the model drew the word boundary; false when the word was cut at the model's T letters (its inputs
/// were full) without the model ending it.
/// </param>
public sealed record SampledWord(string Text, bool Ended)
{
    /// <summary>The text.</summary>
    public override string ToString() => Text;
}
