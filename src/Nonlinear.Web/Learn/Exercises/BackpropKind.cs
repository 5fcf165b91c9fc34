using System.Globalization;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;
using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "backprop": the gradient of one first-layer weight of a 2-2-1 network by the chain rule, and the intermediate
/// ∂L/∂z_out. Hidden sigmoid or tanh; output sigmoid with binary cross-entropy or identity with squared error (the
/// seed picks; parameters "hidden" and "output" = "sigmoid-bce" / "identity-mse" fix them). The answers are the
/// engine's own backward pass (a Sequential with these weights and its loss), the worked solution the same by hand.
/// </summary>
internal sealed class BackpropKind : NumericKind
{
    /// <inheritdoc/>
    public override string Kind => "backprop";

    /// <inheritdoc/>
    protected override (string Prompt, NumericSolution Solution) Make(ExerciseDefinition definition, SeededRandom random)
    {
        var hidden = ActivationNotation.For(definition.Text("hidden", random.Chance(0.5) ? "sigmoid" : "tanh"));
        bool bce = definition.Text("output", random.Chance(0.5) ? "sigmoid-bce" : "identity-mse") switch
        {
            "sigmoid-bce" => true,
            "identity-mse" => false,
            var other => throw new InvalidOperationException($"backprop '{definition.Id}': output '{other}' is neither sigmoid-bce nor identity-mse."),
        };
        string[] core = ["forgot-activation-derivative", "wrong-sign", "forgot-input-factor", "wrong-weight", "second-layer-weight", bce ? "forgot-output-derivative" : "forgot-factor-two"];
        var net = Until(
            () => Draw(random, hidden, bce),
            n => Math.Abs(n.DzOut) >= 0.05 && Math.Abs(n.Dw) >= 0.01 && Solve(n).TellsApart(core));
        return (Prompt(net), Solve(net));
    }

    private static Network Draw(SeededRandom random, ActivationNotation hidden, bool bce)
    {
        double Weight() => random.Nice(-1.5, 1.5, 1, 0.1);
        double Bias() => random.Nice(-1, 1, 1, 0.1);
        double[] x = [random.Nice(-2, 2, 1, 0.1), random.Nice(-2, 2, 1, 0.1)];
        double[][] w1 = [[Weight(), Weight()], [Weight(), Weight()]];
        double[] b1 = [Bias(), Bias()];
        double[] w2 = [Weight(), Weight()];
        double b2 = Bias();
        double y = bce ? random.Below(2) : random.Nice(-1, 1, 1);
        return new Network(hidden, bce, x, w1, b1, w2, b2, y, random.Below(2), random.Below(2));
    }

    private static string Prompt(Network n)
    {
        string output = n.Bce
            ? $"an output unit with the sigmoid, {MathMarkup.Formula(Id("ŷ"), Op("="), Id("σ"), Op("("), Sub(Id("z"), Id("out")), Op(")"))}, trained with binary cross-entropy "
              + MathMarkup.Formula(Id("L"), Op("="), Op(Minus), Op("["), Id("y"), Id("ln"), Id("ŷ"), Op("+"), Op("("), Num(1), Op(Minus), Id("y"), Op(")"), Id("ln"), Op("("), Num(1), Op(Minus), Id("ŷ"), Op(")"), Op("]"))
            : $"a linear output unit (identity), {MathMarkup.Formula(Id("ŷ"), Op("="), Sub(Id("z"), Id("out")))}, trained with the squared error "
              + MathMarkup.Formula(Id("L"), Op("="), Sup(Row(Op("("), Id("ŷ"), Op(Minus), Id("y"), Op(")")), Num(2))) + " (no ½)";
        return $"<p>A 2-2-1 network: a hidden layer {MathMarkup.Formula(Id("h"), Op("="), n.Hidden.Apply(Row(Indexed("W", 1), Id("x"), Op("+"), Indexed("b", 1))))} of two {n.Hidden.Name} units, "
            + $"then {MathMarkup.Formula(Sub(Id("z"), Id("out")), Op("="), Indexed("W", 2), Op("·"), Id("h"), Op("+"), Indexed("b", 2))} and {output}.</p>"
            + $"<p>{MathMarkup.Formula(Id("x"), Op("="), Vector(n.X))}, {MathMarkup.Formula(Indexed("W", 1), Op("="), Matrix(n.W1))} (row j holds the weights into hidden unit j), "
            + $"{MathMarkup.Formula(Indexed("b", 1), Op("="), Vector(n.B1))}, {MathMarkup.Formula(Indexed("W", 2), Op("="), Vector(n.W2))}, {MathMarkup.Formula(Indexed("b", 2), Op("="), Num(n.B2))}, "
            + $"and the target {MathMarkup.Formula(Id("y"), Op("="), Num(n.Y))}.</p>"
            + $"<p>Compute {MathMarkup.Formula(Frac(Row(Op("∂"), Id("L")), Row(Op("∂"), Sub(Id("z"), Id("out")))))} and the gradient of the weight {WeightName(n)} "
            + $"(row {n.J + 1}, column {n.I + 1} of W₁: from x<sub>{n.I + 1}</sub> into hidden unit {n.J + 1}). Answers are accepted within ±0.001; keep 4 decimals in intermediate steps.</p>";
    }

