using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Spectre.Console;

namespace Nonlinear.Cli.Commands.Demos;

/// <summary>
/// <c>nonlinear demo vanishing-time</c>: a tanh RNN and an LSTM on a long-range memory task (recall the first symbol
/// after T steps), their test accuracy and the gradient reaching each time step (<see cref="VanishingTimeExperiment"/>).
/// </summary>
internal static class VanishingTimeDemo
{
    public static Command Create(CliContext context)
    {
        var lengths = new Option<string?>("--lengths") { Description = $"Comma-separated sequence lengths T (default {string.Join(",", VanishingTimeSettings.DefaultLengths)}; --quick: {string.Join(",", VanishingTimeSettings.QuickLengths)})" };
        var quick = new Option<bool>("--quick") { Description = "Only the short lengths (a few seconds)" };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units of each cell", DefaultValueFactory = _ => 32 };
        var updates = new Option<int>("--updates") { Description = "Most Adam steps per run (a fresh batch each; a run stops once 20 batches in a row are all right)", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "Sequences per batch", DefaultValueFactory = _ => 64 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 0.0005 };
        var forgetBias = new Option<string>("--forget-bias") { Description = "The LSTM's initial forget-gate bias, or 'pytorch' to keep PyTorch's initialisation (gate near 0.5)", DefaultValueFactory = _ => "4" };
        var clip = new Option<string>("--clip") { Description = "Clip the gradient's global norm to this value, or 'off'", DefaultValueFactory = _ => "1" };
        var symbols = new Option<int>("--symbols") { Description = "Symbols to recall (classes; chance 1/symbols)", DefaultValueFactory = _ => 4 };
        var noise = new Option<int>("--noise-symbols") { Description = "Distractor symbols on steps 2..T (1: a blank)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed for the data, the weights and the batch order", DefaultValueFactory = _ => 1 };
        var plot = DemoPlot.CreateOption();
        var json = JsonOption.Create("every run with its gradient norm per time step");
        var command = new Command("vanishing-time", "Vanishing gradients through time: a tanh RNN forgets what it saw T steps ago, an LSTM remembers")
        {
            lengths, quick, hidden, updates, batch, lr, clip, forgetBias, symbols, noise, seed, plot, json,
        };
        command.SetAction(parseResult =>
        {
            DemoCommand.CheckPositive(parseResult.GetValue(hidden), "--hidden");
            DemoCommand.CheckPositive(parseResult.GetValue(updates), "--updates");
            DemoCommand.CheckPositive(parseResult.GetValue(batch), "--batch");
            if (parseResult.GetValue(symbols) < 2)
            {
                throw new CliUsageException($"--symbols must be at least 2; found {parseResult.GetValue(symbols)}.");
            }

            DemoCommand.CheckPositive(parseResult.GetValue(noise), "--noise-symbols");
            if (!(parseResult.GetValue(lr) > 0) || !double.IsFinite(parseResult.GetValue(lr)))
            {
                throw new CliUsageException($"--lr must be a positive number; found {parseResult.GetValue(lr).ToString(CultureInfo.InvariantCulture)}.");
            }

            var settings = new VanishingTimeSettings
            {
                Lengths = ParseLengths(parseResult.GetValue(lengths), parseResult.GetValue(quick)),
                Hidden = parseResult.GetValue(hidden),
                MaxUpdates = parseResult.GetValue(updates),
                BatchSize = parseResult.GetValue(batch),
                LearningRate = parseResult.GetValue(lr),
                ForgetBias = ParseForgetBias(parseResult.GetValue(forgetBias)!),
                ClipNorm = ParseClip(parseResult.GetValue(clip)!),
                Symbols = parseResult.GetValue(symbols),
                NoiseSymbols = parseResult.GetValue(noise),
                Seed = parseResult.GetValue(seed),
            };
            var runs = VanishingTimeExperiment.Run(settings, run => context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  T = {run.Steps}, {run.Cell}: test accuracy {run.Accuracy:F3} after {run.Updates} updates")));
            DemoPlot.VanishingTime(context, parseResult.GetValue(plot), runs);
            if (parseResult.GetValue(json))
            {
                WriteJson(context, settings, runs);
            }
            else
            {
                WriteTable(context, settings, runs);
            }

            return 0;
        });
        return command;
    }

    private static IReadOnlyList<int> ParseLengths(string? text, bool quick)
    {
        if (text is null)
        {
            return quick ? VanishingTimeSettings.QuickLengths : VanishingTimeSettings.DefaultLengths;
        }

        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(token =>
            int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int t) && t is >= 2 and <= 10_000
                ? t
                : throw new CliUsageException($"--lengths: '{token}' is not a sequence length between 2 and 10000.")).ToArray();
        return values.Length > 0 ? values : throw new CliUsageException("--lengths: give at least one sequence length.");
    }

