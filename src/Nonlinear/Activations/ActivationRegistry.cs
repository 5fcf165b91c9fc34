namespace Nonlinear.Activations;

/// <summary>
/// The one list of activations: the CLI, the advisor, model files and the generic tests all ask it.
/// Names are case-insensitive, '-' and '_' are interchangeable, and parameters follow the name after ':',
/// positionally or by name: <c>leaky_relu:0.1</c>, <c>gelu:tanh</c>, <c>softplus:beta=2:threshold=10</c>,
/// <c>hardtanh:-2:2</c>.
/// </summary>
public static class ActivationRegistry
{
    private static readonly ActivationDescriptor[] Entries =
    [
        Identity.Entry,
        Sigmoid.Entry,
        Tanh.Entry,
        Relu.Entry,
        LeakyRelu.Entry,
        Elu.Entry,
        Selu.Entry,
        Gelu.Entry,
        Silu.Entry,
        Mish.Entry,
        Softplus.Entry,
        Softsign.Entry,
        HardSigmoid.Entry,
        HardSwish.Entry,
        Relu6.Entry,
        HardTanh.Entry,
        LogSigmoid.Entry,
        Sin.Entry,
        Gaussian.Entry,
        Step.Entry,
        Softmax.Entry,
        LogSoftmax.Entry,
    ];

    private static readonly Dictionary<string, ActivationDescriptor> ByName = BuildIndex();

    /// <summary>Every activation in the catalog, in display order.</summary>
    public static IReadOnlyList<ActivationDescriptor> All => Entries;

    /// <summary>The entry for a name or alias (no parameters), or null.</summary>
    public static ActivationDescriptor? Find(string name)
        => ByName.GetValueOrDefault(Normalise(name));

    /// <summary>Builds the activation a spec names, e.g. "leaky_relu:0.1".</summary>
    /// <exception cref="ActivationSpecException">Unknown name (with the closest names), malformed or out-of-range parameter (with the valid range).</exception>
    public static Activation Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Trim().Split(':');
        var name = parts[0].Trim();
        if (name.Length == 0)
        {
            throw new ActivationSpecException(spec, "Empty activation name.");
        }

        var descriptor = Find(name);
        if (descriptor is null)
        {
            var suggestions = Suggest(name);
            var hint = suggestions.Count > 0 ? $"; did you mean {string.Join(" or ", suggestions)}?" : ".";
            throw new ActivationSpecException(spec, $"Unknown activation '{name}'{hint} (run 'nonlinear activations' for the list)", suggestions);
        }

        var ps = descriptor.Parameters;
        var values = ps.Select(p => p.Default).ToArray();
        var set = new bool[ps.Count];
        for (int k = 1; k < parts.Length; k++)
        {
            var token = parts[k].Trim();
            int eq = token.IndexOf('=');
            int index;
            string text;
            if (eq >= 0)
            {
                var pname = token[..eq].Trim();
                index = ps.ToList().FindIndex(p => string.Equals(p.Name, pname, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                {
                    var known = ps.Count == 0 ? "it takes no parameters" : $"its parameters are {string.Join(", ", ps.Select(p => p.Name))}";
                    throw new ActivationSpecException(spec, $"{descriptor.Name} has no parameter '{pname}'; {known}.");
                }

                text = token[(eq + 1)..].Trim();
            }
            else
            {
                index = k - 1;
                if (index >= ps.Count)
                {
                    var takes = ps.Count == 0 ? "no parameters" : $"{ps.Count} parameter{(ps.Count == 1 ? "" : "s")} ({string.Join(", ", ps.Select(p => p.Name))})";
                    throw new ActivationSpecException(spec, $"{descriptor.Name} takes {takes}; '{token}' is one too many.");
                }

                text = token;
            }

            var parameter = ps[index];
            if (set[index])
            {
                throw new ActivationSpecException(spec, $"{descriptor.Name}: parameter {parameter.Name} is given twice.");
            }

            if (!parameter.TryParse(text, out values[index]))
            {
                var expected = parameter.Choices is null ? "a number" : $"one of {string.Join(", ", parameter.Choices)}";
                throw new ActivationSpecException(spec, $"{descriptor.Name}: '{text}' is not a valid {parameter.Name}; expected {expected}.");
            }

            set[index] = true;
            if (parameter.Validate(values[index]) is { } error)
            {
                throw new ActivationSpecException(spec, $"{descriptor.Name}: {error}.");
            }
        }

        try
        {
            return descriptor.Create(values);
        }
        catch (ArgumentException e)
        {
            throw new ActivationSpecException(spec, e.Message);
        }
    }

    /// <summary>Like <see cref="Parse"/>, returning false with the error message instead of throwing.</summary>
    public static bool TryParse(string spec, out Activation? activation, out string? error)
    {
        try
        {
            activation = Parse(spec);
            error = null;
            return true;
        }
        catch (ActivationSpecException e)
        {
            activation = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Up to three known names closest to <paramref name="name"/> (edit distance), best first.</summary>
    public static IReadOnlyList<string> Suggest(string name)
    {
        var n = Normalise(name);
        return ByName
            .Select(kv => (kv.Value.Name, Distance: EditDistance(n, kv.Key)))
            .Where(t => t.Distance <= Math.Max(2, n.Length / 3) || t.Name.Contains(n, StringComparison.Ordinal))
            .GroupBy(t => t.Name)
            .Select(g => (Name: g.Key, Distance: g.Min(t => t.Distance)))
            .OrderBy(t => t.Distance)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .Take(3)
            .Select(t => t.Name)
            .ToList();
    }

    private static string Normalise(string name) => name.Trim().ToLowerInvariant().Replace('-', '_');

    private static Dictionary<string, ActivationDescriptor> BuildIndex()
    {
        var index = new Dictionary<string, ActivationDescriptor>(StringComparer.Ordinal);
        foreach (var d in Entries)
        {
            foreach (var key in d.Aliases.Prepend(d.Name))
            {
                if (!index.TryAdd(Normalise(key), d))
                {
                    throw new InvalidOperationException($"Activation name '{key}' is registered twice.");
                }
            }
        }

        return index;
    }

    private static int EditDistance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}