    private static string WeightName(Network n) =>
        MathMarkup.Formula(Sub(Id("w"), Row(Num(n.J + 1), Num(n.I + 1))));

    private static NumericSolution Solve(Network n)
    {
        var f = n.Hidden.Engine;
        int i = n.I, j = n.J;
        double[] zh = [Dot(n.W1[0], n.X) + n.B1[0], Dot(n.W1[1], n.X) + n.B1[1]];
        double[] h = [f.Value(zh[0]), f.Value(zh[1])];
        double[] slope = [f.Slope(zh[0]), f.Slope(zh[1])];
        double zOut = Dot(n.W2, h) + n.B2;
        double yHat = n.Bce ? 1 / (1 + Math.Exp(-zOut)) : zOut;
        double dz = n.DzOut, dw = n.Dw;
        double Chain(double upstream, int unit, int input) => upstream * n.W2[unit] * slope[unit] * n.X[input];

        string dwLabel = MathMarkup.Formula(Frac(Row(Op("∂"), Id("L")), Row(Op("∂"), Sub(Id("w"), Row(Num(j + 1), Num(i + 1))))));
        var answers = new[]
        {
            new NumericAnswer("dzOut", MathMarkup.Formula(Frac(Row(Op("∂"), Id("L")), Row(Op("∂"), Sub(Id("z"), Id("out"))))), dz, ForwardKind.Tolerance),
            new NumericAnswer("dw", dwLabel, dw, ForwardKind.Tolerance, s => Chain(s["dzOut"], j, i), ["dzOut"]),
        };
        string Dz(AnswerSheet s) => Theirs(s["dzOut"]);
        string Dw(AnswerSheet s) => Theirs(s["dw"]);
        double DzRef(AnswerSheet s) => s.Theirs("dzOut", dz);
        string unit = (j + 1).ToString(CultureInfo.InvariantCulture), input = (i + 1).ToString(CultureInfo.InvariantCulture);
        var rules = new List<MistakeRule>
        {
            MistakeRule.For("wrong-sign", new Dictionary<string, double> { ["dzOut"] = -dz }, s =>
                $"<p>Your ∂L/∂z<sub>out</sub> = {Dz(s)} has the wrong sign: it is ŷ − y{(n.Bce ? "" : " (times 2)")}, prediction minus target, so it is positive when the prediction is too high.</p>"),
        };
        if (n.Bce)
        {
            double sigmoidSlope = yHat * (1 - yHat);
            rules.Add(MistakeRule.For("extra-output-derivative", "dzOut", dz * sigmoidSlope, s =>
                $"<p>Your ∂L/∂z<sub>out</sub> = {Dz(s)} multiplies ŷ − y by σ′(z<sub>out</sub>) = {Text(sigmoidSlope, 4)} once more. With cross-entropy the sigmoid's slope cancels: ∂L/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ)) and σ′ = ŷ(1 − ŷ), so ∂L/∂z<sub>out</sub> = ŷ − y.</p>"));
            rules.Add(MistakeRule.For("forgot-output-derivative", "dzOut", (yHat - n.Y) / sigmoidSlope, s =>
                $"<p>Your {Dz(s)} is ∂L/∂ŷ; one more link of the chain gives ∂L/∂z<sub>out</sub>: multiply by σ′(z<sub>out</sub>) = ŷ(1 − ŷ), which leaves ŷ − y.</p>"));
        }
        else
        {
            rules.Add(MistakeRule.For("forgot-factor-two", "dzOut", dz / 2, s =>
                $"<p>Your ∂L/∂z<sub>out</sub> = {Dz(s)} is ŷ − y: the derivative of (ŷ − y)² is 2(ŷ − y) (this loss has no ½ in front).</p>"));
        }

        // When ∂L/∂z_out is wrong but ∂L/∂w follows from it, the mistake is in ∂L/∂z_out alone.
        rules.Add(new MistakeRule("follows-wrong-dz", s => s.Right("dzOut") ? null : One("dw", Chain(s["dzOut"], j, i)), s =>
            $"<p>Your ∂L/∂w follows correctly from your ∂L/∂z<sub>out</sub> = {Dz(s)}, but that one is off: {(n.Bce ? "with the sigmoid and cross-entropy it is simply ŷ − y" : "for (ŷ − y)² it is 2(ŷ − y)")}.</p>"));

        rules.Add(new MistakeRule("wrong-sign", s => One("dw", -Chain(DzRef(s), j, i)), s =>
            $"<p>Your ∂L/∂w has the wrong sign. Multiply the signed factors: ∂L/∂z<sub>out</sub>, w₂ of unit {unit} = {Given(n.W2[j])}, the slope f′(z<sub>h{unit}</sub>) (positive) and x<sub>{input}</sub> = {Given(n.X[i])}.</p>"));
        rules.Add(new MistakeRule("forgot-activation-derivative", s => One("dw", DzRef(s) * n.W2[j] * n.X[i]), s =>
            $"<p>Your ∂L/∂w = {Dw(s)} skips the hidden activation: between z<sub>out</sub> and the weight the gradient passes through {n.Hidden.Prose}, so multiply by its slope f′(z<sub>h{unit}</sub>) = {Text(slope[j], 4)}.</p>"));
        rules.Add(new MistakeRule("value-instead-of-derivative", s => One("dw", DzRef(s) * n.W2[j] * h[j] * n.X[i]), s =>
            $"<p>Your ∂L/∂w = {Dw(s)} uses the hidden unit's value h<sub>{unit}</sub> = {Text(h[j], 4)} where the chain rule needs its slope f′(z<sub>h{unit}</sub>) = {Text(slope[j], 4)}.</p>"));
        rules.Add(new MistakeRule("forgot-input-factor", s => One("dw", DzRef(s) * n.W2[j] * slope[j]), s =>
            $"<p>Your {Dw(s)} is ∂L/∂z<sub>h{unit}</sub>, the gradient at the hidden unit's pre-activation. The weight multiplies x<sub>{input}</sub>, so its gradient is that times x<sub>{input}</sub> = {Given(n.X[i])}.</p>"));
        rules.Add(new MistakeRule("second-layer-weight", s => One("dw", DzRef(s) * h[j]), s =>
            $"<p>Your {Dw(s)} is ∂L/∂z<sub>out</sub> · h<sub>{unit}</sub>, the gradient of the output layer's weight into z<sub>out</sub>. The asked weight sits in the first layer: go on back through w₂ and the hidden activation.</p>"));
        for (int other = 0; other < 4; other++)
        {
            int oj = other / 2, oi = other % 2;
            if (oj == j && oi == i)
            {
                continue;
            }

            rules.Add(new MistakeRule("wrong-weight", s => One("dw", Chain(DzRef(s), oj, oi)), s =>
                $"<p>Your {Dw(s)} is the gradient of w<sub>{oj + 1}{oi + 1}</sub> (from x<sub>{oi + 1}</sub> into hidden unit {oj + 1}). The asked weight is w<sub>{unit}{input}</sub>: row {unit}, column {input} of W₁.</p>"));
        }


        string lossLink = n.Bce ? "ŷ − y (sigmoid and cross-entropy together)" : "2(ŷ − y) (the derivative of (ŷ − y)², the output being linear)";
        var hints = new[]
        {
            $"<p>Go forward first: z<sub>h</sub> = W₁x + b₁, h = f(z<sub>h</sub>), z<sub>out</sub> = W₂·h + b₂, ŷ. Then backwards: ∂L/∂z<sub>out</sub> = {lossLink}.</p>",
            $"<p>The chain for w<sub>{unit}{input}</sub>: ∂L/∂w = ∂L/∂z<sub>out</sub> · w₂ of unit {unit} · f′(z<sub>h{unit}</sub>) · x<sub>{input}</sub>. Here z<sub>h{unit}</sub> = {Text(zh[j], 4)}.</p>",
        };
        double loss = n.Bce ? -(n.Y * Math.Log(yHat) + (1 - n.Y) * Math.Log(1 - yHat)) : (yHat - n.Y) * (yHat - n.Y);
        string worked = "<p>Forward: "
            + $"z<sub>h1</sub> = ({Given(n.W1[0][0])})({Given(n.X[0])}) + ({Given(n.W1[0][1])})({Given(n.X[1])}) + ({Given(n.B1[0])}) = {Text(zh[0], 4)}, h₁ = {Text(h[0], 4)}; "
            + $"z<sub>h2</sub> = ({Given(n.W1[1][0])})({Given(n.X[0])}) + ({Given(n.W1[1][1])})({Given(n.X[1])}) + ({Given(n.B1[1])}) = {Text(zh[1], 4)}, h₂ = {Text(h[1], 4)}; "
            + $"z<sub>out</sub> = ({Given(n.W2[0])})({Text(h[0], 4)}) + ({Given(n.W2[1])})({Text(h[1], 4)}) + ({Given(n.B2)}) = {Text(zOut, 4)}, ŷ = {Text(yHat, 4)}, L = {Text(loss, 4)}.</p>"
            + $"<p>Backward: ∂L/∂z<sub>out</sub> = {(n.Bce ? $"ŷ − y = {Text(yHat, 4)} − {Given(n.Y)}" : $"2(ŷ − y) = 2({Text(yHat, 4)} − ({Given(n.Y)}))")} = {Text(dz, 4)}.</p>"
            + $"<p>∂L/∂h<sub>{unit}</sub> = ∂L/∂z<sub>out</sub> · w₂ = {Text(dz, 4)} × ({Given(n.W2[j])}) = {Text(dz * n.W2[j], 4)}; "
            + $"∂L/∂z<sub>h{unit}</sub> = that × f′(z<sub>h{unit}</sub>) = {Text(dz * n.W2[j], 4)} × {Text(slope[j], 4)} = {Text(dz * n.W2[j] * slope[j], 4)}; "
            + $"∂L/∂w<sub>{unit}{input}</sub> = that × x<sub>{input}</sub> = {Text(dz * n.W2[j] * slope[j], 4)} × ({Given(n.X[i])}) = {Text(dw, 4)}.</p>"
            + "<p>The engine's backward pass on the same network gives the same gradient.</p>";
        return new NumericSolution(answers, rules, hints, worked, new SeeAlso("m8", "w-backprop", "the backprop widget in module 8"));
    }

