using Nonlinear.Data;
using Xunit;
using Xunit.Abstractions;

namespace Nonlinear.Tests.Serialization.PyTorch;

/// <summary>
/// The generated PyTorch modules, run by PyTorch 1.13 (<see cref="PyTorchRun"/>: one python process for all), give
/// our outputs within 1e-5: the logits of forward() against <c>Model.Forward</c> on the normalised input, and
/// predict() against <see cref="Nonlinear.Serialization.SavedModel.Predict"/>. The error is absolute, relative
/// for values beyond ±1: |ours - theirs| / max(1, |ours|).
/// </summary>
public sealed class PyTorchExportTests(PyTorchRun run, ITestOutputHelper output) : IClassFixture<PyTorchRun>
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void Mlps_match_within_1e5() => AssertGroup("mlp");

    [Fact]
    public void Cnns_match_within_1e5() => AssertGroup("cnn");

    [Fact]
    public void Every_catalog_activation_matches_within_1e5_on_a_dense_sweep()
    {
        var names = run.Cases.Where(c => c.Group == "activation").Select(c => c.Name).ToList();
        foreach (var descriptor in Nonlinear.Activations.ActivationRegistry.All)
        {
            Assert.Contains("activation-" + descriptor.Name, names);
        }

        AssertGroup("activation");
    }

    [Fact]
    public void Sequence_models_match_within_1e5() => AssertGroup("sequence");

    [Fact]
    public void The_generated_main_loads_the_weights_and_runs_a_batch()
    {
        AssertRan();
        string check = (string?)run.Report["check"] ?? "";
        Assert.DoesNotContain("error:", check, StringComparison.Ordinal);
        Assert.Contains("(layers): Sequential(", check, StringComparison.Ordinal);
        Assert.Contains("parameters loaded from model.nlm", check, StringComparison.Ordinal);
        Assert.Contains("predict: [2, 5] -> [2, 3], finite: True", check, StringComparison.Ordinal);
    }

    [Fact]
    public void The_loader_refuses_a_file_of_another_architecture()
    {
        AssertRan();
        string strict = (string?)run.Report["strict"] ?? "";
        Assert.StartsWith("ValueError: ", strict, StringComparison.Ordinal);
        Assert.Contains("architecture 'dense:8,gelu,dropout:0.5,dense:1'", strict, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_continues_in_pytorch_with_our_gradients()
    {
        AssertRan();
        var train = run.Report["train"]!.AsObject();
        Assert.True(train["error"] is null, (string?)train["error"]);
        Assert.True((bool)train["all_have_gradients"]!);
        var errors = train["gradient_errors"]!.AsObject();
        Assert.Equal(8, errors.Count);   // conv, batchnorm and two dense layers: weight and bias each
        foreach (var (name, error) in errors)
        {
            output.WriteLine($"gradient {name}: {PyTorchRun.F((double)error!)}");
            Assert.True((double)error! <= Tolerance, $"gradient of {name} differs by {PyTorchRun.F((double)error!)}");
        }

        var losses = train["losses"]!.AsArray().Select(l => (double)l!).ToList();
        output.WriteLine("losses: " + string.Join(", ", losses.Select(PyTorchRun.F)));
        Assert.True(losses[^1] < losses[0], $"five SGD steps did not lower the loss: {string.Join(", ", losses)}");
    }

    [Fact]
    public void A_model_trained_in_pytorch_saves_back_to_a_model_file_we_load()
    {
        AssertRan();
        var c = run.Training!;
        var trained = Nonlinear.Serialization.ModelFile.Load(Path.Combine(run.Folder(c.Name), "trained.nlm"));
        Assert.Equal(c.Saved.Model.Spec, trained.Model.Spec);
        Assert.Equal(c.Saved.Metadata.ClassNames, trained.Metadata.ClassNames);
        Assert.Equal(c.Saved.Metadata.NormalizationMean, trained.Metadata.NormalizationMean);

        float[] ours = trained.Predict(c.Input).Span.ToArray();
        double error = Error(ours, run.TrainedPredictions!);
        output.WriteLine($"predictions after training in PyTorch: {PyTorchRun.F(error)}");
        Assert.True(error <= Tolerance, $"the saved model predicts {PyTorchRun.F(error)} away from PyTorch");
        Assert.True(Error(c.Saved.Predict(c.Input).Span.ToArray(), ours) > 1e-3, "the weights did not change");
    }

    private void AssertRan() => Assert.True(run.Failure is null, run.Failure);

    private void AssertGroup(string group)
    {
        AssertRan();
        var failures = new List<string>();
        double worst = 0;
        foreach (var c in run.Cases.Where(c => c.Group == group))
        {
            if (run.Status[c.Name] != "ok")
            {
                failures.Add($"{c.Name}: {run.Status[c.Name]}");
                continue;
            }

            var meta = c.Saved.Metadata;
            var x = meta.NormalizationMean is { } mean ? new Normalization(mean, meta.NormalizationStd!).Apply(c.Input) : c.Input;
            float[] logits = c.Saved.Model.Forward(x).Span.ToArray();
            float[] predictions = c.Saved.Predict(c.Input).Span.ToArray();
            double logitError = Error(logits, run.Logits[c.Name]);
            double predictionError = Error(predictions, run.Predictions[c.Name]);
            output.WriteLine($"{c.Name} ({c.Saved.Model.Spec}): logits {PyTorchRun.F(logitError)}, predictions {PyTorchRun.F(predictionError)}");
            worst = Math.Max(worst, Math.Max(logitError, predictionError));
            if (!(logitError <= Tolerance && predictionError <= Tolerance))
            {
                failures.Add($"{c.Name} ({c.Saved.Model.Spec}): logits differ by {PyTorchRun.F(logitError)}, predictions by {PyTorchRun.F(predictionError)}");
            }
        }

        output.WriteLine($"worst: {PyTorchRun.F(worst)}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static double Error(float[] ours, float[] theirs)
    {
        if (ours.Length != theirs.Length)
        {
            return double.PositiveInfinity;
        }

        double worst = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            if (float.IsNaN(ours[i]) && float.IsNaN(theirs[i]))
            {
                continue;
            }

            double e = Math.Abs((double)ours[i] - theirs[i]) / Math.Max(1, Math.Abs((double)ours[i]));
            worst = double.IsNaN(e) ? double.PositiveInfinity : Math.Max(worst, e);
        }

        return worst;
    }
}
