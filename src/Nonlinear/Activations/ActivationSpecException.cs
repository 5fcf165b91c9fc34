namespace Nonlinear.Activations;

/// <summary>An activation spec (e.g. "leaky_relu:0.1") that names no activation or gives an invalid parameter.</summary>
public sealed class ActivationSpecException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ActivationSpecException(string spec, string message, IReadOnlyList<string>? suggestions = null)
        : base(message)
    {
        Spec = spec;
        Suggestions = suggestions ?? [];
    }

    /// <summary>The spec as given.</summary>
    public string Spec { get; }

    /// <summary>The closest known names, for an unknown name.</summary>
    public IReadOnlyList<string> Suggestions { get; }
}