    private static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b) => a[0] * b[0] + a[1] * b[1];

    private static Dictionary<string, double> One(string field, double value) => new() { [field] = value };

    /// <summary>
    /// The network of one exercise and the engine's gradients for it: a Sequential dense:2,f,dense:1 with these
    /// weights, its loss (bce_logits on the output logit, or mse on the linear output) and one backward pass.
    /// </summary>
    private sealed record Network(ActivationNotation Hidden, bool Bce, double[] X, double[][] W1, double[] B1, double[] W2, double B2, double Y, int J, int I)
    {
        private (double DzOut, double Dw)? _gradients;

        public double DzOut => Gradients().DzOut;

        public double Dw => Gradients().Dw;

        private (double DzOut, double Dw) Gradients()
        {
            if (_gradients is { } known)
            {
                return known;
            }

            var model = Sequential.Parse($"dense:2,{Hidden.Engine.Spec},dense:1");
            model.Build(new TensorShape(2), seed: 1);
            var first = (Dense)model.Layers[0];
            var last = (Dense)model.Layers[2];
            float[] w1 = [(float)W1[0][0], (float)W1[0][1], (float)W1[1][0], (float)W1[1][1]];
            w1.CopyTo(first.Weight.Value.Span);
            first.Bias.Value.Span[0] = (float)B1[0];
            first.Bias.Value.Span[1] = (float)B1[1];
            last.Weight.Value.Span[0] = (float)W2[0];
            last.Weight.Value.Span[1] = (float)W2[1];
            last.Bias.Value.Span[0] = (float)B2;

            var output = model.Forward(Tensor.FromArray([(float)X[0], (float)X[1]], 1, 2), training: true);
            var outputGradient = new Tensor(1, 1);
            Loss.Parse(Bce ? "bce_logits" : "mse").Compute(output, Tensor.FromArray([(float)Y], 1, 1), outputGradient);
            model.ZeroGradients();
            model.BackwardParameters(outputGradient);
            var gradients = (outputGradient.Span[0], (double)first.Weight.Gradient.Span[J * 2 + I]);
            _gradients = gradients;
            return gradients;
        }
    }
}
