using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Diagnostics;

public sealed class AdvisorTests
{
    private static readonly AdvisorContext Binary = new() { Task = TaskKind.Binary };
    private static readonly AdvisorContext Multiclass = new() { Task = TaskKind.Multiclass };
    private static readonly AdvisorContext Regression = new() { Task = TaskKind.Regression };

    private static Advice Single(IReadOnlyList<Advice> advice, string code)
    {
        var matches = advice.Where(a => a.Code == code).ToList();
        Assert.True(matches.Count == 1, $"expected one '{code}', found: {string.Join("; ", advice)}");
        var found = matches[0];
        Assert.False(string.IsNullOrWhiteSpace(found.Message));
        Assert.False(string.IsNullOrWhiteSpace(found.Reason));
        Assert.False(string.IsNullOrWhiteSpace(found.Fix));
        return found;
    }

    [Fact]
    public void Consecutive_dense_layers_collapse_into_one_map_of_the_stated_shape()
    {
        var advice = Advisor.Check("dense:8,dense:4,relu,dense:1", new AdvisorContext { Task = TaskKind.Binary, InputShape = new TensorShape(3) });
        var collapse = Single(advice, AdviceCodes.LinearCollapse);
        Assert.Equal(AdviceSeverity.Warning, collapse.Severity);
        Assert.Equal(1, collapse.Layer);
        Assert.Contains("R^3 -> R^4", collapse.Message, StringComparison.Ordinal);
        Assert.Contains("relu", collapse.Fix, StringComparison.Ordinal);
        Assert.Single(advice);
    }

