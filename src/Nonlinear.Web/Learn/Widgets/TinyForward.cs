namespace Nonlinear.Web.Learn.Widgets;

/// <summary>Every intermediate of a 2-2-1 forward pass: z and a of the hidden units, z of the output and ŷ.</summary>
internal sealed record TinyForward(float[] ZHidden, float[] AHidden, float ZOut, float YHat);
