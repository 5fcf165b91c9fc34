using System.CommandLine;
using System.Globalization;
using Nonlinear.Activations;
using Nonlinear.Cli.Output;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear advise &lt;spec&gt; | --model file.nlm [--task ...] [--loss ...] [--output-activation ...] [--inputs N]</c>:
/// the advisor's static checks on an architecture and its training setup, each with the reason and the fix.
/// Advice is not an error: the exit code is 0 whatever is found, 2 only for input that does not parse.
/// </summary>
internal static class AdviseCommand
{
    public static Command Create(CliContext context)
    {
        var spec = new Argument<string?>("spec") { Description = "The architecture, e.g. dense:64,relu,dense:10 (or give --model)", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--model") { Description = "A saved model file to check instead of a spec (its task, loss and output activation are used unless given)" };
        var task = new Option<string?>("--task") { Description = "binary, multiclass, regression or sequence: enables the output, loss and task checks" };
        var clip = ClipOption.Create();
        clip.Description = "The gradient clipping norm training will use (as train --clip): an RNN with an unbounded activation is only warned about without it";
        var loss = new Option<string?>("--loss") { Description = "mse, bce_logits or cross_entropy (default from --task)" };
        var output = new Option<string?>("--output-activation") { Description = "The output activation, as in 'train' (default from the loss; with mse it becomes the model's last layer)" };
        var inputs = new Option<string?>("--inputs") { Description = "Per-sample input shape, e.g. 3 or 1x28x28: checks that every layer fits and sizes the collapsed maps" };
        var json = JsonOption.Create("the advice (an array of {severity, code, layer, message, reason, fix})");
        var command = new Command("advise", "Check an architecture and its loss/task for common mistakes, with reasons and fixes")
        {
            spec, file, task, loss, output, inputs, clip, json,
        };
        command.SetAction(parseResult =>
        {
            string? specText = parseResult.GetValue(spec);
            string? path = parseResult.GetValue(file);
            if ((specText is null) == (path is null))
            {
                throw new CliUsageException("give either a spec (e.g. nonlinear advise dense:64,relu,dense:10) or --model file.nlm.");
            }

            TaskKind? taskKind = parseResult.GetValue(task) is { } t ? ParseTask(t) : null;
            string? lossName = parseResult.GetValue(loss);
            string? outputActivation = parseResult.GetValue(output);
            string? inputText = parseResult.GetValue(inputs);
            double? clipNorm = ClipOption.Get(parseResult, clip);
            IReadOnlyList<Layer> layers;
            AdvisorContext advisorContext;
            if (path is not null)
            {
                if (inputText is not null)
                {
                    throw new CliUsageException("--inputs applies to a spec; a saved model knows its input shape.");
                }

                var saved = ModelFile.Load(path);
                layers = saved.Model.Layers;
                advisorContext = AdvisorContext.From(saved.Metadata, saved.Model.InputShape) with
                {
                    Task = taskKind ?? saved.Metadata.Task,
                    Loss = lossName ?? saved.Metadata.Loss,
                    OutputActivation = outputActivation ?? saved.Metadata.OutputActivation,
                    ClipNorm = clipNorm ?? SavedClip(saved.Metadata),
                };
            }
            else
            {
                // As 'train' does: with mse an output activation is trained as the model's last layer.
                var resolvedLoss = lossName is not null ? Loss.Parse(lossName) : taskKind is { } k ? TaskDefaults.Loss(k) : null;
                if (resolvedLoss is MeanSquaredError && outputActivation is not null)
                {
                    var activation = ActivationRegistry.Parse(outputActivation);
                    if (activation.Info.Family != ActivationFamily.Linear)
                    {
                        specText += "," + activation.Spec;
                    }

                    outputActivation = null;
                }

                layers = ModelSpec.Parse(specText!);
                advisorContext = new AdvisorContext
                {
                    Task = taskKind,
                    Loss = lossName,
                    OutputActivation = outputActivation,
                    InputShape = inputText is null ? null : ParseShape(inputText),
                    ClipNorm = clipNorm,
                };
            }

            var advice = Advisor.Check(layers, advisorContext);
            if (parseResult.GetValue(json))
            {
                Json.Write(context.Out, w => AdviceOutput.WriteArray(w, advice));
            }
            else
            {
                context.Out.WriteLine(Title(ModelSpec.Format(layers), advisorContext));
                AdviceOutput.WriteTable(context, advice);
            }

            return 0;
        });
        return command;
    }

    private static TaskKind ParseTask(string text) => text.Trim().ToLowerInvariant() switch
    {
        "binary" => TaskKind.Binary,
        "multiclass" => TaskKind.Multiclass,
        "regression" => TaskKind.Regression,
        "sequence" => TaskKind.Sequence,
        _ => throw new CliUsageException($"--task must be binary, multiclass, regression or sequence; found '{text}'."),
    };

    /// <summary>The clipping norm a model was trained with ("clip" in its metadata, as train saves it), or null.</summary>
    private static double? SavedClip(Serialization.ModelMetadata metadata)
        => metadata.Extra is { } extra && extra.TryGetValue("clip", out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 ? value : null;

    /// <summary>"784" or "1x28x28".</summary>
    private static TensorShape ParseShape(string text)
    {
        var parts = text.Trim().Split('x', 'X', ',');
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] < 1)
            {
                throw new CliUsageException($"--inputs must be a positive integer or a shape such as 1x28x28; found '{text}'.");
            }
        }

        return new TensorShape(dims);
    }

    private static string Title(string spec, AdvisorContext c)
    {
        var facts = new List<string>();
        if (c.InputShape is { } shape)
        {
            facts.Add($"input {shape}");
        }

        if (c.Task is { } task)
        {
            facts.Add($"task {task.ToString().ToLowerInvariant()}");
        }

        string? loss = c.Loss ?? (c.Task is { } t ? TaskDefaults.Loss(t).Name : null);
        if (loss is not null)
        {
            facts.Add($"loss {Loss.Parse(loss).Name}");
        }

        if (c.OutputActivation is { } o)
        {
            facts.Add($"output {o}");
        }

        return facts.Count == 0 ? $"model {spec}" : $"model {spec} ({string.Join(", ", facts)})";
    }
}
