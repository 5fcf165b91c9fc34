using Nonlinear.Data;
using Nonlinear.Diagnostics;
using Nonlinear.Layers;
using Nonlinear.Layers.Attention;
using Nonlinear.Layers.Recurrent;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Tests.Layers;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Diagnostics;

public sealed class SequenceDiagnosticsTests
{
    private static EpochDiagnostics ObserveOneBatch(Sequential model, Tensor x, TrainingDiagnostics diagnostics, Tensor? dy = null)
    {
        var y = model.Forward(x, training: true);
        if (dy is not null)
        {
            model.Backward(dy);
        }

        ITrainingObserver observer = diagnostics;
        observer.BatchEnded(model, x, 1, 1);
        observer.EpochEnded(model, 1);
        return diagnostics.History[^1];
    }

    [Fact]
    public void Step_gradient_norms_match_a_float64_backpropagation_through_time_of_a_tanh_rnn()
    {
        const int n = 3, t = 5, f = 2, h = 4;
        var rnn = new Rnn(h, returnSequences: true);
        var model = new Sequential([rnn]);
        model.Build(new TensorShape(t, f), seed: 5);
        var x = FiniteDifferences.RandomInput(1, n, t, f);
        var dy = FiniteDifferences.RandomInput(2, n, t, h);
        Assert.True(rnn.StepGradientNorms.IsEmpty);
        rnn.RecordsStepGradients = true;
        model.Forward(x, training: true);
        model.Backward(dy);
        var norms = rnn.StepGradientNorms.ToArray();

        var wih = rnn.WeightIh.Value;
        var whh = rnn.WeightHh.Value;
        var expected = new double[t];
        for (int s = 0; s < n; s++)
        {
            var states = new double[t + 1, h];
            for (int step = 0; step < t; step++)
            {
                for (int j = 0; j < h; j++)
                {
                    double a = rnn.BiasIh.Value.Span[j] + rnn.BiasHh.Value.Span[j];
                    for (int k = 0; k < f; k++)
                    {
                        a += wih[j, k] * x[s, step, k];
                    }

                    for (int k = 0; k < h; k++)
                    {
                        a += whh[j, k] * states[step, k];
                    }

                    states[step + 1, j] = Math.Tanh(a);
                }
            }

            var da = new double[h];
            for (int step = t - 1; step >= 0; step--)
            {
                var dh = new double[h];
                double squares = 0;
                for (int j = 0; j < h; j++)
                {
                    dh[j] = dy[s, step, j];
                    for (int k = 0; k < h; k++)
                    {
                        dh[j] += whh[k, j] * da[k];
                    }

                    squares += dh[j] * dh[j];
                }

                expected[step] += Math.Sqrt(squares) / n;
                for (int j = 0; j < h; j++)
                {
                    double y = states[step + 1, j];
                    da[j] = (1 - y * y) * dh[j];
                }
            }
        }

        for (int step = 0; step < t; step++)
        {
            Assert.Equal(expected[step], norms[step], 4);
        }
    }

    [Fact]
    public void Without_the_flag_a_recurrent_layer_records_no_step_gradients()
    {
        var model = Sequential.Parse("lstm:3");
        model.Build(new TensorShape(4, 2), seed: 1);
        var lstm = (RecurrentLayer)model.Layers[0];
        model.Forward(FiniteDifferences.RandomInput(1, 2, 4, 2), training: true);
        model.Backward(FiniteDifferences.RandomInput(2, 2, 3));
        Assert.True(lstm.StepGradientNorms.IsEmpty);
        lstm.RecordsStepGradients = true;
        model.Backward(FiniteDifferences.RandomInput(2, 2, 3));
        Assert.Equal(4, lstm.StepGradientNorms.Length);
    }

    [Fact]
    public void Lstm_gates_forced_into_their_tails_are_reported_saturated_and_the_others_not()
    {
        // Zero weights: every gate is the activation of its bias. i = σ(0), f = σ(20), g = tanh(0), o = σ(-20).
        var lstm = new Lstm(3);
        var model = new Sequential([lstm, new Dense(2)]);
        model.Build(new TensorShape(4, 2), seed: 1);
        lstm.WeightIh.Value.Fill(0);
        lstm.WeightHh.Value.Fill(0);
        lstm.BiasHh.Value.Fill(0);
        var b = lstm.BiasIh.Value.Span;
        b.Clear();
        b.Slice(3, 3).Fill(20);
        b.Slice(9, 3).Fill(-20);
        var epoch = ObserveOneBatch(model, FiniteDifferences.RandomInput(1, 5, 4, 2), new TrainingDiagnostics());
        var gates = epoch.Layers[0].Recurrent!.Gates;
        Assert.Equal(["i", "f", "g", "o"], gates.Select(g => g.Gate));
        Assert.Equal(["sigmoid", "sigmoid", "tanh", "sigmoid"], gates.Select(g => g.Activation));
        Assert.Equal([0.0, 1.0, 0.0, 1.0], gates.Select(g => g.Share));
        Assert.Null(epoch.Layers[1].Recurrent);
        Assert.Null(epoch.Layers[0].Attention);
    }

