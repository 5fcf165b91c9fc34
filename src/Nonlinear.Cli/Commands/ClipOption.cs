using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Nonlinear.Cli.Output;
using Nonlinear.Optimizers;
using Nonlinear.Training;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>--clip &lt;norm&gt;</c> of train and compare: gradient clipping by global norm (<see cref="Optimizer.ClipNorm"/>),
/// its validation, and how often it acted during a run.
/// </summary>
internal static class ClipOption
{
    public static Option<double?> Create() => new("--clip")
    {
        Description = "Clip the gradients to this global L2 norm before each step (as torch.nn.utils.clip_grad_norm_); e.g. 1 for recurrent models. Default: no clipping",
    };

    /// <summary>The validated norm, or null when the option is absent.</summary>
    public static double? Get(ParseResult parseResult, Option<double?> option)
    {
        if (parseResult.GetValue(option) is not { } value)
        {
            return null;
        }

        if (!(value > 0 && double.IsFinite(value)))
        {
            throw new CliUsageException($"--clip must be a finite number > 0 (the largest gradient norm a step may use); found {value.ToString(CultureInfo.InvariantCulture)}.");
        }

        return value;
    }

    /// <summary>"1.5", or "none" without clipping (as saved in the model's metadata).</summary>
    public static string Format(double? clip) => clip is { } c ? c.ToString(CultureInfo.InvariantCulture) : "none";

    /// <summary>Counts the steps and those whose gradient norm exceeded the clipping norm (nothing to count without one).</summary>
    public static Counts Watch(Trainer trainer, Optimizer optimizer)
    {
        var counts = new Counts();
        if (optimizer.ClipNorm is { } clip)
        {
            trainer.BatchEnded += _ => counts.Add(optimizer.LastGradientNorm, clip);
        }

        return counts;
    }

    /// <summary>Writes "clip" (null when off) and, when on, "clippedSteps", "steps" and "maxGradientNorm".</summary>
    public static void WriteJson(Utf8JsonWriter w, double? clip, Counts? counts)
    {
        if (clip is not { } c)
        {
            w.WriteNull("clip");
            return;
        }

        Json.WriteNumber(w, "clip", c);
        if (counts is not null)
        {
            w.WriteNumber("clippedSteps", counts.Clipped);
            w.WriteNumber("steps", counts.Steps);
            Json.WriteNumber(w, "maxGradientNorm", counts.Steps == 0 ? double.NaN : counts.MaxNorm);
        }
    }

    /// <summary>How many steps were clipped, and the largest norm seen before clipping.</summary>
    internal sealed class Counts
    {
        public int Steps { get; private set; }

        public int Clipped { get; private set; }

        public double MaxNorm { get; private set; }

        public void Add(double norm, double clip)
        {
            Steps++;

            // The optimizer rescales when clip / (norm + 1e-6) < 1.
            if (clip / (norm + 1e-6) < 1)
            {
                Clipped++;
            }

            MaxNorm = Math.Max(MaxNorm, norm);
        }

        /// <summary>"none", or "norm 1: 37 of 600 steps clipped (6.2%), largest gradient norm 4.81".</summary>
        public string Describe(double? clip)
        {
            if (clip is not { } c)
            {
                return "none";
            }

            var ci = CultureInfo.InvariantCulture;
            return Steps == 0
                ? string.Create(ci, $"norm {c}")
                : string.Create(ci, $"norm {c}: {Clipped} of {Steps} steps clipped ({100.0 * Clipped / Steps:F1}%), largest gradient norm {MaxNorm:G3}");
        }
    }
}
