using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Nonlinear.Activations;

namespace Nonlinear.Web.Playground;

/// <summary>
/// The playground's URL state: reads TensorFlow Playground's hash parameters as TF Playground reads them (so its
/// links and course sheets open the same experiment here) plus our extensions, and writes the canonical hash of a
/// config with TF Playground's names for what it has (so our links open in TF Playground too, for what it has).
/// </summary>
/// <remarks>
/// TF Playground's rules, kept: parameters are <c>name=value</c> joined by '&amp;'; names are case-sensitive; a
/// boolean is true unless its value is exactly "false"; numbers are read like JavaScript's <c>Number()</c>
/// ("0x10", " 5 ", "1e-3"); an empty value leaves the default; <c>networkShape=</c> (empty) is a network without
/// hidden layers; <c>&lt;control&gt;_hide=true</c> hides a control, and hiding an input feature (<c>x_hide=true</c>)
/// removes it from the network; <c>collectStats</c> is accepted and ignored. Where TF Playground would go on with a
/// broken value (NaN, 9 neurons, an unknown name), this reader keeps the default and says why in a warning.
/// Values are percent-decoded (our names and seeds may need it; TF Playground's never do).
/// </remarks>
public static class PlaygroundState
{
    private const int MaxWarnings = 20;
    private const int MaxShown = 40;
    private const string HideSuffix = "_hide";

    /// <summary>
    /// Names a <c>&lt;name&gt;_hide=true</c> flag may hide, in canonical order: TF Playground's fifteen controls, our
    /// own (optimizer, speed, classes, features, inside, regenerate, dropout, batchNorm), then the input features
    /// (hiding one removes it from the network, as in TF Playground).
    /// </summary>
    public static IReadOnlyList<string> HideableControls { get; } =
    [
        "showTestData", "discretize", "playButton", "stepButton", "resetButton", "learningRate", "activation",
        "regularization", "regularizationRate", "problem", "dataset", "percTrainData", "noise", "batchSize",
        "numHiddenLayers", "optimizer", "speed", "classes", "features", "inside", "regenerate", "dropout", "batchNorm",
        .. InputFeatures.Names,
    ];

    /// <summary>The hash parameters this reader knows (TF Playground's, then ours), for "did you mean" hints.</summary>
    public static IReadOnlyList<string> ParameterNames { get; } =
    [
        "activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate", "regularizationRate",
        "noise", "networkShape", "seed", "showTestData", "discretize", "percTrainData", "x", "y", "xTimesY",
        "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY", "collectStats", "tutorial", "problem", "initZero",
        "hideText", "classes", "layerActivations", "dropout", "batchNorm", "optimizer", "speed", "csvId", "csvFeatures",
    ];

    // TF Playground serialises its features in this order (state.ts PROPS).
    private static readonly string[] TensorFlowFeatureOrder = ["x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY"];