    private static double? ParseClip(string text)
    {
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double c) && double.IsFinite(c) && c > 0
            ? c
            : throw new CliUsageException($"--clip: '{text}' is neither a positive number nor 'off'.");
    }

    private static double ParseForgetBias(string text)
    {
        if (text.Equals("pytorch", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && double.IsFinite(b)
            ? b
            : throw new CliUsageException($"--forget-bias: '{text}' is neither a finite number nor 'pytorch'.");
    }

    private static void WriteJson(CliContext context, VanishingTimeSettings settings, IReadOnlyList<VanishingTimeRun> runs) => Json.Write(context.Out, w =>
    {
        w.WriteStartObject();
        w.WriteNumber("symbols", settings.Symbols);
        w.WriteNumber("noiseSymbols", settings.NoiseSymbols);
        Json.WriteNumber(w, "chance", 1.0 / settings.Symbols);
        Json.WriteNumber(w, "learningRate", settings.LearningRate);
        if (settings.ClipNorm is { } clipNorm)
        {
            Json.WriteNumber(w, "clipNorm", clipNorm);
        }
        else
        {
            w.WriteNull("clipNorm");
        }

        w.WriteNumber("maxUpdates", settings.MaxUpdates);
        w.WriteNumber("batchSize", settings.BatchSize);
        if (double.IsNaN(settings.ForgetBias))
        {
            w.WriteString("forgetBias", "pytorch");
        }
        else
        {
            Json.WriteNumber(w, "forgetBias", settings.ForgetBias);
        }

        w.WriteStartArray("runs");
        foreach (var r in runs)
        {
            w.WriteStartObject();
            w.WriteString("cell", r.Cell);
            w.WriteString("model", r.Spec);
            w.WriteNumber("steps", r.Steps);
            Json.WriteNumber(w, "testAccuracy", r.Accuracy);
            Json.WriteNumber(w, "testLoss", r.TestLoss);
            w.WriteNumber("updates", r.Updates);
            Json.WriteNumber(w, "initialRatio", r.InitialRatio);
            Json.WriteNumber(w, "trainedRatio", r.TrainedRatio);
            WriteArray(w, "initialGradient", r.InitialGradient);
            WriteArray(w, "trainedGradient", r.TrainedGradient);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteArray(System.Text.Json.Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (double v in values)
        {
            Json.WriteNumber(w, v);
        }

        w.WriteEndArray();
    }

    private static void WriteTable(CliContext context, VanishingTimeSettings settings, IReadOnlyList<VanishingTimeRun> runs)
    {
        const int width = 25;
        var logs = runs.SelectMany(r => Normalised(r.InitialGradient)).Where(v => v > 0 && double.IsFinite(v)).Select(Math.Log10).ToList();
        double low = logs.Count == 0 ? 0 : Math.Max(logs.Min(), -12), high = logs.Count == 0 ? 0 : logs.Max();
        var table = new Table()
            .AddColumn(new TableColumn("T").RightAligned())
            .AddColumn("cell")
            .AddColumn(new TableColumn("test acc").RightAligned())
            .AddColumn(new TableColumn("updates").RightAligned())
            .AddColumn(new TableColumn("|dL/dx_1| / |dL/dx_T|, untrained").RightAligned())
            .AddColumn(new TableColumn("trained").RightAligned())
            .AddColumn($"untrained |dL/dx_t|, t = 1..T (log, ≤{width} points)");
        foreach (var r in runs)
        {
            table.AddRow(
                r.Steps.ToString(CultureInfo.InvariantCulture),
                r.Cell,
                r.Accuracy.ToString("F3", CultureInfo.InvariantCulture),
                r.Updates.ToString(CultureInfo.InvariantCulture),
                Format(r.InitialRatio),
                Format(r.TrainedRatio),
                Sparkline.Log(Sample(Normalised(r.InitialGradient), width), low, high));
        }

        var console = context.CreateConsole();
        string forget = double.IsNaN(settings.ForgetBias) ? "PyTorch's initial forget gate" : $"initial forget-gate bias {settings.ForgetBias.ToString(CultureInfo.InvariantCulture)}";
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Recall the first of {settings.Symbols} symbols after T steps ({(settings.NoiseSymbols == 1 ? "a blank" : $"{settings.NoiseSymbols} distractor symbols")} on steps 2..T; chance {1.0 / settings.Symbols:F2}): rnn:{settings.Hidden} (tanh) vs lstm:{settings.Hidden} ({forget}), each + dense:{settings.Symbols},"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Adam {settings.LearningRate}{(settings.ClipNorm is { } c ? $" with the gradient's norm clipped to {c}" : "")}, batch {settings.BatchSize}, at most {settings.MaxUpdates} updates (fewer once 20 batches in a row are all right), {settings.TestSamples} test sequences."));
        console.Write(table);
        console.WriteLine("|dL/dx_t| = gradient of the loss reaching the input of step t (mean over the first test sequences), from the model's backward");
        console.WriteLine("pass; 0 = below float32's range. Backward through time the RNN multiplies it by W_hh^T diag(tanh') at every step, so it");
        console.WriteLine("shrinks geometrically with the distance from the output: at long T step 1 gets nothing to learn from, and the RNN stays");
        console.WriteLine("at chance. The LSTM's cell c_t = f*c_(t-1) + i*g passes it on multiplied only by the forget gate f, near 1 when open.");
        var failed = runs.Where(r => r.Cell == "lstm" && r.Accuracy < 0.5 + (0.5 / settings.Symbols)).Select(r => r.Steps.ToString(CultureInfo.InvariantCulture)).ToList();
        if (failed.Count > 0)
        {
            console.WriteLine($"At T = {string.Join(", ", failed)} the LSTM did not learn within the budget either: its untrained gradient still reaches step 1, but");
            console.WriteLine("training without a usable signal closes its forget gates (see the trained ratio): this short run does not find the memory.");
        }
    }

    /// <summary>Each value divided by the last one (the gradient at the output step).</summary>
    private static double[] Normalised(IReadOnlyList<double> values) => values.Select(v => v / values[^1]).ToArray();

    /// <summary>At most <paramref name="count"/> values, evenly spaced, always with the first and the last.</summary>
    private static IEnumerable<double> Sample(IReadOnlyList<double> values, int count)
        => values.Count <= count ? values : Enumerable.Range(0, count).Select(i => values[(int)Math.Round(i * (values.Count - 1) / (double)(count - 1))]);

    private static string Format(double value) => value == 0 ? "0" : value.ToString(Math.Abs(value) is >= 1e-3 and < 1e4 ? "0.###" : "0.0e+0", CultureInfo.InvariantCulture);
}
