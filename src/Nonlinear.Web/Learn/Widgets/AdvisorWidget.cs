using Nonlinear.Activations;
using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Models;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>The advisor widget: Nonlinear's <see cref="Advisor"/> on a model spec and a task; a spec that does not parse is a 400 with the parser's message.</summary>
internal static class AdvisorWidget
{
    private const int MaxSpec = 500;

    public static IReadOnlyList<string> Tasks { get; } = ["binary", "multiclass", "regression"];

    public static object Answer(AdvisorWidgetRequest body)
    {
        string spec = (body.Spec ?? "").Trim();
        if (spec.Length == 0)
        {
            throw WebRequestException.BadRequest("spec is empty: write a model such as dense:8,relu,dense:1.");
        }

        if (spec.Length > MaxSpec)
        {
            throw WebRequestException.BadRequest($"spec is {spec.Length} characters long; at most {MaxSpec}.");
        }

        string task = WidgetInput.Choice(body.Task, "task", Tasks, "");
        TaskKind? kind = task switch
        {
            "binary" => TaskKind.Binary,
            "multiclass" => TaskKind.Multiclass,
            "regression" => TaskKind.Regression,
            _ => null,
        };

        Sequential model;
        IReadOnlyList<Advice> advice;
        try
        {
            model = Sequential.Parse(spec);
            advice = Advisor.Check(model, new AdvisorContext { Task = kind });
        }
        catch (ModelSpecException e)
        {
            throw WebRequestException.BadRequest(e.Message);
        }
        catch (ActivationSpecException e)
        {
            throw WebRequestException.BadRequest(e.Message);
        }
        catch (ArgumentException e)
        {
            // A layer's own argument check (the advisor reads shapes it can infer): still the learner's spec.
            throw WebRequestException.BadRequest(e.Message);
        }

        return new
        {
            spec = model.Spec,
            task = kind is null ? null : task,
            advice = advice.Select(a => new
            {
                severity = a.Severity,
                code = a.Code,
                layer = a.Layer,
                message = a.Message,
                reason = a.Reason,
                fix = a.Fix,
            }),
        };
    }
}
