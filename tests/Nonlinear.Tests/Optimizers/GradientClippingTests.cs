using Nonlinear.Data;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Optimizers;

/// <summary>
/// <see cref="Optimizer.ClipNorm"/> and <see cref="Optimizer.LastGradientNorm"/> against
/// torch.nn.utils.clip_grad_norm_ written out in float64 (global norm over all parameters, factor
/// clip / (norm + 1e-6) applied only when below 1), followed by <see cref="ReferenceOptimizer"/>.
/// </summary>
public sealed class GradientClippingTests
{
    private const int StepCount = 6;

    public static TheoryData<string> Names() => ["sgd", "momentum", "nesterov", "adam", "adamw"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Clipped_steps_match_clip_grad_norm_then_the_rule_in_float64(string name)
    {
        // Gradients whose global norm is about 1.7 to 17 across the steps, clipped to 2: most steps are
        // rescaled, some (the small ones) are not.
        var optimizer = Optimizer.Create(name, 0.05);
        optimizer.ClipNorm = 2;
        var reference = Reference(name, 0.05);
        var weight = new Parameter("0.weight", Tensor.FromArray([0.5f, -1.25f, 2f, 0.03f, -0.7f, 1.1f], 2, 3));
        var bias = new Parameter("0.bias", Tensor.FromArray([0.4f, -0.2f, 1.5f], 3), decays: false);
        var w64 = weight.Value.Span.ToArray().Select(v => (double)v).ToArray();
        var b64 = bias.Value.Span.ToArray().Select(v => (double)v).ToArray();
        int clipped = 0;
        for (int t = 1; t <= StepCount; t++)
        {
            double size = t % 3 == 0 ? 0.7 : 2.5 * t;
            var gw = Gradient(t, weight.Length, 0, size);
            var gb = Gradient(t, bias.Length, 100, size);
            gw.Select(v => (float)v).ToArray().CopyTo(weight.Gradient.Span);
            gb.Select(v => (float)v).ToArray().CopyTo(bias.Gradient.Span);
            optimizer.Step([weight, bias]);

            double norm = Math.Sqrt(gw.Concat(gb).Sum(g => g * g));
            Assert.Equal(norm, optimizer.LastGradientNorm, 1e-12 * norm);
            double factor = Math.Min(1, 2 / (norm + 1e-6));
            clipped += factor < 1 ? 1 : 0;
            reference.Step(w64, gw.Select(g => g * factor).ToArray(), decays: true);
            reference.Step(b64, gb.Select(g => g * factor).ToArray(), decays: false);
        }

        Assert.InRange(clipped, 2, StepCount - 1);
        AssertClose(w64, weight, name);
        AssertClose(b64, bias, name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Steps_under_the_limit_are_bit_for_bit_the_unclipped_steps(string name)
    {
        var plain = Optimizer.Create(name, 0.05);
        var clipping = Optimizer.Create(name, 0.05);
        clipping.ClipNorm = 100;

        // 40 elements: the vector loops (16 wide) and the scalar tail both run.
        var a = new Parameter("w", Tensor.FromArray(Enumerable.Range(0, 40).Select(i => MathF.Sin(i)).ToArray(), 40));
        var b = new Parameter("w", Tensor.FromArray(Enumerable.Range(0, 40).Select(i => MathF.Sin(i)).ToArray(), 40));
        for (int t = 1; t <= StepCount; t++)
        {
            var g = Gradient(t, 40, 0, 3).Select(v => (float)v).ToArray();
            g.CopyTo(a.Gradient.Span);
            g.CopyTo(b.Gradient.Span);
            plain.Step([a]);
            clipping.Step([b]);
            Assert.Equal(plain.LastGradientNorm, clipping.LastGradientNorm);
        }

        Assert.Equal(a.Value.Span.ToArray(), b.Value.Span.ToArray());
    }

    [Fact]
    public void A_clipped_step_moves_sgd_by_exactly_lr_times_the_clip_norm()
    {
        // Plain SGD: the update is lr * g * clip / (||g|| + 1e-6), whose length is lr * clip (to 1e-6 relative).
        var sgd = new Sgd(0.1) { ClipNorm = 0.5 };
        var p = new Parameter("w", new Tensor(3));
        float[] g = [30f, -40f, 0f];
        g.CopyTo(p.Gradient.Span);
        sgd.Step([p]);
        Assert.Equal(50, sgd.LastGradientNorm);
        double length = Math.Sqrt(p.Value.Span.ToArray().Sum(v => (double)v * v));
        Assert.Equal(0.1 * 0.5, length, 1e-7);
        Assert.Equal(-0.1 * 0.5 * 0.6, p.Value.Span[0], 1e-7);
        Assert.Equal(g, p.Gradient.Span.ToArray()); // the gradient tensors are left as they were
    }

    [Fact]
    public void The_norm_is_NaN_before_the_first_step_and_covers_every_parameter()
    {
        var adam = new Adam();
        Assert.True(double.IsNaN(adam.LastGradientNorm));
        Assert.Null(adam.ClipNorm);
        var w = new Parameter("w", new Tensor(2, 2));
        var b = new Parameter("b", new Tensor(1), decays: false);
        w.Gradient.Span[3] = 3;
        b.Gradient.Span[0] = 4;
        adam.Step([w, b]);
        Assert.Equal(5, adam.LastGradientNorm);
    }

    [Fact]
    public void The_norm_does_not_overflow_where_float_squares_would()
    {
        // 3e20^2 = 9e40 is beyond float's range: a float sum of squares would be infinite and refuse the step.
        var sgd = new Sgd(1e-30) { ClipNorm = 1 };
        var p = new Parameter("w", new Tensor(2));
        p.Gradient.Span[0] = 3e20f;
        p.Gradient.Span[1] = 4e20f;
        sgd.Step([p]);
        double norm = Math.Sqrt((3e20f * (double)3e20f) + (4e20f * (double)4e20f)); // the floats nearest 3e20, 4e20
        Assert.Equal(norm, sgd.LastGradientNorm, 1e-12 * norm);
        Assert.Equal(-1e-30 * 0.6, p.Value.Span[0], 1e-36);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_clip_norm_must_be_finite_and_positive(double value)
    {
        var sgd = new Sgd(0.1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ClipNorm = value);
        Assert.Contains("finite and positive", e.Message, StringComparison.Ordinal);
        Assert.Null(sgd.ClipNorm);
        sgd.ClipNorm = 1e-3;
        sgd.ClipNorm = null;
        Assert.Null(sgd.ClipNorm);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_non_finite_gradient_updates_nothing_and_names_the_norm_and_the_parameter(string name)
    {
        var optimizer = Optimizer.Create(name, 0.1);
        optimizer.ClipNorm = 1;
        var w = new Parameter("0.weight", Tensor.FromArray([1f, 2f], 2));
        var b = new Parameter("0.bias", Tensor.FromArray([3f], 1), decays: false);
        w.Gradient.Span[0] = 0.5f;
        optimizer.Step([w, b]);
        float[] before = Values(w, b);

        b.Gradient.Span[0] = float.NaN;
        var e = Assert.Throws<NotFiniteNumberException>(() => optimizer.Step([w, b]));
        Assert.True(double.IsNaN(e.OffendingNumber));
        Assert.Contains("gradient norm is NaN", e.Message, StringComparison.Ordinal);
        Assert.Contains("'0.bias'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Values(w, b));
        Assert.Equal(1, optimizer.Steps);

        b.Gradient.Span[0] = float.PositiveInfinity;
        Assert.False(optimizer.TryStep([w, b]));
        Assert.Equal(double.PositiveInfinity, optimizer.LastGradientNorm);
        Assert.Equal(before, Values(w, b));

        // The state is intact: a finite gradient steps again as usual.
        b.Gradient.Span[0] = 0.25f;
        Assert.True(optimizer.TryStep([w, b]));
        Assert.Equal(2, optimizer.Steps);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Clipped_steps_allocate_nothing_once_the_state_exists(string name)
    {
        var optimizer = Optimizer.Create(name, 0.01);
        optimizer.ClipNorm = 0.1;
        Parameter[] parameters = [new Parameter("w", new Tensor(4, 9)), new Parameter("b", new Tensor(9), decays: false)];
        parameters[0].Gradient.Span.Fill(1);
        optimizer.Step(parameters);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            optimizer.Step(parameters);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(6, optimizer.LastGradientNorm, 1e-12);
    }

    [Fact]
    public void The_trainer_reports_a_non_finite_gradient_with_a_finite_loss_as_divergence_naming_the_norm()
    {
        var data = SyntheticData.Moons(64, 0.1, seed: 1);
        var model = Sequential.Parse("dense:4,tanh,dense:1");
        model.Build(data.FeatureShape, seed: 1);
        var trainer = new Trainer(model, new PoisonedGradientLoss(poisonAtCall: 3), new Adam(0.01) { ClipNorm = 1 });
        float[] before = [];
        trainer.BatchEnded += _ => before = [.. model.Parameters.SelectMany(p => p.Value.Span.ToArray())];
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(data, epochs: 2, batchSize: 16, seed: 1));
        Assert.Equal((1, 3), (e.Epoch, e.Batch));
        Assert.Contains("gradient norm is NaN", e.Message, StringComparison.Ordinal);
        Assert.Contains("no parameter was updated", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, model.Parameters.SelectMany(p => p.Value.Span.ToArray()));
    }

    [Fact]
    public void Training_with_clipping_learns_and_records_the_norm()
    {
        var data = SyntheticData.Moons(128, 0.1, seed: 1);
        var model = Sequential.Parse("dense:16,tanh,dense:1");
        model.Build(data.FeatureShape, seed: 1);
        var optimizer = new Sgd(0.5, momentum: 0.9) { ClipNorm = 0.25 };
        var trainer = new Trainer(model, new BinaryCrossEntropyWithLogits(), optimizer);
        var norms = new List<double>();
        trainer.BatchEnded += _ => norms.Add(optimizer.LastGradientNorm);
        var history = trainer.Fit(data, epochs: 30, batchSize: 32, seed: 1);
        Assert.True(history.Last.Accuracy > 0.85, $"accuracy {history.Last.Accuracy}");
        Assert.All(norms, n => Assert.True(double.IsFinite(n) && n >= 0));
        Assert.Contains(norms, n => n > 0.25); // clipping was active on some batches
    }

    private static float[] Values(params Parameter[] parameters) => [.. parameters.SelectMany(p => p.Value.Span.ToArray())];

    private static ReferenceOptimizer Reference(string name, double lr) => name switch
    {
        "sgd" => new ReferenceOptimizer("sgd", lr),
        "momentum" => new ReferenceOptimizer("sgd", lr, momentum: 0.9),
        "nesterov" => new ReferenceOptimizer("sgd", lr, momentum: 0.9, nesterov: true),
        "adam" => new ReferenceOptimizer("adam", lr),
        "adamw" => new ReferenceOptimizer("adamw", lr, weightDecay: 0.01),
        _ => throw new ArgumentException(name),
    };

    /// <summary>A gradient that varies in sign with the step and the element, about <paramref name="size"/> per element.</summary>
    private static double[] Gradient(int step, int length, int offset, double size) =>
        Enumerable.Range(0, length).Select(i => (double)(float)(size * (Math.Sin((1.7 * (i + offset)) + (0.9 * step)) + 0.05))).ToArray();

    private static void AssertClose(double[] expected, Parameter actual, string name)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float a = actual.Value.Span[i];
            Assert.True(Math.Abs(a - expected[i]) <= 1e-6 + (1e-5 * Math.Abs(expected[i])), $"{name}: {actual.Name}[{i}] = {a:R}, reference {expected[i]:R}.");
        }
    }

    /// <summary>Binary cross-entropy whose gradient is NaN on the n-th call (the loss itself stays finite).</summary>
    private sealed class PoisonedGradientLoss(int poisonAtCall) : Loss
    {
        private readonly BinaryCrossEntropyWithLogits _inner = new();
        private int _calls;

        public override string Name => "poisoned";

        protected override double ComputeCore(Tensor predictions, Tensor targets, Tensor gradient)
        {
            double loss = _inner.Compute(predictions, targets, gradient);
            if (++_calls == poisonAtCall)
            {
                gradient.Span[0] = float.NaN;
            }

            return loss;
        }
    }
}
