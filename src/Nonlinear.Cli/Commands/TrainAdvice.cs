using System.CommandLine;
using System.Text.Json;
using Nonlinear.Cli.Output;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Losses;
using Nonlinear.Models;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// The advisor's static checks before <c>nonlinear train</c>: warnings and errors only, printed before training
/// (or an "advice" array in the JSON summary), unless <c>--no-advice</c>.
/// </summary>
internal static class TrainAdvice
{
    public static Option<bool> CreateOption() => new("--no-advice") { Description = "Do not check the model for common mistakes before training" };

    /// <summary>The warnings and errors for the built model and its setup; null when advice is switched off.</summary>
    public static IReadOnlyList<Advice>? Check(bool enabled, Sequential network, TaskKind task, Loss loss, string outputActivation, double? clipNorm = null)
    {
        if (!enabled)
        {
            return null;
        }

        var context = new AdvisorContext { Task = task, Loss = loss.Name, OutputActivation = outputActivation, ClipNorm = clipNorm };
        return Advisor.Check(network, context).Where(a => a.Severity >= AdviceSeverity.Warning).ToList();
    }

    /// <summary>Prints the advice compactly (nothing when there is none or advice is off).</summary>
    public static void Print(CliContext context, IReadOnlyList<Advice>? advice)
    {
        if (advice is not null)
        {
            AdviceOutput.WriteCompact(context.Out, advice);
        }
    }

    /// <summary>Writes the "advice" property of the JSON summary (omitted when advice is off).</summary>
    public static void WriteJson(Utf8JsonWriter w, IReadOnlyList<Advice>? advice)
    {
        if (advice is not null)
        {
            w.WritePropertyName("advice");
            AdviceOutput.WriteArray(w, advice);
        }
    }
}
