using Nonlinear.Diagnostics;

namespace Nonlinear.Web.ModelFiles;

/// <summary>
/// What the Model tab shows as soon as a file is open: the architecture (every layer with its spec, shapes and
/// parameters, as the built <see cref="Models.Sequential"/> has them), what the file says the model was trained for,
/// the advisor's static findings (<see cref="Advisor.Check(Serialization.SavedModel, AdvisorOptions?)"/>, what
/// <c>nonlinear advise --model</c> runs), and whether it can be evaluated on the Fashion-MNIST test images.
/// </summary>
internal static class ModelDescription
{
    /// <summary>The model view (docs/web-api.md, "Model files").</summary>
    public static object Describe(ModelUpload upload, FashionFit fit)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(fit);
        var saved = upload.Saved;
        var model = saved.Model;
        var meta = saved.Metadata;
        return new
        {
            id = upload.Id,
            name = upload.Name,
            format = upload.Format,
            bytes = upload.Bytes,
            spec = model.Spec,
            inputShape = model.InputShape.ToArray(),
            outputShape = model.OutputShape.ToArray(),
            parameters = model.ParameterCount,
            task = meta.Task.ToString().ToLowerInvariant(),
            outputActivation = meta.OutputActivation,
            loss = meta.Loss,
            classNames = meta.ClassNames,
            normalization = meta.NormalizationMean is { } mean && meta.NormalizationStd is { } std ? new { mean, std } : null,
            settings = meta.Extra ?? new Dictionary<string, string>(),
            layers = model.Layers.Select((layer, i) => new
            {
                layer = i + 1,
                spec = layer.Spec,
                kind = layer.GetType().Name,
                inputShape = layer.InputShape.ToArray(),
                outputShape = layer.OutputShape.ToArray(),
                parameters = layer.Parameters.Sum(p => (long)p.Length),
                tensors = layer.Parameters.Select(p => new { name = $"{i}.{p.Name}", shape = p.Value.Shape.ToArray() }).ToArray(),
            }).ToArray(),
            advice = AdviceOf(StaticAdvice(saved), probed: false),
            fashionMnist = new { fits = fit.Fits, reason = fit.Reason, input = fit.Input, multiplyAdds = fit.MultiplyAdds },
        };
    }

    /// <summary>
    /// The advisor's static checks with the task, loss and output activation the file records; a loss name the
    /// library does not know (a file from another tool) is left out of the checks rather than refused.
    /// </summary>
    public static IReadOnlyList<Advice> StaticAdvice(Serialization.SavedModel saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        try
        {
            return Advisor.Check(saved);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            var context = AdvisorContext.From(saved.Metadata, saved.Model.InputShape) with { Loss = null };
            return Advisor.Check(saved.Model, context);
        }
    }

    /// <summary>
    /// Findings as JSON objects {severity, code, layer, message, reason, fix}. The advisor's runtime findings speak of
    /// "epoch 1", the pass the diagnostics observed; with <paramref name="probed"/> that pass is named for what it was.
    /// </summary>
    public static object[] AdviceOf(IReadOnlyList<Advice> advice, bool probed)
    {
        ArgumentNullException.ThrowIfNull(advice);
        string Text(string text) => probed
            ? text.Replace(" in epoch 1", " on the test images", StringComparison.Ordinal).Replace("In epoch 1 ", "On the test images ", StringComparison.Ordinal)
            : text;
        return
        [
            .. advice.Select(a => new
            {
                severity = a.Severity.ToString().ToLowerInvariant(),
                code = a.Code,
                layer = a.Layer,
                message = Text(a.Message),
                reason = Text(a.Reason),
                fix = Text(a.Fix),
            }),
        ];
    }
}
