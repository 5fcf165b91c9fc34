// <show>
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Training;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 9's code panel: the output activation and loss for each task, and the advisor catching a wrong pair.</summary>
public static class ChoosingOutput
{
    /// <summary>Prints the output activation and loss per task, then the advisor's findings on three specs.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        // The output activation follows the task, and the loss goes with it
        // (fused with the activation and computed from the logits).
        foreach (var task in new[] { TaskKind.Binary, TaskKind.Multiclass, TaskKind.Regression })
        {
            string activation = TaskDefaults.OutputActivation(task);
            output.WriteLine($"{task}: output {activation}, loss {TaskDefaults.Loss(task).Name}");
        }

        // The advisor checks a model against its task before any training.
        var classes = new AdvisorContext { Task = TaskKind.Multiclass };
        var checks = new (string Spec, AdvisorContext Context)[]
        {
            // A sigmoid per class (bce_logits) for exclusive classes.
            ("dense:16,relu,dense:3", classes with { Loss = "bce_logits" }),
            // Softmax in a hidden layer.
            ("dense:16,softmax,dense:3", classes),
            // Hidden ReLU; the loss from the task: softmax with cross-entropy.
            ("dense:16,relu,dense:3", classes),
        };
        foreach (var (spec, context) in checks)
        {
            var advice = Advisor.Check(spec, context).Select(a => $"{a.Severity} {a.Code}");
            string found = advice.Any() ? string.Join(", ", advice) : "no problems";
            string loss = context.Loss ?? "from the task";
            output.WriteLine($"advise {spec} (loss {loss}): {found}");
        }
        // </show>
    }
}
