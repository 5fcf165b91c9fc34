using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Diagnostics;
using Spectre.Console;

namespace Nonlinear.Cli.Commands.Demos;

/// <summary>
/// <c>nonlinear demo attention-scale</c>: self-attention with and without the 1/√d scaling: entropy of the attention
/// rows and the gradient through the softmax, per head width (<see cref="AttentionScaleExperiment"/>).
/// </summary>
internal static class AttentionScaleDemo
{
    public static Command Create(CliContext context)
    {
        var dims = new Option<string>("--dims") { Description = "Comma-separated head widths d (one head, model width d)", DefaultValueFactory = _ => string.Join(",", AttentionScaleExperiment.DefaultDimensions.Select(d => d.ToString(CultureInfo.InvariantCulture))) };
        var steps = new Option<int>("--steps") { Description = "Positions T per sequence (the length of each attention row; uniform rows have entropy ln T)", DefaultValueFactory = _ => 32 };
        var samples = new Option<int>("--samples") { Description = "Sequences in the batch (standard-normal entries)", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed for the inputs, the weights and the upstream gradients", DefaultValueFactory = _ => 1 };
        var layerInit = new Option<bool>("--layer-init") { Description = "Keep the layer's PyTorch initialisation (q·k variance d/4) instead of unit-variance queries and keys (q·k variance d)" };
        var plot = DemoPlot.CreateOption();
        var json = JsonOption.Create("every row");
        var command = new Command("attention-scale", "Attention without 1/sqrt(d): the softmax saturates to one-hot rows and its gradient vanishes as d grows")
        {
            dims, steps, samples, seed, layerInit, plot, json,
        };
        command.SetAction(parseResult =>
        {
            var widths = parseResult.GetValue(dims)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(token =>
                int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int d) && d is >= 1 and <= 4096
                    ? d
                    : throw new CliUsageException($"--dims: '{token}' is not a head width between 1 and 4096.")).ToArray();
            if (widths.Length == 0)
            {
                throw new CliUsageException("--dims: give at least one head width.");
            }

            if (parseResult.GetValue(steps) < 2)
            {
                throw new CliUsageException($"--steps must be at least 2; found {parseResult.GetValue(steps)}.");
            }

            DemoCommand.CheckPositive(parseResult.GetValue(samples), "--samples");
            int t = parseResult.GetValue(steps);
            bool unit = !parseResult.GetValue(layerInit);
            var rows = AttentionScaleExperiment.Run(widths, t, parseResult.GetValue(samples), parseResult.GetValue(seed), unit);
            DemoPlot.AttentionScale(context, parseResult.GetValue(plot), rows, t);
            if (parseResult.GetValue(json))
            {
                WriteJson(context, rows, t, unit);
                return 0;
            }

            var table = new Table()
                .AddColumn(new TableColumn("d").RightAligned())
                .AddColumn("scores")
                .AddColumn(new TableColumn("std of scores").RightAligned())
                .AddColumn(new TableColumn("entropy (nats)").RightAligned())
                .AddColumn(new TableColumn("max weight").RightAligned())
                .AddColumn(new TableColumn("rows > 0.99").RightAligned())
                .AddColumn(new TableColumn("|dL/dS| / |dL/dP|").RightAligned())
                .AddColumn(new TableColumn("median row").RightAligned());
            foreach (var r in rows)
            {
                table.AddRow(
                    r.Dimension.ToString(CultureInfo.InvariantCulture),
                    r.Scaled ? "q·k/√d" : "q·k",
                    r.ScoreStd.ToString("F2", CultureInfo.InvariantCulture),
                    r.Entropy.ToString("F3", CultureInfo.InvariantCulture),
                    r.MaxWeight.ToString("F3", CultureInfo.InvariantCulture),
                    r.OneHotShare.ToString("P0", CultureInfo.InvariantCulture),
                    Format(r.GradientRatio),
                    Format(r.MedianGradientRatio));
            }

            var console = context.CreateConsole();
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"One-head self-attention on {parseResult.GetValue(samples)} sequences of T = {t} standard-normal vectors of width d, {(unit ? "in_proj_weight N(0, 1/d) (unit-variance q and k)" : "the layer's PyTorch initialisation")}; the same weights with and without 1/√d."));
            console.Write(table);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"entropy of an attention row: ln T = {Math.Log(t):F3} nats when uniform, 0 when one-hot. |dL/dS| / |dL/dP|: the gradient the softmax passes back to"));
            console.WriteLine("its scores S, for standard-normal dL/dP (catalog softmax backward: dS = P*(dP - <dP, P>)); overall and in the median row");
            console.WriteLine("(the overall ratio falls more slowly: it is carried by the rows that have not saturated yet).");
            console.WriteLine("q·k sums d products, so its spread grows like √d: unscaled, each row puts nearly all its weight on one position and the");
            console.WriteLine("Jacobian diag(p) - p p^T goes to 0 (sigmoid's and tanh's saturation, inside a transformer): the queries and keys stop");
            console.WriteLine("learning. Divided by √d, the scores keep a spread near 1 at every d, and so do the entropy and the gradient.");
            return 0;
        });
        return command;
    }

    private static void WriteJson(CliContext context, IReadOnlyList<AttentionScaleRow> rows, int steps, bool unitQueries) => Json.Write(context.Out, w =>
    {
        w.WriteStartObject();
        w.WriteNumber("steps", steps);
        Json.WriteNumber(w, "maxEntropy", Math.Log(steps));
        w.WriteString("initialization", unitQueries ? "in_proj_weight N(0, 1/d)" : "layer (PyTorch)");
        w.WriteStartArray("rows");
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteNumber("d", r.Dimension);
            w.WriteBoolean("scaled", r.Scaled);
            Json.WriteNumber(w, "scoreStd", r.ScoreStd);
            Json.WriteNumber(w, "entropy", r.Entropy);
            Json.WriteNumber(w, "maxWeight", r.MaxWeight);
            Json.WriteNumber(w, "oneHotShare", r.OneHotShare);
            Json.WriteNumber(w, "gradientRatio", r.GradientRatio);
            Json.WriteNumber(w, "medianGradientRatio", r.MedianGradientRatio);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string Format(double value) => value.ToString(Math.Abs(value) is >= 1e-3 and < 1e4 ? "0.0000" : "0.0e+0", CultureInfo.InvariantCulture);
}