    [Fact]
    public void Gru_gate_saturation_counts_the_share_of_values_near_the_ends()
    {
        // Zero recurrent weights and biases; the input drives unit 0 of every gate far out (x = 1, weight 30), the others stay at 0.
        var gru = new Gru(2, returnSequences: true);
        var model = new Sequential([gru]);
        model.Build(new TensorShape(3, 1), seed: 1);
        foreach (var p in gru.Parameters)
        {
            p.Value.Fill(0);
        }

        for (int g = 0; g < 3; g++)
        {
            gru.WeightIh.Value[g * 2, 0] = 30;
        }

        var x = new Tensor(4, 3, 1);
        x.Fill(1);
        var gates = ObserveOneBatch(model, x, new TrainingDiagnostics()).Layers[0].Recurrent!.Gates;
        Assert.Equal([0.5, 0.5, 0.5], gates.Select(g => g.Share));
    }

    [Fact]
    public void A_relu_rnn_cannot_saturate_and_a_tanh_rnn_state_can()
    {
        var relu = Sequential.Parse("rnn:3:relu");
        relu.Build(new TensorShape(4, 2), seed: 1);
        var reluGates = ObserveOneBatch(relu, FiniteDifferences.RandomInput(1, 2, 4, 2), new TrainingDiagnostics()).Layers[0].Recurrent!.Gates;
        Assert.Equal("h", reluGates[0].Gate);
        Assert.True(double.IsNaN(reluGates[0].Share));

        var tanh = Sequential.Parse("rnn:3");
        tanh.Build(new TensorShape(4, 2), seed: 1);
        ((Rnn)tanh.Layers[0]).BiasIh.Value.Fill(50);
        var tanhGates = ObserveOneBatch(tanh, FiniteDifferences.RandomInput(1, 2, 4, 2), new TrainingDiagnostics()).Layers[0].Recurrent!.Gates;
        Assert.Equal(1.0, tanhGates[0].Share);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Zero_attention_weights_give_uniform_rows_whose_entropy_is_the_reference(bool causal)
    {
        const int t = 6;
        var attention = new MultiHeadAttention(heads: 2, causal: causal);
        var model = new Sequential([attention]);
        model.Build(new TensorShape(t, 4), seed: 1);
        attention.InProjectionWeight.Value.Fill(0);
        var epoch = ObserveOneBatch(model, FiniteDifferences.RandomInput(1, 3, t, 4), new TrainingDiagnostics());
        var a = epoch.Layers[0].Attention!;
        double uniform = causal ? Enumerable.Range(1, t).Average(k => Math.Log(k)) : Math.Log(t);
        Assert.Equal(uniform, a.UniformEntropy, 10);
        Assert.Equal(Math.Log(t), a.MaxEntropy, 10);
        Assert.Equal(t, a.Steps);
        Assert.Equal(2, a.HeadEntropy.Count);
        Assert.All(a.HeadEntropy, e => Assert.Equal(uniform, e, 5));
    }

    [Fact]
    public void Unscaled_attention_on_large_inputs_has_lower_row_entropy_than_scaled_and_a_transformer_block_reports_its_attention()
    {
        double Entropy(string spec)
        {
            var model = Sequential.Parse(spec);
            model.Build(new TensorShape(8, 64), seed: 3);
            var x = FiniteDifferences.RandomInput(4, 2, 8, 64);
            for (int i = 0; i < x.Length; i++)
            {
                x.Span[i] *= 1;
            }

            return ObserveOneBatch(model, x, new TrainingDiagnostics()).Layers[0].Attention!.HeadEntropy.Average();
        }

        double scaled = Entropy("attention:heads=1");
        double unscaled = Entropy("attention:heads=1:unscaled");
        Assert.True(unscaled < scaled, $"unscaled {unscaled}, scaled {scaled}");
        Assert.InRange(Entropy("transformer:heads=2,ff=16"), 0, Math.Log(8) + 1e-6);
    }

    [Fact]
    public void Training_a_small_rnn_classifier_fills_step_gradients_and_the_recurrent_weight_gradient_norm()
    {
        var data = FirstSign(32, 6, 1);
        var model = Sequential.Parse("rnn:8,dense:2");
        model.Build(data.FeatureShape, seed: 1);
        var diagnostics = new TrainingDiagnostics();
        var trainer = new Trainer(model, TaskDefaults.Loss(TaskKind.Multiclass), Optimizer.Create("adam", 0.01)) { Diagnostics = diagnostics };
        trainer.Fit(data, 2, 8, seed: 1);
        var last = diagnostics.Latest!;
        var recurrent = last.Layers[0].Recurrent!;
        Assert.Equal(6, recurrent.StepGradientNorms.Count);
        Assert.All(recurrent.StepGradientNorms, v => Assert.True(v > 0 && double.IsFinite(v)));
        Assert.True(double.IsFinite(recurrent.StepGradientRatio));
        Assert.True(last.Layers[0].GradientNorm > 0, "weight_ih and weight_hh count as the layer's weights");
        Assert.True(double.IsFinite(last.GradientRatio));
        Assert.Single(recurrent.Gates);
        Assert.InRange(recurrent.Gates[0].Share, 0, 1);
    }

    private static Dataset FirstSign(int count, int steps, int seed)
    {
        var rows = new float[count * steps * 2];
        var labels = new float[count];
        var random = new Random(seed);
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)(random.NextDouble() * 2 - 1);
        }

