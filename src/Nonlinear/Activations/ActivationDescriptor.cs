namespace Nonlinear.Activations;

/// <summary>A catalog entry: the canonical name, aliases, parameters and how to build the activation.</summary>
/// <param name="Name">Canonical name (lower case, underscores), e.g. "leaky_relu".</param>
/// <param name="Aliases">Other accepted names, e.g. "lrelu".</param>
/// <param name="Summary">One line for tables.</param>
/// <param name="Parameters">Parameters in positional order.</param>
/// <param name="Create">Builds the activation from one value per parameter (already validated).</param>
public sealed record ActivationDescriptor(
    string Name,
    IReadOnlyList<string> Aliases,
    string Summary,
    IReadOnlyList<ActivationParameter> Parameters,
    Func<IReadOnlyList<double>, Activation> Create)
{
    /// <summary>The activation with every parameter at its default.</summary>
    public Activation CreateDefault() => Create(Parameters.Select(p => p.Default).ToArray());

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> if a value is outside its parameter's range.</summary>
    internal void Check(params ReadOnlySpan<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (Parameters[i].Validate(values[i]) is { } error)
            {
                throw new ArgumentOutOfRangeException(Parameters[i].Name, values[i], $"{Name}: {error}.");
            }
        }
    }
}
