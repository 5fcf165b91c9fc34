using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Layers;

namespace Nonlinear.Models;

/// <summary>
/// The compact text form of a model: comma-separated layer tokens, in order.
/// <c>dense:&lt;units&gt;[:he|glorot|lecun]</c>, <c>prelu</c>, <c>prelu:channel</c>, or any activation spec from
/// the catalog (<c>relu</c>, <c>leaky_relu:0.1</c>, <c>gelu:tanh</c>, <c>softmax</c>, ...).
/// </summary>
/// <example><c>ModelSpec.Parse("dense:16,tanh,dense:16,relu,dense:1")</c></example>
public static class ModelSpec
{
    /// <summary>The layers a spec names (not yet built).</summary>
    /// <exception cref="ModelSpecException">A token names no layer or activation, or has invalid arguments.</exception>
    public static IReadOnlyList<Layer> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var tokens = spec.Split(',');
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new ModelSpecException(spec, 1, spec, "the spec is empty; expected e.g. dense:16,tanh,dense:1.");
        }

        var layers = new List<Layer>(tokens.Length);
        for (int i = 0; i < tokens.Length; i++)
        {
            layers.Add(ParseToken(spec, i + 1, tokens[i].Trim()));
        }

        return layers;
    }

    /// <summary>The spec of a list of layers (the inverse of <see cref="Parse"/>).</summary>
    public static string Format(IEnumerable<Layer> layers) => string.Join(",", layers.Select(l => l.Spec));

    private static Layer ParseToken(string spec, int index, string token)
    {
        if (token.Length == 0)
        {
            throw new ModelSpecException(spec, index, token, "empty token (two commas in a row, or a trailing comma?).");
        }

        var parts = token.Split(':');
        string head = parts[0].Trim().ToLowerInvariant();
        switch (head)
        {
            case "dense":
            case "linear":
                if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int units) || units < 1)
                {
                    throw new ModelSpecException(spec, index, token, "expected dense:<units> with units a positive integer, e.g. dense:16.");
                }

                var init = Initializer.Auto;
                if (parts.Length == 3 && !TryInitializer(parts[2], out init))
                {
                    throw new ModelSpecException(spec, index, token, $"unknown initializer '{parts[2]}'; expected he, glorot or lecun.");
                }

                if (parts.Length > 3)
                {
                    throw new ModelSpecException(spec, index, token, "expected dense:<units> or dense:<units>:<initializer>.");
                }

                return new Dense(units, init);
            case "prelu":
                if (parts.Length == 1)
                {
                    return new PRelu();
                }

                if (parts.Length == 2 && parts[1].Trim().Equals("channel", StringComparison.OrdinalIgnoreCase))
                {
                    return new PRelu(perChannel: true);
                }

                throw new ModelSpecException(spec, index, token, "expected prelu (one shared slope) or prelu:channel (one per channel).");
            default:
                try
                {
                    return new ActivationLayer(ActivationRegistry.Parse(token));
                }
                catch (ActivationSpecException e)
                {
                    throw new ModelSpecException(spec, index, token, e.Message + " Layers: dense:<units>, prelu, or an activation.");
                }
        }
    }

    private static bool TryInitializer(string text, out Initializer initializer)
    {
        initializer = text.Trim().ToLowerInvariant() switch
        {
            "he" or "kaiming" => Initializer.He,
            "glorot" or "xavier" => Initializer.Glorot,
            "lecun" => Initializer.LeCun,
            _ => Initializer.Auto,
        };
        return initializer != Initializer.Auto;
    }
}
