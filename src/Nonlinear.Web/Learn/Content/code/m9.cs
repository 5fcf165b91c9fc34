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
        // The output layer follows the task; the loss goes with it (fused with the activation, computed from logits).
        foreach (var task in new[] { TaskKind.Binary, TaskKind.Multiclass, TaskKind.Regression })
        {
            output.WriteLine($"{task}: output {TaskDefaults.OutputActivation(task)}, loss {TaskDefaults.Loss(task).Name}");
        }

        // The advisor checks a model against its task before any training.
        var checks = new (string Spec, AdvisorContext Context)[]
        {
            ("dense:16,relu,dense:3", new AdvisorContext { Task = TaskKind.Multiclass, Loss = "bce_logits" }), // a sigmoid per exclusive class
            ("dense:16,softmax,dense:3", new AdvisorContext { Task = TaskKind.Multiclass }),                   // softmax in a hidden layer
            ("dense:16,relu,dense:3", new AdvisorContext { Task = TaskKind.Multiclass }),                      // relu hidden, softmax + cross-entropy
        };
        foreach (var (spec, context) in checks)
        {
            var advice = Advisor.Check(spec, context);
            string found = advice.Count == 0 ? "no problems" : string.Join(", ", advice.Select(a => $"{a.Severity} {a.Code}"));
            output.WriteLine($"advise {spec} (loss {context.Loss ?? "from the task"}): {found}");
        }
        // </show>
    }
}
