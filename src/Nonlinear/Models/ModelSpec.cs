using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Layers;
using Nonlinear.Layers.Recurrent;
using Nonlinear.Layers.Attention;

namespace Nonlinear.Models;

/// <summary>
/// The compact text form of a model: comma-separated layer tokens, in order.
/// <list type="bullet">
/// <item><c>dense:&lt;units&gt;[:he|glorot|lecun]</c> (alias <c>linear</c>): <see cref="Dense"/>, on a flat vector
/// [F] or at each step of a sequence [T, F].</item>
/// <item><c>conv:&lt;filters&gt;x&lt;k&gt;[:s&lt;stride&gt;][:p&lt;padding&gt;|:same][:he|glorot|lecun]</c> (alias
/// <c>conv2d</c>): <see cref="Conv2D"/> with k×k kernels; stride 1 and padding 0 unless given; <c>same</c> pads
/// by k/2 (odd k, stride 1). Options may come in any order; the canonical form is the one shown.</item>
/// <item><c>pool:&lt;size&gt;[:s&lt;stride&gt;]</c> (alias <c>maxpool</c>): <see cref="MaxPool2D"/>, stride = size unless given.</item>
/// <item><c>embedding:&lt;V&gt;:&lt;D&gt;</c>: <see cref="Embedding"/> of token ids 0..V-1 into D dimensions.</item>
/// <item><c>flatten</c>: <see cref="Flatten"/>.</item>
/// <item><c>dropout:&lt;rate&gt;</c>, rate in [0, 1): <see cref="Dropout"/>.</item>
/// <item><c>batchnorm</c> (alias <c>bn</c>): <see cref="BatchNorm"/>.</item>
/// <item><c>prelu</c>, <c>prelu:channel</c>: <see cref="PRelu"/>.</item>
/// <item><c>rnn:&lt;H&gt;[:&lt;activation&gt;][:seq]</c> (tanh unless given), <c>lstm:&lt;H&gt;[:seq]</c>,
/// <c>gru:&lt;H&gt;[:seq]</c>: <see cref="Rnn"/>, <see cref="Lstm"/>, <see cref="Gru"/> over input [T, F] per sample;
/// the output is the last hidden state [H], or every state [T, H] with <c>seq</c>.</item>
/// <item><c>seqpool:mean</c>, <c>seqpool:last</c>: <see cref="SequencePool"/>, a sequence [T, D] to one vector [D]
/// (the mean over the steps, or the last step).</item>
/// <item><c>positions:learned</c>, <c>positions:sinusoidal</c>: <see cref="PositionalEncoding"/>, adds a vector per
/// position to a sequence [T, D] (learned: parameter weight [T, D]; sinusoidal: Vaswani et al.'s fixed table).</item>
/// <item><c>layernorm</c> (alias <c>ln</c>): <see cref="LayerNorm"/> over the last dimension.</item>
/// <item><c>attention:heads=&lt;h&gt;[:causal][:unscaled]</c>: <see cref="MultiHeadAttention"/> on sequences [T, D].</item>
/// <item><c>transformer:[d=&lt;D&gt;,]heads=&lt;h&gt;,ff=&lt;units&gt;[:causal]</c>: <see cref="TransformerEncoderBlock"/>; its
/// own arguments are comma-separated and belong to the token.</item>
/// <item>any activation spec from the catalog (<c>relu</c>, <c>leaky_relu:0.1</c>, <c>gelu:tanh</c>, <c>softmax</c>, ...).</item>
/// </list>
/// <see cref="Format"/> writes the canonical form, so a canonical spec round-trips exactly (aliases are written
/// under their main name).
/// </summary>
/// <example><c>ModelSpec.Parse("dense:16,tanh,dense:16,relu,dense:1")</c>,
/// <c>ModelSpec.Parse("conv:32x3,relu,pool:2,conv:64x3,relu,pool:2,flatten,dense:128,relu,dense:10")</c></example>
public static class ModelSpec
{
    /// <summary>The layers a spec names (not yet built).</summary>
    /// <exception cref="ModelSpecException">A token names no layer or activation, or has invalid arguments.</exception>
    public static IReadOnlyList<Layer> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var tokens = GlueBlockArguments(spec.Split(','));
        if (string.IsNullOrWhiteSpace(spec))
        {
            throw new ModelSpecException(spec, 1, spec, "the spec is empty; expected e.g. dense:16,tanh,dense:1.");
        }

