using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>Finite differences of loss(model(x), y) against backward through the loss and the whole model.</summary>
public sealed class ModelLossGradientTests
{
    public static TheoryData<string, string, int> Cases() => new()
    {
        { "mse", "dense:6,tanh,dense:2", 2 },
        { "bce_logits", "dense:6,gelu,dense:1", 1 },
        { "cross_entropy", "dense:6,sigmoid,dense:4,softplus,dense:3", 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_whole_model_with_its_loss_matches_finite_differences(string lossName, string spec, int outputs)
    {
        var loss = Nonlinear.Losses.Loss.Parse(lossName);
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(3), seed: 2);
        var x = FiniteDifferences.RandomInput(5, 6, 3);
        var rng = new Random(6);
        var y = lossName == "cross_entropy" ? new Tensor(6) : new Tensor(6, outputs);
        for (int i = 0; i < y.Length; i++)
        {
            y.Span[i] = lossName switch
            {
                "cross_entropy" => rng.Next(outputs),
                "bce_logits" => rng.Next(2),
                _ => (float)(rng.NextDouble() * 2 - 1),
            };
        }

        var gradient = new Tensor(6, outputs);
        model.ZeroGradients();
        loss.Compute(model.Forward(x, training: true), y, gradient);
        var dx = model.Backward(gradient).Clone();
        var analytic = model.Parameters.Select(p => p.Gradient.Clone()).ToList();

        double Evaluate() => loss.Compute(model.Forward(x, training: true), y, new Tensor(6, outputs));
        const double h = 1e-2;
        void Compare(Span<float> values, Span<float> grad, string what)
        {
            for (int i = 0; i < values.Length; i++)
            {
                float saved = values[i];
                values[i] = saved + (float)h;
                double plus = Evaluate();
                values[i] = saved - (float)h;
                double minus = Evaluate();
                values[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= 2e-3 * Math.Max(0.05, Math.Abs(numeric)) + 2e-5,
                    $"{lossName} {what}[{i}]: backward {grad[i]}, finite differences {numeric}");
            }
        }

        Compare(x.Span, dx.Span, "dL/dx");
        for (int p = 0; p < model.Parameters.Count; p++)
        {
            Compare(model.Parameters[p].Value.Span, analytic[p].Span, model.ParameterNames[p]);
        }
    }
}
