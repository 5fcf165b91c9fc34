namespace Nonlinear.Layers;

/// <summary>How <see cref="SequencePool"/> reduces a sequence [T, D] to one vector [D].</summary>
public enum SequencePooling
{
    /// <summary>The mean over the T steps (spec <c>seqpool:mean</c>).</summary>
    Mean,

    /// <summary>The last step, t = T - 1 (spec <c>seqpool:last</c>).</summary>
    Last,
}
