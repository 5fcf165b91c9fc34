namespace Nonlinear.Models;

/// <summary>A model spec (e.g. "dense:16,tanh,dense:1") with a token that names no layer or has bad arguments.</summary>
public sealed class ModelSpecException : FormatException
{
    /// <summary>Creates the exception for token <paramref name="tokenIndex"/> (1-based) of <paramref name="spec"/>.</summary>
    public ModelSpecException(string spec, int tokenIndex, string token, string message)
        : base($"Model spec token {tokenIndex} '{token}': {message}")
    {
        Spec = spec;
        TokenIndex = tokenIndex;
        Token = token;
    }

    /// <summary>The whole spec.</summary>
    public string Spec { get; }

    /// <summary>1-based position of the bad token.</summary>
    public int TokenIndex { get; }

    /// <summary>The bad token.</summary>
    public string Token { get; }
}