        var layers = new List<Layer>(tokens.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            layers.Add(ParseToken(spec, i + 1, tokens[i].Trim()));
        }

        return layers;
    }

    /// <summary>
    /// A transformer token's own arguments are comma-separated (<c>transformer:d=64,heads=4,ff=256:causal</c>): pieces
    /// of the form key=value (heads=, ff=) that follow a transformer token are glued back onto it.
    /// </summary>
    private static List<string> GlueBlockArguments(string[] pieces)
    {
        var tokens = new List<string>(pieces.Length);
        foreach (var piece in pieces)
        {
            string t = piece.Trim();
            bool argument = t.StartsWith("heads=", StringComparison.OrdinalIgnoreCase) || t.StartsWith("ff=", StringComparison.OrdinalIgnoreCase);
            if (argument && tokens.Count > 0 && tokens[^1].StartsWith("transformer:", StringComparison.OrdinalIgnoreCase))
            {
                tokens[^1] += "," + t;
            }
            else
            {
                tokens.Add(piece);
            }
        }

        return tokens;
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
            case "conv":
            case "conv2d":
                return ParseConv(spec, index, token, parts);
            case "pool":
            case "maxpool":
                return ParsePool(spec, index, token, parts);
            case "embedding":
                if (parts.Length != 3
                    || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int vocabulary) || vocabulary < 1
                    || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int dimension) || dimension < 1)
                {
                    throw new ModelSpecException(spec, index, token, "expected embedding:<V>:<D> with V (vocabulary size) and D (vector size) positive integers, e.g. embedding:27:32.");
                }

                return new Embedding(vocabulary, dimension);
            case "flatten":
                return parts.Length == 1 ? new Flatten() : throw new ModelSpecException(spec, index, token, "flatten takes no arguments.");
            case "batchnorm":
            case "bn":
                return parts.Length == 1 ? new BatchNorm() : throw new ModelSpecException(spec, index, token, "batchnorm takes no arguments.");
            case "layernorm":
            case "ln":
                return parts.Length == 1 ? new LayerNorm() : throw new ModelSpecException(spec, index, token, "layernorm takes no arguments.");
            case "seqpool":
                return (parts.Length == 2 ? parts[1].Trim().ToLowerInvariant() : null) switch
                {
                    "mean" => new SequencePool(SequencePooling.Mean),
                    "last" => new SequencePool(SequencePooling.Last),
                    _ => throw new ModelSpecException(spec, index, token, "expected seqpool:mean or seqpool:last."),
                };
            case "positions":
                return (parts.Length == 2 ? parts[1].Trim().ToLowerInvariant() : null) switch
                {
                    "learned" => new PositionalEncoding(PositionalEncodingKind.Learned),
                    "sinusoidal" => new PositionalEncoding(PositionalEncodingKind.Sinusoidal),
                    _ => throw new ModelSpecException(spec, index, token, "expected positions:learned or positions:sinusoidal."),
                };
            case "attention":
                return ParseAttention(spec, index, token, parts);
            case "transformer":
                return ParseTransformer(spec, index, token, parts);
            case "dropout":
                if (parts.Length != 2
                    || !double.TryParse(parts[1].Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double rate)
                    || !(rate >= 0 && rate < 1))
                {
                    throw new ModelSpecException(spec, index, token, "expected dropout:<rate> with the rate in [0, 1), e.g. dropout:0.25.");
                }

                return new Dropout(rate);
            case "rnn" or "lstm" or "gru":
                return ParseRecurrent(spec, index, token, head, parts);
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
                    throw new ModelSpecException(spec, index, token, e.Message + " Layers: dense:<units>, embedding:<V>:<D>, conv:<filters>x<k>, pool:<size>, flatten, dropout:<rate>, batchnorm, prelu, rnn:<H>, lstm:<H>, gru:<H>, layernorm, attention:heads=<h>, transformer:heads=<h>,ff=<units>, positions:learned|sinusoidal, seqpool:mean|last, or an activation.");
                }
        }
    }

    private static RecurrentLayer ParseRecurrent(string spec, int index, string token, string head, string[] parts)
    {
        string usage = head == "rnn"
            ? "expected rnn:<H>[:<activation>][:seq] with H a positive integer, e.g. rnn:32, rnn:32:relu:seq."
            : $"expected {head}:<H>[:seq] with H a positive integer, e.g. {head}:32 or {head}:32:seq.";
        if (parts.Length < 2 || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int hidden) || hidden < 1)
        {
            throw new ModelSpecException(spec, index, token, usage);
        }

        int end = parts.Length;
        bool seq = end > 2 && parts[end - 1].Trim().Equals("seq", StringComparison.OrdinalIgnoreCase);
        if (seq)
        {
            end--;
        }

        if (head != "rnn")
        {
            return end == 2 ? (head == "lstm" ? new Lstm(hidden, seq) : new Gru(hidden, seq)) : throw new ModelSpecException(spec, index, token, usage);
        }

        if (end == 2)
        {
            return new Rnn(hidden, null, seq);
        }

        // The activation may carry its own ':' arguments (rnn:32:leaky_relu:0.1:seq).
        string activation = string.Join(":", parts[2..end]).Trim();
        try
        {
            return new Rnn(hidden, ActivationRegistry.Parse(activation), seq);
        }
        catch (ActivationSpecException e)
        {
            throw new ModelSpecException(spec, index, token, e.Message + " " + usage);
        }
        catch (ArgumentException e)
        {
            throw new ModelSpecException(spec, index, token, e.Message);
        }
    }

    private static MultiHeadAttention ParseAttention(string spec, int index, string token, string[] parts)
    {
        const string Usage = "expected attention:heads=<h>[:causal][:unscaled], e.g. attention:heads=4:causal.";
        if (parts.Length < 2 || !TryKeyValue(parts[1], "heads", out int heads))
        {
            throw new ModelSpecException(spec, index, token, Usage);
        }

        bool causal = false, scaled = true;
        foreach (var raw in parts.Skip(2))
        {
            switch (raw.Trim().ToLowerInvariant())
            {
                case "causal" when !causal:
                    causal = true;
                    break;
                case "unscaled" when scaled:
                    scaled = false;
                    break;
                default:
                    throw new ModelSpecException(spec, index, token, $"unknown or repeated option '{raw}'; {Usage}");
            }
        }

        return new MultiHeadAttention(heads, causal, scaled);
    }

    private static TransformerEncoderBlock ParseTransformer(string spec, int index, string token, string[] parts)
    {
        const string Usage = "expected transformer:[d=<D>,]heads=<h>,ff=<units>[:causal], e.g. transformer:d=64,heads=4,ff=256:causal.";
        if (parts.Length is < 2 or > 3 || (parts.Length == 3 && !parts[2].Trim().Equals("causal", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ModelSpecException(spec, index, token, Usage);
        }

        int? d = null, heads = null, ff = null;
        foreach (var argument in parts[1].Split(','))
        {
            string key = argument.Split('=')[0].Trim().ToLowerInvariant();
            if (!TryKeyValue(argument, key, out int value))
            {
                throw new ModelSpecException(spec, index, token, $"'{argument}' is not key=<positive integer>; {Usage}");
            }

            switch (key)
            {
                case "d" when d is null:
                    d = value;
                    break;
                case "heads" when heads is null:
                    heads = value;
                    break;
                case "ff" when ff is null:
                    ff = value;
                    break;
                default:
                    throw new ModelSpecException(spec, index, token, $"unknown or repeated argument '{argument}'; {Usage}");
            }
        }

        if (heads is null || ff is null)
        {
            throw new ModelSpecException(spec, index, token, $"heads and ff are required; {Usage}");
        }

        return new TransformerEncoderBlock(heads.Value, ff.Value, parts.Length == 3, d);
    }

    /// <summary>"key=N" with N a positive integer.</summary>
    private static bool TryKeyValue(string text, string key, out int value)
    {
        value = 0;
        var kv = text.Split('=');
        return kv.Length == 2 && kv[0].Trim().Equals(key, StringComparison.OrdinalIgnoreCase)
            && int.TryParse(kv[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;
    }

    private static Conv2D ParseConv(string spec, int index, string token, string[] parts)
    {
        const string Usage = "expected conv:<filters>x<k>[:s<stride>][:p<padding>|:same][:<initializer>], e.g. conv:32x3 or conv:64x3:same.";
        var size = parts.Length >= 2 ? parts[1].Trim().Split('x', 'X') : [];
        if (size.Length != 2
            || !int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out int filters) || filters < 1
            || !int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
        {
            throw new ModelSpecException(spec, index, token, $"filters and kernel size must be positive integers; {Usage}");
        }

        int? stride = null, padding = null;
        bool same = false;
        Initializer? init = null;
        foreach (var raw in parts.Skip(2))
        {
            string option = raw.Trim().ToLowerInvariant();
            bool duplicate;
            if (option == "same")
            {
                duplicate = same || padding is not null;
                same = true;
            }
            else if (option.Length > 1 && (option[0] == 's' || option[0] == 'p') && char.IsAsciiDigit(option[1]))
            {
                if (!int.TryParse(option.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || (option[0] == 's' && value < 1))
                {
                    throw new ModelSpecException(spec, index, token, $"'{raw}': the stride must be a positive integer and the padding a non-negative one; {Usage}");
                }

                if (option[0] == 's')
                {
                    duplicate = stride is not null;
                    stride = value;
                }
                else
                {
                    duplicate = padding is not null || same;
                    padding = value;
                }
            }
            else if (TryInitializer(option, out var parsed))
            {
                duplicate = init is not null;
                init = parsed;
            }
            else
            {
                throw new ModelSpecException(spec, index, token, $"unknown option '{raw}'; {Usage}");
            }

            if (duplicate)
            {
                throw new ModelSpecException(spec, index, token, $"'{raw}' repeats or contradicts an earlier option (give the stride once, and either p<n> or same).");
            }
        }

        if (same)
        {
            if (k % 2 == 0)
            {
                throw new ModelSpecException(spec, index, token, $"'same' padding needs an odd kernel size; {k} is even (use p<n> instead).");
            }

            if (stride is not null && stride != 1)
            {
                throw new ModelSpecException(spec, index, token, "'same' padding keeps the size only at stride 1; use p<n> with a stride.");
            }

            return Conv2D.Same(filters, k, init ?? Initializer.Auto);
        }

        return new Conv2D(filters, k, stride ?? 1, padding ?? 0, init ?? Initializer.Auto);
    }

    private static MaxPool2D ParsePool(string spec, int index, string token, string[] parts)
    {
        const string Usage = "expected pool:<size> or pool:<size>:s<stride>, e.g. pool:2 or pool:3:s2.";
        if (parts.Length is < 2 or > 3 || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int size) || size < 1)
        {
            throw new ModelSpecException(spec, index, token, Usage);
        }

        int stride = size;
        if (parts.Length == 3)
        {
            var option = parts[2].Trim();
            if (option.Length < 2 || char.ToLowerInvariant(option[0]) != 's'
                || !int.TryParse(option.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out stride) || stride < 1)
            {
                throw new ModelSpecException(spec, index, token, Usage);
            }
        }

        return new MaxPool2D(size, stride);
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