    [Fact]
    public void Without_an_input_shape_the_collapse_names_the_outputs_and_looks_past_dropout_and_identity()
    {
        var advice = Advisor.Check("dense:64,relu,dense:32,dropout:0.5,identity,dense:10");
        var collapse = Single(advice, AdviceCodes.LinearCollapse);
        Assert.Equal(3, collapse.Layer);
        Assert.Contains("R^64 -> R^10", collapse.Message, StringComparison.Ordinal);
        Assert.Contains("dropout:0.5", collapse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_convolutions_without_an_activation_are_one_larger_convolution()
    {
        var collapse = Single(Advisor.Check("conv:32x3,conv:64x3,relu,pool:2,flatten,dense:10"), AdviceCodes.LinearCollapse);
        Assert.Contains("5x5", collapse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bottleneck_in_a_collapsed_stack_is_named_as_a_rank_limit()
    {
        var collapse = Single(Advisor.Check("dense:64,dense:2,dense:64,relu,dense:1", new AdvisorContext { InputShape = new TensorShape(10) }), AdviceCodes.LinearCollapse);
        Assert.Contains("rank at most 2", collapse.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Softmax_in_a_hidden_layer_is_flagged()
    {
        var found = Single(Advisor.Check("dense:64,softmax,dense:10", Multiclass), AdviceCodes.HiddenSoftmax);
        Assert.Equal(2, found.Layer);
        Assert.Equal(AdviceSeverity.Warning, found.Severity);
    }

    [Fact]
    public void A_hidden_step_layer_freezes_every_layer_before_it()
    {
        var found = Single(Advisor.Check("dense:8,tanh,dense:8,step,dense:1", Binary), AdviceCodes.NoGradient);
        Assert.Equal(AdviceSeverity.Warning, found.Severity);
        Assert.Equal(4, found.Layer);
        Assert.Contains("layers 1-3", found.Message, StringComparison.Ordinal);
        Assert.Contains("perceptron", found.Reason, StringComparison.Ordinal);
        Assert.Contains("sigmoid or tanh", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_at_the_end_of_the_model_leaves_nothing_to_learn()
    {
        var found = Single(Advisor.Check("dense:8,relu,dense:1,heaviside", new AdvisorContext { Task = TaskKind.Binary, Loss = "mse" }), AdviceCodes.NoGradient);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
        Assert.Contains("no layer of the model can learn", found.Message, StringComparison.Ordinal);
        Assert.Contains("bce_logits", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_with_no_weights_before_it_blocks_nothing()
        => Assert.DoesNotContain(Advisor.Check("step,dense:8,relu,dense:1", Binary), a => a.Code == AdviceCodes.NoGradient);

    [Fact]
    public void A_deep_stack_of_sigmoids_risks_vanishing_gradients()
    {
        var found = Single(Advisor.Check("dense:32,sigmoid,dense:32,sigmoid,dense:32,sigmoid,dense:32,sigmoid,dense:32,sigmoid,dense:1", Binary), AdviceCodes.DeepSaturating);
        Assert.Equal(2, found.Layer);
        Assert.Contains("0.25", found.Reason, StringComparison.Ordinal);
        Assert.Contains("ReLU", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_deep_stack_threshold_can_be_changed_and_batchnorm_before_each_activation_clears_it()
    {
        const string Spec = "dense:32,tanh,dense:32,tanh,dense:32,tanh,dense:1";
        Assert.DoesNotContain(Advisor.Check(Spec, Binary), a => a.Code == AdviceCodes.DeepSaturating);
        Single(Advisor.Check(Spec, Binary, new AdvisorOptions { DeepSaturatingLayers = 3 }), AdviceCodes.DeepSaturating);
        const string Normalised = "dense:32,batchnorm,tanh,dense:32,batchnorm,tanh,dense:32,batchnorm,tanh,dense:1";
        Assert.Empty(Advisor.Check(Normalised, Binary, new AdvisorOptions { DeepSaturatingLayers = 3 }));
    }

    [Fact]
    public void Softmax_output_with_binary_cross_entropy_is_an_error()
    {
        var found = Single(Advisor.Check("dense:32,relu,dense:3,softmax", new AdvisorContext { Loss = "bce_logits" }), AdviceCodes.SoftmaxWithBce);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
        Assert.Equal(4, found.Layer);
        Assert.Contains("cross_entropy", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Softmax_as_the_output_activation_with_binary_cross_entropy_is_an_error_too()
    {
        var found = Single(Advisor.Check("dense:32,relu,dense:3", new AdvisorContext { Loss = "bce_logits", OutputActivation = "softmax" }), AdviceCodes.SoftmaxWithBce);
        Assert.Null(found.Layer);
    }

    [Fact]
    public void Sigmoid_outputs_for_mutually_exclusive_classes_are_flagged()
    {
        var withLoss = Single(Advisor.Check("dense:64,relu,dense:10", new AdvisorContext { Task = TaskKind.Multiclass, Loss = "bce_logits" }), AdviceCodes.SigmoidMulticlass);
        Assert.Equal(AdviceSeverity.Error, withLoss.Severity);
        Assert.Contains("cross_entropy", withLoss.Fix, StringComparison.Ordinal);
        var withLayer = Single(Advisor.Check("dense:64,relu,dense:10,sigmoid", new AdvisorContext { Task = TaskKind.Multiclass, Loss = "mse" }), AdviceCodes.SigmoidMulticlass);
        Assert.Equal(4, withLayer.Layer);
    }

    [Fact]
    public void Softmax_before_cross_entropy_is_applied_twice()
    {
        var found = Single(Advisor.Check("dense:64,relu,dense:10,softmax", Multiclass), AdviceCodes.ActivationBeforeFusedLoss);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
        Assert.Equal(4, found.Layer);
        Assert.Contains("softmax(softmax(z))", found.Reason, StringComparison.Ordinal);
        Assert.Contains("0.232", found.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Sigmoid_before_binary_cross_entropy_is_applied_twice()
    {
        var found = Single(Advisor.Check("dense:16,tanh,dense:1,sigmoid", Binary), AdviceCodes.ActivationBeforeFusedLoss);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
        Assert.Contains("0.73", found.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_activation_before_a_fused_loss_is_a_warning()
    {
        var found = Single(Advisor.Check("dense:16,tanh,dense:1,relu", Binary), AdviceCodes.ActivationBeforeFusedLoss);
        Assert.Equal(AdviceSeverity.Warning, found.Severity);
    }

    [Theory]
    [InlineData(TaskKind.Binary)]
    [InlineData(TaskKind.Multiclass)]
    public void An_identity_output_for_classification_is_flagged(TaskKind task)
    {
        var found = Single(Advisor.Check("dense:16,relu,dense:3", new AdvisorContext { Task = task, Loss = "mse" }), AdviceCodes.IdentityOutputClassification);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
    }

    [Theory]
    [InlineData("dense:16,relu,dense:1,sigmoid", null, null)]
    [InlineData("dense:16,relu,dense:4,softmax", null, null)]
    [InlineData("dense:16,relu,dense:1", "bce_logits", null)]
    [InlineData("dense:16,relu,dense:1", "mse", "tanh")]
    public void A_bounded_output_or_a_classification_loss_for_regression_is_flagged(string spec, string? loss, string? output)
    {
        var found = Single(Advisor.Check(spec, Regression with { Loss = loss, OutputActivation = output }), AdviceCodes.BoundedOutputRegression);
        Assert.Contains("identity", found.Fix + found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Softmax_over_a_single_output_is_constant()
    {
        var found = Single(Advisor.Check("dense:16,relu,dense:1", new AdvisorContext { Loss = "cross_entropy" }), AdviceCodes.SoftmaxSingleOutput);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
    }

    [Fact]
    public void Mse_on_a_sigmoid_output_for_classification_is_a_warning()
    {
        var found = Single(Advisor.Check("dense:16,tanh,dense:1,sigmoid", new AdvisorContext { Task = TaskKind.Binary, Loss = "mse" }), AdviceCodes.MseClassification);
        Assert.Equal(AdviceSeverity.Warning, found.Severity);
        Assert.Contains("bce_logits", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_activation_that_differs_from_the_losss_is_flagged()
    {
        var found = Single(Advisor.Check("dense:16,relu,dense:3", new AdvisorContext { Loss = "cross_entropy", OutputActivation = "sigmoid" }), AdviceCodes.OutputLossMismatch);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
    }

    [Theory]
    [InlineData("dense:64:he,tanh,dense:1", 1, "Glorot")]
    [InlineData("dense:64:glorot,relu,dense:1", 1, "He")]
    [InlineData("dense:64:lecun,leaky_relu:0.1,dense:1", 1, "He")]
    [InlineData("conv:16x3:glorot,relu,pool:2,flatten,dense:1", 1, "He")]
    [InlineData("dense:64:he,selu,dense:1", 1, "LeCun")]
    [InlineData("dense:64:glorot,selu,dense:1", 1, "LeCun")]
    [InlineData("dense:64,relu,dense:32:he,sigmoid,dense:1", 3, "Glorot")]
    public void An_initializer_that_does_not_fit_the_activation_is_flagged(string spec, int layer, string expected)
    {
        var found = Single(Advisor.Check(spec, Binary), AdviceCodes.InitMismatch);
        Assert.Equal(layer, found.Layer);
        Assert.Equal(AdviceSeverity.Warning, found.Severity);
        Assert.Contains($"wants {expected}", found.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dense:64:he,relu,dense:1")]
    [InlineData("dense:64:glorot,tanh,dense:1")]
    [InlineData("dense:64:lecun,tanh,dense:1")]
    [InlineData("dense:64:lecun,selu,dense:1")]
    [InlineData("dense:64:he,relu,dense:1:glorot")]
    public void Fitting_or_automatic_initializers_are_not_flagged(string spec) => Assert.Empty(Advisor.Check(spec, Binary));

    [Fact]
    public void Batchnorm_between_a_mismatched_initializer_and_its_activation_makes_it_a_note()
    {
        var found = Single(Advisor.Check("conv:16x3:glorot,batchnorm,relu,flatten,dense:1", Binary), AdviceCodes.InitMismatch);
        Assert.Equal(AdviceSeverity.Info, found.Severity);
    }

    [Theory]
    [InlineData("leaky_relu:0.5", AdviceSeverity.Warning)]
    [InlineData("leaky_relu:1", AdviceSeverity.Warning)]
    [InlineData("leaky_relu:0.001", AdviceSeverity.Info)]
    [InlineData("leaky_relu:0", AdviceSeverity.Info)]
    public void A_leaky_relu_alpha_outside_the_usual_range_is_flagged(string activation, AdviceSeverity severity)
    {
        var found = Single(Advisor.Check($"dense:32,{activation},dense:1", Binary), AdviceCodes.LeakyAlphaRange);
        Assert.Equal(severity, found.Severity);
        Assert.Equal(2, found.Layer);
    }

    [Fact]
    public void A_layer_that_cannot_take_its_input_is_a_shape_error_when_the_input_is_known()
    {
        var found = Single(Advisor.Check("conv:8x3,relu,dense:10", new AdvisorContext { InputShape = new TensorShape(1, 28, 28) }), AdviceCodes.ShapeMismatch);
        Assert.Equal(3, found.Layer);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
        Assert.Contains("flatten", found.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, TaskKind?, string?, string?> GoodModels => new()
    {
        { "dense:64,relu,dense:64,relu,dense:10", TaskKind.Multiclass, "cross_entropy", null },
        { "dense:64,relu,dense:64,relu,dense:10", TaskKind.Multiclass, null, null },
        { "conv:32x3,relu,pool:2,flatten,dense:10", TaskKind.Multiclass, null, null },
        { "conv:32x3,relu,pool:2,flatten,dense:10", null, null, null },
        { "conv:64x3:same,batchnorm,relu,pool:2,conv:64x3:same,batchnorm,relu,pool:2,flatten,dropout:0.25,dense:128,relu,dense:10", TaskKind.Multiclass, null, null },
        { "dense:16,tanh,dense:1", TaskKind.Binary, "bce_logits", null },
        { "dense:16,tanh,dense:16,tanh,dense:1", TaskKind.Binary, null, "sigmoid" },
        { "dense:8,selu,dense:1", TaskKind.Regression, "mse", null },
        { "dense:32,leaky_relu:0.1,dense:32,leaky_relu:0.1,dense:1", TaskKind.Binary, null, null },
        { "flatten,dense:256,relu,dense:128,relu,dense:10", TaskKind.Multiclass, null, null },
        { "dense:16,gelu,dropout:0.1,dense:16,prelu,dense:3", TaskKind.Regression, null, null },
        { "dense:1", TaskKind.Binary, null, null },
        { "dense:32,sin,dense:32,sin,dense:1", TaskKind.Regression, "mse", null },
        { "dense:8,gaussian,dense:1", TaskKind.Binary, "bce_logits", null },
    };

    [Theory]
    [MemberData(nameof(GoodModels))]
    public void Good_models_get_no_warnings_or_errors(string spec, TaskKind? task, string? loss, string? output)
    {
        var advice = Advisor.Check(spec, new AdvisorContext { Task = task, Loss = loss, OutputActivation = output });
        Assert.True(advice.Count == 0, string.Join("; ", advice));
    }

    [Fact]
    public void Good_models_stay_silent_with_their_input_shape_known()
    {
        Assert.Empty(Advisor.Check("conv:32x3,relu,pool:2,flatten,dense:10", Multiclass with { InputShape = new TensorShape(1, 28, 28) }));
        Assert.Empty(Advisor.Check("dense:64,relu,dense:64,relu,dense:10", Multiclass with { InputShape = new TensorShape(784) }));
    }

    [Fact]
    public void The_check_does_not_build_or_change_the_layers_it_is_given()
    {
        var layers = ModelSpec.Parse("dense:8,dense:4,relu,dense:1");
        Advisor.Check(layers, new AdvisorContext { InputShape = new TensorShape(3) });
        Assert.All(layers, l => Assert.False(l.IsBuilt));
    }

    [Fact]
    public void A_built_model_and_a_saved_model_are_checked_with_their_shapes_and_metadata()
    {
        var model = Sequential.Parse("dense:8,dense:4,relu,dense:3,softmax");
        model.Build(new TensorShape(5), seed: 1);
        Assert.Contains("R^5 -> R^4", Single(Advisor.Check(model), AdviceCodes.LinearCollapse).Message, StringComparison.Ordinal);

        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, new ModelMetadata { Task = TaskKind.Multiclass, OutputActivation = "softmax", Loss = "cross_entropy" });
        stream.Position = 0;
        var advice = Advisor.Check(ModelFile.Load(stream));
        Single(advice, AdviceCodes.LinearCollapse);
        Single(advice, AdviceCodes.ActivationBeforeFusedLoss);
    }

    [Fact]
    public void Advice_comes_in_layer_order_with_model_wide_findings_last()
    {
        var advice = Advisor.Check("dense:8:glorot,relu,dense:4,dense:3", new AdvisorContext { Task = TaskKind.Multiclass, Loss = "mse" });
        Assert.Equal([AdviceCodes.InitMismatch, AdviceCodes.LinearCollapse, AdviceCodes.IdentityOutputClassification], advice.Select(a => a.Code));
        Assert.Null(advice[^1].Layer);
    }

    [Fact]
    public void Unknown_losses_and_output_activations_are_bad_input()
    {
        Assert.Throws<ArgumentException>(() => Advisor.Check("dense:1", new AdvisorContext { Loss = "hinge" }));
        Assert.ThrowsAny<FormatException>(() => Advisor.Check("dense:1", new AdvisorContext { OutputActivation = "sigmoidd" }));
        Assert.Throws<ModelSpecException>(() => Advisor.Check("dense:8,rel,dense:1"));
    }

    // Runtime advice from diagnostics.
    private static LayerDiagnostics Layer(int index, string spec, double dead = double.NaN, double saturated = double.NaN, double gradient = double.NaN)
        => new(index, spec, gradient, dead, saturated, null);

    private static EpochDiagnostics Epoch(int epoch, double ratio, params LayerDiagnostics[] layers) => new(epoch, layers, ratio, null);

    [Fact]
    public void Many_dead_units_suggest_a_lower_learning_rate_or_leaky_relu()
    {
        var advice = Advisor.FromDiagnostics(Epoch(3, 0.5, Layer(0, "dense:64", gradient: 0.1), Layer(1, "relu", dead: 0.8), Layer(2, "dense:1", gradient: 0.2)));
        var found = Single(advice, AdviceCodes.DeadUnits);
        Assert.Equal(2, found.Layer);
        Assert.Equal(AdviceSeverity.Warning, found.Severity);
        Assert.Contains("80%", found.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate", found.Fix, StringComparison.Ordinal);
        Assert.Contains("Leaky ReLU", found.Fix, StringComparison.Ordinal);
        Assert.Single(advice);
    }

    [Fact]
    public void A_step_layer_reported_dead_is_explained_by_its_zero_derivative_not_by_the_learning_rate()
    {
        var found = Single(Advisor.FromDiagnostics(Epoch(1, 1, Layer(1, "step", dead: 1))), AdviceCodes.DeadUnits);
        Assert.Equal(AdviceSeverity.Error, found.Severity);
        Assert.Contains("step'(x) = 0", found.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("learning rate", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_completely_dead_layer_is_an_error()
        => Assert.Equal(AdviceSeverity.Error, Single(Advisor.FromDiagnostics(Epoch(1, 1, Layer(1, "relu", dead: 1))), AdviceCodes.DeadUnits).Severity);

    [Fact]
    public void Saturation_suggests_relu_he_initialisation_and_normalisation()
    {
        var found = Single(Advisor.FromDiagnostics(Epoch(2, 0.5, Layer(1, "sigmoid", saturated: 0.9))), AdviceCodes.Saturation);
        Assert.Equal(2, found.Layer);
        Assert.Contains("ReLU-family", found.Fix, StringComparison.Ordinal);
        Assert.Contains("He initialisation", found.Fix, StringComparison.Ordinal);
        Assert.Contains("normalisation", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tiny_gradient_ratio_is_vanishing_gradients_with_the_same_fixes()
    {
        var found = Single(Advisor.FromDiagnostics(Epoch(4, 1e-6, Layer(1, "sigmoid", saturated: 0.1))), AdviceCodes.VanishingGradients);
        Assert.Null(found.Layer);
        Assert.Contains("1E-06", found.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ReLU-family", found.Fix, StringComparison.Ordinal);
        Assert.Contains("He initialisation", found.Fix, StringComparison.Ordinal);
        Assert.Contains("normalisation", found.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_gradient_ratio_and_non_finite_values_are_flagged()
    {
        var advice = Advisor.FromDiagnostics(new EpochDiagnostics(5, [Layer(1, "relu", dead: 0.1)], 1e5, "epoch 5, batch 17, layer 2 (relu)"));
        Single(advice, AdviceCodes.ExplodingGradients);
        Assert.Contains("batch 17", Single(advice, AdviceCodes.NonFinite).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Healthy_diagnostics_give_no_advice()
    {
        var healthy = Epoch(10, 0.4, Layer(0, "dense:64", gradient: 0.2), Layer(1, "relu", dead: 0.05), Layer(2, "dense:64", gradient: 0.3), Layer(3, "tanh", saturated: 0.1), Layer(4, "dense:1", gradient: 0.5));
        Assert.Empty(Advisor.FromDiagnostics(healthy));
        Assert.Empty(Advisor.FromHistory([healthy, healthy with { Epoch = 11 }]));
        Assert.Empty(Advisor.FromDiagnostics(Epoch(1, double.NaN, Layer(0, "dense:1"))));
    }

    [Fact]
    public void Thresholds_decide_what_counts_as_a_problem()
    {
        var epoch = Epoch(1, 0.5, Layer(1, "relu", dead: 0.3));
        Assert.Empty(Advisor.FromDiagnostics(epoch));
        Single(Advisor.FromDiagnostics(epoch, new DiagnosticsThresholds { DeadShare = 0.2 }), AdviceCodes.DeadUnits);
    }

    [Fact]
    public void Over_a_history_growing_dead_shares_are_named()
    {
        var first = Epoch(1, 0.5, Layer(1, "relu", dead: 0.1), Layer(3, "relu", dead: 0.05));
        var last = Epoch(8, 0.5, Layer(1, "relu", dead: 0.7), Layer(3, "relu", dead: 0.35));
        var advice = Advisor.FromHistory([first, last]);
        Assert.Contains("up from 10% in epoch 1", Single(advice, AdviceCodes.DeadUnits).Message, StringComparison.Ordinal);
        var growing = Single(advice, AdviceCodes.DeadUnitsGrowing);
        Assert.Equal(4, growing.Layer);
        Assert.Equal(AdviceSeverity.Info, growing.Severity);
        Assert.Empty(Advisor.FromHistory([]));
    }
}