    private static readonly Regex JsDecimal = new(@"^[+-]?(?:Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// Reads a hash ("#activation=relu&amp;...", without '#', or a whole URL); anything malformed keeps the
    /// parameter's default and adds one warning naming the parameter and why. Never throws on any text; the
    /// config passes <see cref="PlaygroundConfigValidator.Validate"/> for <paramref name="limits"/>.
    /// </summary>
    public static ParsedState Parse(string? hash, PlaygroundLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var fallback = Defaults(limits);
        var read = new Reading(hash);
        if (read.IsEmpty)
        {
            return new ParsedState(fallback, read.Warnings);
        }

        string problem = read.Choice("problem", ["classification", "regression"], fallback.Problem);
        string dataset = read.Choice("dataset", [.. PlaygroundData.ClassificationNames, "csv"], fallback.Dataset);
        string regDataset = read.Choice("regDataset", [.. PlaygroundData.RegressionNames, "csv"], fallback.RegDataset,
            v => v is "reg-maximum" or "reg-argmax" ? "an experimental TF Playground set that its page never offers" : null);
        string? csvId = read.Text("csvId", null, "none", v => IsCsvId(v) ? null : "an upload id is 1-64 letters, digits, '-' or '_'");
        var csvFeatures = read.CsvColumns();
        int classes = read.Integer("classes", 2, 5, fallback.Classes);
        int noise = read.Integer("noise", 0, 50, fallback.Noise);
        int percTrain = read.Integer("percTrainData", 10, 90, fallback.PercTrainData);
        int batchSize = read.Integer("batchSize", 1, 30, fallback.BatchSize);
        double learningRate = read.Number("learningRate", v => v > 0 && v <= 10 ? null : "expected a number in (0, 10]", fallback.LearningRate);
        double regularizationRate = read.Number("regularizationRate", v => v is >= 0 and <= 10 ? null : "expected a number in [0, 10]", fallback.RegularizationRate);
        double speed = read.Number("speed", v => v == 0 || v is >= 0.25 and <= 16 ? null : "expected 0.25-16, or 0 for as fast as possible", fallback.Speed);
        string activation = read.Activation("activation", fallback.Activation) ?? fallback.Activation;
        string regularization = read.Choice("regularization", ["none", "L1", "L2"], fallback.Regularization);
        string optimizer = read.Choice("optimizer", PlaygroundConfigValidator.Optimizers, fallback.Optimizer);
        var layers = read.Layers(limits, fallback.Layers);
        string seed = read.Text("seed", fallback.Seed, fallback.Seed, v => v.Length <= 64 ? null : "a seed has at most 64 characters") ?? fallback.Seed;
        bool showTestData = read.Boolean("showTestData", fallback.ShowTestData);
        bool discretize = read.Boolean("discretize", fallback.Discretize);
        bool initZero = read.Boolean("initZero", fallback.InitZero);
        bool hideText = read.Boolean("hideText", fallback.HideText);
        var on = InputFeatures.Names.Where(f => read.Boolean(f, fallback.Features.Contains(f))).ToList();
        read.Ignore("collectStats");
        if (read.Has("tutorial"))
        {
            read.Ignore("tutorial");
            read.Warn("Ignored 'tutorial': TF Playground's tutorial pages are not part of this playground.");
        }

        var hidden = read.HideFlags();
        read.WarnUnknown();

        // Rules between parameters, after all of them are read (the order in the hash does not matter).
        if ((problem == "classification" ? dataset : regDataset) == "csv" && csvId is null)
        {
            string key = problem == "classification" ? "dataset" : "regDataset";
            read.Warn($"Ignored '{key}=csv': no uploaded table is named (csvId); {key} stays {(key == "dataset" ? fallback.Dataset : fallback.RegDataset)}.");
            (dataset, regDataset) = key == "dataset" ? (fallback.Dataset, regDataset) : (dataset, fallback.RegDataset);
        }

        if (classes > 2 && problem == "classification" && dataset is not ("spiral" or "gauss" or "csv"))
        {
            read.Warn($"Ignored 'classes={classes}': only the spiral and gauss datasets have more than two classes ({dataset} has two); classes stays 2.");
            classes = 2;
        }

        var features = on.Where(f => !hidden.Contains(f)).ToList();
        if (features.Count == 0)
        {
            read.Warn("No input feature is on (or every one that is on is hidden); the inputs stay x and y.");
            features = ["x", "y"];
            hidden.RemoveAll(h => h is "x" or "y");
        }

        var config = new PlaygroundConfig
        {
            Problem = problem,
            Dataset = dataset,
            RegDataset = regDataset,
            Classes = classes,
            Noise = noise,
            PercTrainData = percTrain,
            BatchSize = batchSize,
            LearningRate = learningRate,
            Activation = activation,
            Layers = layers,
            Regularization = regularization,
            RegularizationRate = regularizationRate,
            Optimizer = optimizer,
            Features = features,
            Seed = seed,
            ShowTestData = showTestData,
            Discretize = discretize,
            InitZero = initZero,
            HideText = hideText,
            Hidden = hidden,
            Speed = speed,
            CsvId = csvId,
            CsvFeatures = csvFeatures,
        };
        try
        {
            return new ParsedState(PlaygroundConfigValidator.Validate(config, limits), read.Warnings);
        }
        catch (WebRequestException e)
        {
            // Each parameter was checked on its own; this is a safety net for a rule between them that the
            // reader does not know yet. The page still gets a working playground and the reason.
            read.Warn($"The link's settings do not fit together ({e.Message}); the playground starts from the defaults.");
            return new ParsedState(fallback, read.Warnings);
        }
    }

    /// <summary>
    /// The canonical hash of <paramref name="config"/> (without '#'): TF Playground's parameters in its order and
    /// spelling (so the link opens in TF Playground for what it has), the hidden controls, then our extensions
    /// where they differ from the defaults. <c>Parse(Format(c))</c> gives <c>c</c> back for every validated config.
    /// </summary>
    public static string Format(PlaygroundConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var parts = new List<string>
        {
            "activation=" + Escape(config.Activation == "identity" ? "linear" : config.Activation, keepComma: false),
        };
        if (config.Regularization != "none")
        {
            parts.Add("regularization=" + config.Regularization);
        }

        parts.Add("batchSize=" + Integer(config.BatchSize));
        parts.Add("dataset=" + Escape(config.Dataset, keepComma: false));
        parts.Add("regDataset=" + Escape(config.RegDataset, keepComma: false));
        parts.Add("learningRate=" + Number(config.LearningRate));
        parts.Add("regularizationRate=" + Number(config.RegularizationRate));
        parts.Add("noise=" + Integer(config.Noise));
        parts.Add("networkShape=" + string.Join(",", config.Layers.Select(l => Integer(l.Units))));
        parts.Add("seed=" + Escape(config.Seed, keepComma: true));
        parts.Add("showTestData=" + Boolean(config.ShowTestData));
        parts.Add("discretize=" + Boolean(config.Discretize));
        parts.Add("percTrainData=" + Integer(config.PercTrainData));
        foreach (var feature in TensorFlowFeatureOrder)
        {
            parts.Add(feature + "=" + Boolean(config.Features.Contains(feature)));
        }

        parts.Add("collectStats=false");
        parts.Add("problem=" + Escape(config.Problem, keepComma: false));
        parts.Add("initZero=" + Boolean(config.InitZero));
        parts.Add("hideText=" + Boolean(config.HideText));
        foreach (var control in HideableControls.Where(config.Hidden.Contains))
        {
            parts.Add(control + HideSuffix + "=true");
        }

        if (config.Classes != 2)
        {
            parts.Add("classes=" + Integer(config.Classes));
        }

        if (config.Layers.Any(l => l.Activation is not null))
        {
            parts.Add("layerActivations=" + string.Join(",", config.Layers.Select(l => l.Activation is null ? "" : Escape(l.Activation, keepComma: false))));
        }

        if (config.Layers.Any(l => l.Dropout != 0))
        {
            parts.Add("dropout=" + string.Join(",", config.Layers.Select(l => Number(l.Dropout))));
        }

        if (config.Layers.Any(l => l.BatchNorm))
        {
            parts.Add("batchNorm=" + string.Join(",", config.Layers.Select(l => l.BatchNorm ? "1" : "0")));
        }

        if (config.Optimizer != "sgd")
        {
            parts.Add("optimizer=" + Escape(config.Optimizer, keepComma: false));
        }

        if (config.Speed != 1)
        {
            parts.Add("speed=" + Number(config.Speed));
        }

        if (config.CsvId is not null)
        {
            parts.Add("csvId=" + Escape(config.CsvId, keepComma: false));
        }

        if (config.CsvFeatures is not null)
        {
            parts.Add("csvFeatures=" + string.Join(",", config.CsvFeatures.Select(c => Escape(c, keepComma: false))));
        }

        return string.Join("&", parts);
    }

    /// <summary>The default config, its network cut down to fit <paramref name="limits"/> if they are smaller than TF Playground's.</summary>
    internal static PlaygroundConfig Defaults(PlaygroundLimits limits)
    {
        var config = new PlaygroundConfig();
        return config with
        {
            Layers = config.Layers.Take(limits.MaxHiddenLayers).Select(l => l with { Units = Math.Min(l.Units, limits.MaxNeurons) }).ToArray(),
        };
    }

    /// <summary>Whether <paramref name="id"/> has the form of an upload id (1-64 letters, digits, '-' or '_').</summary>
    internal static bool IsCsvId(string? id)
        => id is { Length: > 0 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// The number JavaScript's <c>Number(text)</c> gives (TF Playground reads its numbers so): surrounding blanks
    /// ignored, decimal with optional exponent, "Infinity", or a 0x/0o/0b integer; NaN for anything else.
    /// </summary>
    internal static double JsNumber(string text)
    {
        var t = text.Trim().Trim('\uFEFF').Trim();
        if (t.Length == 0)
        {
            return 0;
        }

        if (t.Length > 2 && t[0] == '0' && (t[1] | 0x20) is 'x' or 'o' or 'b')
        {
            int radix = (t[1] | 0x20) switch { 'x' => 16, 'o' => 8, _ => 2 };
            double value = 0;
            foreach (char c in t.AsSpan(2))
            {
                int digit = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetter(c) ? (c | 0x20) - 'a' + 10 : 99;
                if (digit >= radix)
                {
                    return double.NaN;
                }

                value = value * radix + digit;
            }

            return value;
        }

        if (t.Length > 400 || !JsDecimal.IsMatch(t))
        {
            return double.NaN;
        }

        if (t.EndsWith("Infinity", StringComparison.Ordinal))
        {
            return t[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        }

        return double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static string Integer(int value) => value.ToString(CultureInfo.InvariantCulture);

    // The shortest text that reads back as the same double, with JavaScript's lower-case exponent.
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);

    private static string Boolean(bool value) => value ? "true" : "false";

    /// <summary>
    /// Percent-encodes what a hash value cannot hold as it is ('&amp;', '=', '#', '%', '+', blanks, non-ASCII...) and
    /// leaves the rest readable (':' of activation specs, ',' of lists unless <paramref name="keepComma"/> is false).
    /// </summary>
    private static string Escape(string value, bool keepComma)
    {
        var sb = new StringBuilder(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or ':' or '!' or '$' or '\'' or '(' or ')' or '*' or ';' or '@' or '/' or '?'
                || (c == ',' && keepComma))
            {
                sb.Append(c);
                continue;
            }

            int length = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])
                ? Encoding.UTF8.GetBytes(value.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(value.AsSpan(i, 1), utf8);
            foreach (byte b in utf8[..length])
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    /// <summary>Percent-decodes, and replaces a lone surrogate (not text) by U+FFFD, as UTF-8 would.</summary>
    private static string Decode(string text)
    {
        var decoded = text.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(text) : text;
        return PlaygroundConfigValidator.IsWellFormed(decoded) ? decoded : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(decoded));
    }

    /// <summary>A value as a warning quotes it: at most 40 characters, control characters shown as '?'.</summary>
    private static string Show(string value)
    {
        var shown = value.Length <= MaxShown ? value : value[..(MaxShown - 3)] + "...";
        return string.Create(shown.Length, shown, (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }

    private static string ShowList(IEnumerable<HiddenLayerConfig> layers)
    {
        var text = string.Join(",", layers.Select(l => Integer(l.Units)));
        return text.Length == 0 ? "(no hidden layer)" : text;
    }

    /// <summary>The parameters of one hash, taken one by one; whatever is left at the end is unknown.</summary>
    private sealed class Reading
    {
        private readonly Dictionary<string, string?> _raw = new(StringComparer.Ordinal);
        private readonly List<string> _order = [];
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
        private int _unshown;

        public Reading(string? hash)
        {
            if (string.IsNullOrWhiteSpace(hash))
            {
                return;
            }

            // A whole URL works too: the hash is what follows the first '#' (a '#' cannot occur inside one).
            int sharp = hash.IndexOf('#', StringComparison.Ordinal);
            var text = sharp >= 0 ? hash[(sharp + 1)..] : hash;
            foreach (var part in text.Split('&'))
            {
                if (string.IsNullOrWhiteSpace(part))
                {
                    continue;
                }

                int eq = part.IndexOf('=', StringComparison.Ordinal);
                string key = Decode(eq < 0 ? part : part[..eq]);
                string? raw = eq < 0 ? null : part[(eq + 1)..];
                if (_raw.ContainsKey(key))
                {
                    Warn($"'{Show(key)}' is given more than once; the last one counts (as in TF Playground).");
                }
                else
                {
                    _order.Add(key);
                }

                _raw[key] = raw;
            }
        }

        public List<string> Warnings { get; } = [];

        public bool IsEmpty => _raw.Count == 0 && Warnings.Count == 0;

        public bool Has(string key) => _raw.ContainsKey(key);

        public void Ignore(string key) => _taken.Add(key);

        public void Warn(string message)
        {
            if (Warnings.Count < MaxWarnings)
            {
                Warnings.Add(message);
            }
            else
            {
                _unshown++;
                string more = $"... and {_unshown} more warning{(_unshown == 1 ? "" : "s")}.";
                if (_unshown == 1)
                {
                    Warnings.Add(more);
                }
                else
                {
                    Warnings[^1] = more;
                }
            }
        }

        /// <summary>The decoded value of <paramref name="key"/>; false (with a warning) when it has none.</summary>
        private bool TryValue(string key, string kept, out string value)
        {
            value = "";
            if (!_raw.TryGetValue(key, out var raw))
            {
                return false;
            }

            _taken.Add(key);
            value = raw is null ? "" : Decode(raw);
            if (value.Trim().Length == 0)
            {
                Warn($"Ignored '{key}': it has no value; {key} stays {kept}.");
                return false;
            }

            return true;
        }

        private void Reject(string key, string value, string reason, string kept)
            => Warn($"Ignored '{key}={Show(value)}': {reason}; {key} stays {kept}.");

        public string Choice(string key, IReadOnlyList<string> valid, string fallback, Func<string, string?>? explain = null)
        {
            if (!TryValue(key, fallback, out var value))
            {
                return fallback;
            }

            var match = valid.FirstOrDefault(v => string.Equals(v, value.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                Reject(key, value, explain?.Invoke(value.Trim()) ?? $"not one of {string.Join(", ", valid)}", fallback);
                return fallback;
            }

            return match;
        }

        public string? Text(string key, string? fallback, string kept, Func<string, string?> check)
        {
            if (!TryValue(key, kept, out var value))
            {
                return fallback;
            }

            if (check(value) is { } problem)
            {
                Reject(key, value, problem, kept);
                return fallback;
            }

            return value;
        }

        public int Integer(string key, int min, int max, int fallback)
        {
            string kept = PlaygroundState.Integer(fallback);
            if (!TryValue(key, kept, out var value))
            {
                return fallback;
            }

            double v = JsNumber(value);
            string? problem = double.IsNaN(v) ? "not a number"
                : v != Math.Floor(v) ? "not a whole number"
                : v < min || v > max ? $"out of range {min}-{max}"
                : null;
            if (problem is not null)
            {
                Reject(key, value, problem, kept);
                return fallback;
            }

            return (int)v;
        }

        public double Number(string key, Func<double, string?> check, double fallback)
        {
            string kept = PlaygroundState.Number(fallback);
            if (!TryValue(key, kept, out var value))
            {
                return fallback;
            }

            double v = JsNumber(value);
            string? problem = double.IsNaN(v) ? "not a number" : !double.IsFinite(v) ? "not a finite number" : check(v);
            if (problem is not null)
            {
                Reject(key, value, problem, kept);
                return fallback;
            }

            return v;
        }

        public bool Boolean(string key, bool fallback)
        {
            if (!TryValue(key, fallback ? "true" : "false", out var value))
            {
                return fallback;
            }

            // TF Playground: every value but "false" is true.
            bool result = value != "false";
            if (value is not ("true" or "false"))
            {
                Warn($"'{key}={Show(value)}' is read as {(result ? "true" : "false")}: TF Playground takes every value but 'false' as true; write {key}=true or {key}=false.");
            }

            return result;
        }

        public string? Activation(string key, string fallback)
        {
            if (!TryValue(key, fallback, out var value))
            {
                return null;
            }

            return CheckActivation(value, out var problem) ?? Rejected(key, value, problem!, fallback);
        }

        private string? Rejected(string key, string value, string problem, string kept)
        {
            Reject(key, value, problem, kept);
            return null;
        }

        private static string? CheckActivation(string spec, out string? problem)
        {
            problem = null;
            if (!ActivationRegistry.TryParse(spec.Trim(), out var activation, out var error))
            {
                problem = error ?? "not an activation";
                return null;
            }

            if (activation!.IsRowWise)
            {
                problem = $"{activation.Spec} works on whole rows; a hidden layer takes an elementwise activation";
                return null;
            }

            return activation.Spec;
        }

        public IReadOnlyList<HiddenLayerConfig> Layers(PlaygroundLimits limits, IReadOnlyList<HiddenLayerConfig> fallback)
        {
            string kept = ShowList(fallback);
            var layers = fallback;
            if (_raw.TryGetValue("networkShape", out var raw))
            {
                _taken.Add("networkShape");
                var value = raw is null ? null : Decode(raw);
                string? problem = null;
                var units = value is null ? null : ParseShape(value, limits, out problem);
                if (value is null)
                {
                    Warn($"Ignored 'networkShape': it has no '=' (write networkShape= for no hidden layer); networkShape stays {kept}.");
                }
                else if (units is null)
                {
                    Reject("networkShape", value, problem!, kept);
                }
                else
                {
                    layers = units.Select(u => new HiddenLayerConfig { Units = u }).ToArray();
                }
            }

            var result = layers.ToArray();
            var activations = List("layerActivations", result.Length, s => s.Trim().Length == 0 ? (true, null) : CheckActivation(s, out var p) is { } spec ? (true, spec) : (false, p));
            var dropout = List("dropout", result.Length, s =>
            {
                double v = JsNumber(s);
                return v is >= 0 and <= 0.9 ? (true, v) : (false, $"'{Show(s)}' is not a dropout rate in 0-0.9");
            });
            var batchNorm = List("batchNorm", result.Length, s => s.Trim() switch
            {
                "1" or "true" => (true, true),
                "0" or "false" => (true, false),
                _ => (false, $"'{Show(s)}' is not 1 or 0"),
            });
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = result[i] with
                {
                    Activation = activations is null ? result[i].Activation : (string?)activations[i],
                    Dropout = dropout is null ? result[i].Dropout : (double)dropout[i]!,
                    BatchNorm = batchNorm is null ? result[i].BatchNorm : (bool)batchNorm[i]!,
                };
            }

            return result;
        }

        private static int[]? ParseShape(string value, PlaygroundLimits limits, out string? problem)
        {
            problem = null;
            if (value.Trim().Length == 0)
            {
                return [];
            }

            var parts = value.Split(',');
            if (parts.Length > limits.MaxHiddenLayers)
            {
                problem = $"{parts.Length} hidden layers is more than {limits.MaxHiddenLayers}, the most this server allows";
                return null;
            }

            var units = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                double v = JsNumber(parts[i]);
                if (double.IsNaN(v) || v != Math.Floor(v) || v < 1 || v > limits.MaxNeurons)
                {
                    problem = double.IsNaN(v) || v != Math.Floor(v)
                        ? $"'{Show(parts[i])}' (hidden layer {i + 1}) is not a whole number of neurons"
                        : v < 1 ? $"hidden layer {i + 1} has {v} neurons; a layer has at least 1"
                        : $"{v} neurons in hidden layer {i + 1} is more than {limits.MaxNeurons}, the most per layer";
                    return null;
                }

                units[i] = (int)v;
            }

            return units;
        }

        /// <summary>A per-layer list ("relu,,tanh"): one entry per hidden layer, or null (with a warning) when it does not fit.</summary>
        private object?[]? List(string key, int layers, Func<string, (bool Ok, object? Value)> read)
        {
            if (!_raw.TryGetValue(key, out var raw))
            {
                return null;
            }

            _taken.Add(key);
            string shown = raw is null ? "" : Decode(raw);
            if (raw is null)
            {
                Warn($"Ignored '{key}': it has no value; every layer keeps the default.");
                return null;
            }

            // Entries are split before decoding, so an encoded ',' ("%2C") stays inside its entry.
            var entries = layers == 0 && raw.Length == 0 ? [] : raw.Split(',').Select(Decode).ToArray();
            if (entries.Length != layers)
            {
                Warn($"Ignored '{key}={Show(shown)}': it has {entries.Length} entr{(entries.Length == 1 ? "y" : "ies")} but the network has {layers} hidden layer{(layers == 1 ? "" : "s")}; every layer keeps the default.");
                return null;
            }

            var values = new object?[layers];
            for (int i = 0; i < layers; i++)
            {
                var (ok, value) = read(entries[i]);
                if (!ok)
                {
                    Warn($"Ignored '{key}={Show(shown)}': hidden layer {i + 1}: {value}; every layer keeps the default.");
                    return null;
                }

                values[i] = value;
            }

            return values;
        }

        public IReadOnlyList<string>? CsvColumns()
        {
            if (!_raw.TryGetValue("csvFeatures", out var raw))
            {
                return null;
            }

            _taken.Add("csvFeatures");
            if (raw is null || raw.Trim().Length == 0)
            {
                Warn("Ignored 'csvFeatures': it has no value; every column of the table is an input.");
                return null;
            }

            var names = raw.Split(',').Select(Decode).ToArray();
            string? problem = names.Length != 2 ? $"it names {names.Length} column{(names.Length == 1 ? "" : "s")}; the 2-D views take exactly two"
                : names.Any(n => n.Trim().Length == 0 || n.Length > 200) ? "a column name is empty or longer than 200 characters"
                : names[0] == names[1] ? "it names the same column twice"
                : null;
            if (problem is not null)
            {
                Warn($"Ignored 'csvFeatures={Show(Decode(raw))}': {problem}; every column of the table is an input.");
                return null;
            }

            return names;
        }

        public List<string> HideFlags()
        {
            var hidden = new HashSet<string>(StringComparer.Ordinal);
            foreach (var key in _order.Where(k => k.EndsWith(HideSuffix, StringComparison.Ordinal) && !_taken.Contains(k)))
            {
                _taken.Add(key);
                string control = key[..^HideSuffix.Length];
                string value = _raw[key] is { } raw ? Decode(raw) : "";
                if (!HideableControls.Contains(control))
                {
                    var near = HideableControls.FirstOrDefault(c => string.Equals(c, control, StringComparison.OrdinalIgnoreCase));
                    Warn($"Ignored '{Show(key)}': there is no control named '{Show(control)}' to hide{(near is null ? "" : $"; did you mean {near}{HideSuffix}?")}.");
                }
                else if (value == "true")
                {
                    hidden.Add(control);
                }
                else if (value != "false")
                {
                    // TF Playground hides only on exactly "true".
                    Warn($"'{Show(key)}={Show(value)}' leaves {control} shown: only '{HideSuffix}=true' hides a control (as in TF Playground).");
                }
            }

            return [.. HideableControls.Where(hidden.Contains)];
        }

        public void WarnUnknown()
        {
            foreach (var key in _order.Where(k => !_taken.Contains(k)))
            {
                var near = ParameterNames.FirstOrDefault(p => string.Equals(p, key, StringComparison.OrdinalIgnoreCase));
                string value = _raw[key] is { } raw ? "=" + Show(Decode(raw)) : "";
                Warn($"Ignored '{Show(key)}{value}': not a playground parameter{(near is null ? "" : $" (names are case-sensitive: did you mean '{near}'?)")}.");
            }
        }
    }
}
