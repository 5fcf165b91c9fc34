using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Diagnostics;

public sealed class SequenceAdvisorTests
{
    private static AdvisorContext Sequences(int steps, int features, double? clip = null)
        => new() { Task = TaskKind.Multiclass, InputShape = new TensorShape(steps, features), ClipNorm = clip };

    private static Advice Single(IReadOnlyList<Advice> advice, string code)
    {
        var matches = advice.Where(a => a.Code == code).ToList();
        Assert.True(matches.Count == 1, $"expected one '{code}', found: {string.Join("; ", advice)}");
        Assert.False(string.IsNullOrWhiteSpace(matches[0].Reason));
        Assert.False(string.IsNullOrWhiteSpace(matches[0].Fix));
        return matches[0];
    }

    [Theory]
    [InlineData("rnn:16:relu,dense:3")]
    [InlineData("rnn:16:leaky_relu:seq,rnn:8,dense:3")]
    [InlineData("rnn:16:identity,dense:3")]
    public void An_rnn_with_an_unbounded_activation_and_no_clipping_is_warned_about(string spec)
    {
        var advice = Advisor.Check(spec, Sequences(5, 2));
        var warning = Single(advice, AdviceCodes.RecurrentUnboundedNoClip);
        Assert.Equal(AdviceSeverity.Warning, warning.Severity);
        Assert.Equal(1, warning.Layer);
        Assert.Contains("--clip", warning.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rnn:16:relu,dense:3", 1.0)]
    [InlineData("rnn:16,dense:3", null)]
    [InlineData("rnn:16:sigmoid,dense:3", null)]
    [InlineData("lstm:16,dense:3", null)]
    [InlineData("gru:16,dense:3", null)]
    public void A_clipped_or_bounded_recurrent_layer_is_not_warned_about(string spec, double? clip)
    {
        Assert.DoesNotContain(Advisor.Check(spec, Sequences(5, 2, clip)), a => a.Code == AdviceCodes.RecurrentUnboundedNoClip);
    }

    [Fact]
    public void Unscaled_attention_is_warned_about_with_its_head_size()
    {
        var advice = Advisor.Check(global::Nonlinear.Models.Sequential.Parse("attention:heads=2:unscaled,flatten,dense:3").Also(m => m.Build(new TensorShape(6, 128), 1)), new AdvisorContext { Task = TaskKind.Multiclass });
        var warning = Single(advice, AdviceCodes.AttentionUnscaled);
        Assert.Equal(1, warning.Layer);
        Assert.Contains("d_k = 64", warning.Reason, StringComparison.Ordinal);
        Assert.Contains("attention:heads=2)", warning.Fix, StringComparison.Ordinal);
        Assert.Single(Advisor.Check("attention:heads=4:causal:unscaled"), a => a.Code == AdviceCodes.AttentionUnscaled);
    }

    [Theory]
    [InlineData("attention:heads=2,flatten,dense:3")]
    [InlineData("attention:heads=2:causal,flatten,dense:3")]
    [InlineData("transformer:heads=2,ff=16,flatten,dense:3")]
    public void Scaled_attention_gets_no_advice_at_all(string spec)
    {
        Assert.Empty(Advisor.Check(spec, Sequences(6, 8)));
    }

    [Theory]
    [InlineData("cross_entropy")]
    [InlineData("mse")]
    [InlineData("bce_logits")]
    public void A_language_model_not_trained_with_sequence_cross_entropy_is_an_error(string loss)
    {
        var advice = Advisor.Check("embedding:27:16,lstm:32:seq,dense:27", new AdvisorContext { Loss = loss });
        var error = Single(advice, AdviceCodes.LanguageModelLoss);
        Assert.Equal(AdviceSeverity.Error, error.Severity);
        Assert.Contains("sequence_cross_entropy", error.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embedding:27:16,lstm:32:seq,dense:27", "sequence_cross_entropy")]
    [InlineData("embedding:27:16,gru:32,dense:5", "cross_entropy")]
    [InlineData("embedding:27:16,rnn:32:seq,flatten,dense:5", "cross_entropy")]
    [InlineData("lstm:32:seq,dense:27", "cross_entropy")]
    public void A_language_model_with_sequence_cross_entropy_or_a_sequence_classifier_is_not_flagged(string spec, string loss)
    {
        Assert.DoesNotContain(Advisor.Check(spec, new AdvisorContext { Loss = loss }), a => a.Code == AdviceCodes.LanguageModelLoss);
    }

    [Fact]
    public void The_sequence_task_makes_any_model_a_language_model_and_its_default_loss_is_right()
    {
        var sequence = new AdvisorContext { Task = TaskKind.Sequence, InputShape = new TensorShape(23) };
        Assert.Empty(Advisor.Check("embedding:27:16,lstm:32:seq,dense:27", sequence));
        Assert.Empty(Advisor.Check("embedding:27:16,transformer:heads=2,ff=32:causal,dense:27", sequence));
        var error = Single(Advisor.Check("embedding:27:16,gru:32:seq,dense:27", sequence with { Loss = "cross_entropy" }), AdviceCodes.LanguageModelLoss);
        Assert.Equal(AdviceSeverity.Error, error.Severity);

        // A classifier of words (one class per word) is not a language model, even with an embedding and :seq inside.
        Assert.DoesNotContain(Advisor.Check("embedding:27:16,gru:32:seq,flatten,dense:3", new AdvisorContext { Task = TaskKind.Multiclass }), a => a.Code == AdviceCodes.LanguageModelLoss);
    }

    [Fact]
    public void A_softmax_layer_before_sequence_cross_entropy_is_the_fused_loss_mistake()
    {
        var advice = Advisor.Check("embedding:27:16,lstm:32:seq,dense:27,softmax", new AdvisorContext { Loss = "sequence_cross_entropy" });
        var error = Single(advice, AdviceCodes.ActivationBeforeFusedLoss);
        Assert.Equal(AdviceSeverity.Error, error.Severity);
        Assert.Equal(4, error.Layer);
        Assert.Contains(Advisor.Check("embedding:27:16,lstm:32:seq,dense:27", new AdvisorContext { Loss = "sequence_cross_entropy", OutputActivation = "sigmoid" }), a => a.Code == AdviceCodes.OutputLossMismatch);
    }

    [Theory]
    [InlineData("lstm:32,dense:10")]
    [InlineData("gru:16:seq,rnn:8,dense:10")]
    [InlineData("rnn:16:tanh:seq,rnn:16,dense:10")]
    public void Recurrent_layers_do_not_trigger_the_dense_rules(string spec)
    {
        // A recurrent layer is not affine: it never collapses with the dense layers around it, and needs no activation after it.
        Assert.Empty(Advisor.Check(spec, Sequences(5, 3, clip: null)));
    }

    [Fact]
    public void Dense_layers_on_either_side_of_a_recurrent_layer_do_not_collapse()
    {
        Assert.DoesNotContain(Advisor.Check("dense:8,lstm:4,dense:10", new AdvisorContext { Task = TaskKind.Multiclass }), a => a.Code == AdviceCodes.LinearCollapse);
        Assert.DoesNotContain(Advisor.Check("dense:8,attention:heads=2,dense:10"), a => a.Code == AdviceCodes.LinearCollapse);
    }

    [Fact]
    public void A_softmax_before_a_recurrent_layer_is_a_hidden_softmax()
    {
        Single(Advisor.Check("softmax,lstm:4,dense:2"), AdviceCodes.HiddenSoftmax);
    }

    [Theory]
    [InlineData(1e-5, AdviceCodes.VanishingThroughTime)]
    [InlineData(1e5, AdviceCodes.ExplodingThroughTime)]
    [InlineData(0.3, null)]
    public void Diagnostics_of_the_gradient_through_time_give_advice_beyond_the_thresholds(double ratio, string? code)
    {
        var recurrent = new RecurrentDiagnostics([ratio, 0.5, 1.0], [new GateSaturation("h", "tanh", 0.1)]);
        var layer = new LayerDiagnostics(0, "rnn:8", 0.1, double.NaN, double.NaN, null) { Recurrent = recurrent };
        var advice = Advisor.FromDiagnostics(new EpochDiagnostics(3, [layer], double.NaN, null));
        if (code is null)
        {
            Assert.Empty(advice);
        }
        else
        {
            Assert.Equal(1, Single(advice, code).Layer);
        }
    }
}

public sealed class SequenceRuntimeAdvisorTests
{
    [Theory]
    [InlineData("lstm:8")]
    [InlineData("gru:8:seq")]
    public void A_gated_layer_whose_gradient_fades_through_time_gets_a_note_not_the_advice_to_use_a_gated_layer(string spec)
    {
        var recurrent = new RecurrentDiagnostics([1e-6, 0.5, 1.0], [new GateSaturation("f", "sigmoid", 0.1)]);
        var layer = new LayerDiagnostics(0, spec, 0.1, double.NaN, double.NaN, null) { Recurrent = recurrent };
        var advice = Assert.Single(Advisor.FromDiagnostics(new EpochDiagnostics(1, [layer], double.NaN, null)));
        Assert.Equal(AdviceCodes.VanishingThroughTime, advice.Code);
        Assert.Equal(AdviceSeverity.Info, advice.Severity);
        Assert.DoesNotContain("Use lstm", advice.Fix, StringComparison.Ordinal);
    }
}

internal static class ObjectExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