        for (int s = 0; s < count; s++)
        {
            labels[s] = rows[s * steps * 2] > 0 ? 1 : 0;
        }

        return new Dataset("first-sign", Tensor.FromArray(rows, count, steps, 2), Tensor.FromArray(labels, count), TaskKind.Multiclass, 2);
    }

    [Fact]
    public void A_recurrent_comparison_puts_each_activation_inside_the_rnn_and_reports_what_happened_through_time()
    {
        var settings = new ComparisonSettings { Recurrent = true, HiddenWidths = "8,6", Epochs = 3, BatchSize = 16, LearningRate = 0.01, Seeds = [1] };
        var rows = ActivationComparison.Run(FirstSign(64, 6, 1), FirstSign(32, 6, 2), ["tanh", "relu"], settings);
        Assert.Equal("rnn:8:tanh:seq,rnn:6:tanh,dense:2", rows[0].Spec);
        Assert.Equal("rnn:8:relu:seq,rnn:6:relu,dense:2", rows[1].Spec);
        Assert.All(rows, r => Assert.True(r.StepGradientRatio > 0 && double.IsFinite(r.StepGradientRatio)));
        Assert.All(rows, r => Assert.True(r.MeanLoss > 0 && double.IsFinite(r.MeanLoss)));
        Assert.InRange(rows[0].Saturation, 0, 1);
        Assert.True(double.IsNaN(rows[1].Saturation));
        Assert.Throws<ArgumentException>(() => ActivationComparison.Run(SyntheticData.Moons(40, 0.1, 1), SyntheticData.Moons(20, 0.1, 2), ["tanh"], settings));
        Assert.Throws<ArgumentException>(() => ActivationComparison.RecurrentSpec(FirstSign(4, 3, 1), "8,0", "tanh"));
    }

    [Fact]
    public void Steady_state_training_of_sequence_layers_with_diagnostics_allocates_nothing_per_batch()
    {
        var data = FirstSign(256, 6, 1);
        var model = Sequential.Parse("transformer:heads=2,ff=8,attention:heads=2:causal,gru:8:seq,lstm:6:seq,rnn:5:relu,dense:2");
        model.Build(data.FeatureShape, seed: 1);
        var diagnostics = new TrainingDiagnostics { StatisticsInterval = 1 };
        var trainer = new Trainer(model, TaskDefaults.Loss(TaskKind.Multiclass), Optimizer.Create("adam", 0.01)) { Diagnostics = diagnostics };
        Nonlinear.Tests.Training.SteadyAllocation.AssertNonePerBatch(trainer, data, batchSize: 16, first: 4, last: 14);
        var last = diagnostics.Latest!;
        Assert.Equal(2, last.Layers[0].Attention!.HeadEntropy.Count);
        Assert.Equal(2, last.Layers[1].Attention!.HeadEntropy.Count);
        Assert.Equal(["r", "z", "n"], last.Layers[2].Recurrent!.Gates.Select(g => g.Gate));
        Assert.Equal(6, last.Layers[4].Recurrent!.StepGradientNorms.Count);
    }
}
