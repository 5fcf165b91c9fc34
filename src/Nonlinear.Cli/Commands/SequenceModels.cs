using System.Globalization;
using Nonlinear.Data.Sequences;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// The named sequence models of <c>--model rnn|lstm|gru|transformer</c>, as full specs (output layer included).
/// </summary>
/// <remarks>
/// On <c>--data words</c> (next-character prediction, a softmax over the 27 symbols at every step):
/// <c>embedding:27:32,&lt;cell&gt;:H:seq,dense:27</c>, and for the transformer
/// <c>embedding:27:D,positions:learned,transformer:d=D,heads=4,ff=4D:causal,dense:27</c> (causal: a step sees only
/// the steps before it). On images read row by row ([N, H, W], one class per image):
/// <c>&lt;cell&gt;:H,dense:K</c> (the last state), and for the transformer
/// <c>dense:D,positions:learned,transformer:d=D,heads=4,ff=4D,seqpool:mean,dense:K</c>. H (default 128) and D
/// (default 64, a multiple of the 4 heads) come from <c>--hidden</c>.
/// </remarks>
internal static class SequenceModels
{
    /// <summary>The recurrent width H when --hidden is not given.</summary>
    public const int DefaultHidden = 128;

    /// <summary>The transformer's model width D when --hidden is not given.</summary>
    public const int DefaultWidth = 64;

    /// <summary>The word embedding's width for the recurrent models.</summary>
    public const int EmbeddingWidth = 32;

    private const int Heads = 4;

    /// <summary>The names, in the order of the help text.</summary>
    public static readonly IReadOnlyList<string> Names = ["rnn", "lstm", "gru", "transformer"];

    /// <summary>Whether <paramref name="model"/> names a sequence model.</summary>
    public static bool IsName(string? model) => model is not null && Names.Contains(model.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>The full spec of the named model for next-character prediction over <see cref="CharacterVocabulary.SymbolCount"/> symbols.</summary>
    /// <exception cref="CliUsageException">--hidden is not a positive width (a multiple of 4 for the transformer).</exception>
    public static string ForWords(string name, int? hidden)
    {
        int symbols = CharacterVocabulary.SymbolCount;
        string key = name.Trim().ToLowerInvariant();
        if (key == "transformer")
        {
            int d = Width(hidden);
            return I($"embedding:{symbols}:{d},positions:learned,transformer:d={d},heads={Heads},ff={4 * d}:causal,dense:{symbols}");
        }

        return I($"embedding:{symbols}:{EmbeddingWidth},{key}:{Hidden(hidden)}:seq,dense:{symbols}");
    }

    /// <summary>The full spec of the named model for images read as rows, one of <paramref name="classes"/> classes per image.</summary>
    /// <exception cref="CliUsageException">--hidden is not a positive width (a multiple of 4 for the transformer).</exception>
    public static string ForRows(string name, int? hidden, int classes)
    {
        string key = name.Trim().ToLowerInvariant();
        if (key == "transformer")
        {
            int d = Width(hidden);
            return I($"dense:{d},positions:learned,transformer:d={d},heads={Heads},ff={4 * d},seqpool:mean,dense:{classes}");
        }

        return I($"{key}:{Hidden(hidden)},dense:{classes}");
    }

    private static int Hidden(int? hidden) => hidden switch
    {
        null => DefaultHidden,
        >= 1 => hidden.Value,
        _ => throw new CliUsageException($"--hidden must be a positive width; found {hidden}."),
    };

    private static int Width(int? hidden) => hidden switch
    {
        null => DefaultWidth,
        >= Heads when hidden.Value % Heads == 0 => hidden.Value,
        _ => throw new CliUsageException($"--hidden sets the transformer's width d, which must be a positive multiple of its {Heads} heads; found {hidden}."),
    };

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
