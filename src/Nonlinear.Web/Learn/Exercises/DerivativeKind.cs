using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "derivative": an activation's value f(z) and slope f′(z) at a given z (both asked, so a learner who gives the value
/// for the slope, or the slope for the value, is recognised). ReLU and Leaky ReLU get a negative z half of the time.
/// </summary>
internal sealed class DerivativeKind : NumericKind
{
    /// <inheritdoc/>
    public override string Kind => "derivative";

    /// <inheritdoc/>
    protected override (string Prompt, NumericSolution Solution) Make(ExerciseDefinition definition, SeededRandom random)
    {
        var f = ActivationNotation.For(definition.Text("activation", "sigmoid"), random.Pick([0.1, 0.2]));
        bool negative = f.Rectifier && random.Chance(0.5);
        string[] core = (f.Name, negative) switch
        {
            ("sigmoid", _) => ["value-instead-of-derivative", "derivative-instead-of-value", "formula-on-z"],
            ("tanh", _) => ["value-instead-of-derivative", "derivative-instead-of-value", "formula-on-z", "forgot-square"],
            ("relu", true) => ["relu-negative-input", "wrong-branch"],
            ("relu", false) => ["value-instead-of-derivative", "wrong-branch"],
            ("leaky_relu", true) => ["forgot-alpha", "leaky-as-relu", "wrong-branch", "value-instead-of-derivative"],
            _ => ["wrong-branch", "value-instead-of-derivative"],
        };
        double z = Until(
            () => f.Rectifier ? (negative ? -1 : 1) * random.Nice12(0.2, 3, 0.2) : random.Nice12(-3, 3, 0.3),
            v => Solve(f, v).TellsApart(core));
        string prompt = $"<p>The activation is {f.Prose}, {f.Formula}. Its derivative is {f.SlopeFormula}.</p>"
            + $"<p>At {MathMarkup.Formula(Id("z"), Op("="), Num(z))}, compute the value {MathMarkup.Formula(f.Apply(Id("z")))} and the slope "
            + $"{MathMarkup.Formula(f.ApplySlope(Id("z")))}. Answers are accepted within ±{Given(ForwardKind.Tolerance)}; computing the slope from your rounded value is fine.</p>";
        return (prompt, Solve(f, z));
    }

    private static NumericSolution Solve(ActivationNotation f, double z)
    {
        var e = f.Engine;
        double value = e.Value(z), slope = e.Slope(z);
        Func<AnswerSheet, double>? carried = f.Name switch
        {
            "sigmoid" => s => s["value"] * (1 - s["value"]),
            "tanh" => s => 1 - s["value"] * s["value"],
            _ => null,
        };
        var answers = new[]
        {
            new NumericAnswer("value", MathMarkup.Formula(f.Apply(Id("z"))), value, ForwardKind.Tolerance),
            new NumericAnswer("derivative", MathMarkup.Formula(f.ApplySlope(Id("z"))), slope, ForwardKind.Tolerance, carried, carried is null ? null : ["value"]),
        };
        string V(AnswerSheet s) => Theirs(s["value"]);
        string D(AnswerSheet s) => Theirs(s["derivative"]);
        string zText = Given(z);
        var rules = new List<MistakeRule>
        {
            MistakeRule.For("swapped-value-and-derivative", new Dictionary<string, double> { ["value"] = slope, ["derivative"] = value }, s =>
                $"<p>Your two answers are swapped: {V(s)} is the slope f′({zText}) and {D(s)} is the value f({zText}).</p>"),
            MistakeRule.For("value-instead-of-derivative", "derivative", value, s =>
                $"<p>Your slope {D(s)} is the value f({zText}), not the derivative. The derivative says how fast f changes at z: {f.SlopeFormula}.</p>"),
            MistakeRule.For("derivative-instead-of-value", "value", slope, s =>
                $"<p>Your value {V(s)} is the slope f′({zText}); the value is f({zText}) itself: {f.Formula}.</p>"),
        };
        switch (f.Name)
        {
            case "sigmoid":
                rules.Add(MistakeRule.For("formula-on-z", "derivative", z * (1 - z), s =>
                    $"<p>Your slope {D(s)} is z(1 − z) = {Given(z)} × {Given(1 - z)}: the rule σ(1 − σ) takes the sigmoid's value, σ(z) = {Text(value, 4)}, not z.</p>"));
                rules.Add(MistakeRule.For("missing-factor", "derivative", 1 - value, s =>
                    $"<p>Your slope {D(s)} is 1 − σ(z) only; the derivative is the product σ(z)·(1 − σ(z)).</p>"));
                rules.Add(MistakeRule.For("peak-slope", "derivative", 0.25, s =>
                    $"<p>0.25 is the sigmoid's largest slope, reached only at z = 0. At z = {zText} it is smaller: σ(z)(1 − σ(z)).</p>"));
                rules.Add(MistakeRule.For("wrong-sign", "value", e.Value(-z), s =>
                    $"<p>Your value {V(s)} is σ(−z) = 1/(1 + e<sup>+z</sup>): the exponent's sign is flipped. σ(z) = 1/(1 + e<sup>−z</sup>).</p>"));
                break;
            case "tanh":
                rules.Add(MistakeRule.For("formula-on-z", "derivative", 1 - z * z, s =>
                    $"<p>Your slope {D(s)} is 1 − z²: the rule 1 − tanh² takes the value tanh(z) = {Text(value, 4)}, not z.</p>"));
                rules.Add(MistakeRule.For("forgot-square", "derivative", 1 - value, s =>
                    $"<p>Your slope {D(s)} is 1 − tanh(z); the derivative squares it: 1 − tanh²(z).</p>"));
                rules.Add(MistakeRule.For("wrong-activation", "derivative", value * (1 - value), s =>
                    $"<p>Your slope {D(s)} is the sigmoid's rule f(1 − f) applied to tanh. For tanh it is 1 − tanh²(z).</p>"));
                rules.Add(MistakeRule.For("peak-slope", "derivative", 1, s =>
                    $"<p>1 is tanh's largest slope, reached only at z = 0. At z = {zText} it is 1 − tanh²(z), smaller.</p>"));
                rules.Add(MistakeRule.For("wrong-sign", "value", -value, s =>
                    $"<p>Your value {V(s)} has the wrong sign: tanh keeps the sign of z.</p>"));
                break;
            case "relu":
                rules.Add(MistakeRule.For("relu-negative-input", "value", z, s =>
                    $"<p>Your value {V(s)} is z itself, but z = {zText} is negative: relu(z) = max(0, z) = 0 there.</p>"));
                rules.Add(MistakeRule.For("wrong-branch", "derivative", z < 0 ? 1 : 0, s =>
                    z < 0
                        ? $"<p>Your slope {D(s)} is the slope for positive z. For z = {zText} &lt; 0 ReLU is flat (always 0), so its slope is 0: no gradient flows through.</p>"
                        : $"<p>Your slope {D(s)} is the slope for negative z. For z = {zText} &gt; 0 ReLU is the identity, so its slope is 1.</p>"));
                break;
            default:
                rules.Add(MistakeRule.For("forgot-alpha", "value", z, s =>
                    $"<p>Your value {V(s)} is z itself, but z = {zText} is negative: Leaky ReLU gives α·z = {Given(f.Alpha)} × ({zText}) there.</p>"));
                rules.Add(MistakeRule.For("leaky-as-relu", z < 0 ? new Dictionary<string, double> { ["derivative"] = 0 } : [], s =>
                    $"<p>A slope of 0 for negative z is plain ReLU. Leaky ReLU keeps the slope α = {Given(f.Alpha)} there, which is why its units do not die.</p>"));
                rules.Add(MistakeRule.For("leaky-as-relu", z < 0 ? new Dictionary<string, double> { ["value"] = 0 } : [], s =>
                    $"<p>A value of 0 for negative z is plain ReLU. Leaky ReLU gives α·z = {Given(f.Alpha)} × ({zText}).</p>"));
                rules.Add(MistakeRule.For("wrong-branch", "derivative", z < 0 ? 1 : f.Alpha, s =>
                    z < 0
                        ? $"<p>Your slope {D(s)} is the slope for positive z. For z = {zText} &lt; 0 the slope is α = {Given(f.Alpha)}.</p>"
                        : $"<p>Your slope {D(s)} is α, the slope for negative z. For z = {zText} &gt; 0 Leaky ReLU is the identity, slope 1.</p>"));
                break;
        }

        var hints = new[]
        {
            f.Name switch
            {
                "sigmoid" => "<p>First the value σ(z) = 1/(1 + e<sup>−z</sup>). The slope follows from it: σ′(z) = σ(z)·(1 − σ(z)).</p>",
                "tanh" => "<p>First the value tanh(z). The slope follows from it: tanh′(z) = 1 − tanh²(z).</p>",
                "relu" => "<p>ReLU has two pieces: for z &gt; 0 it is z (slope 1), for z &lt; 0 it is 0 (slope 0). Which piece is z on?</p>",
                _ => $"<p>Leaky ReLU has two pieces: for z &gt; 0 it is z (slope 1), for z ≤ 0 it is α·z (slope α = {Given(f.Alpha)}). Which piece is z on?</p>",
            },
            f.Name switch
            {
                "sigmoid" => $"<p>e<sup>−z</sup> = e<sup>{Given(-z)}</sup> = {Text(Math.Exp(-z), 4)}. Add 1, take the reciprocal, then multiply σ by 1 − σ.</p>",
                "tanh" => $"<p>e<sup>2z</sup> = {Text(Math.Exp(2 * z), 4)}, and tanh(z) = (e<sup>2z</sup> − 1)/(e<sup>2z</sup> + 1). Then square it and subtract from 1.</p>",
                _ => $"<p>z = {zText} is {(z < 0 ? "negative" : "positive")}: use the {(z < 0 ? "left" : "right")} piece for both the value and the slope.</p>",
            },
        };
        string worked = f.Name switch
        {
            "sigmoid" => $"<p>σ({zText}) = 1/(1 + e<sup>{Given(-z)}</sup>) = 1/(1 + {Text(Math.Exp(-z), 4)}) = {Text(value, 4)}</p>"
                + $"<p>σ′({zText}) = σ(z)(1 − σ(z)) = {Text(value, 4)} × {Text(1 - value, 4)} = {Text(slope, 4)} (at most 0.25, at z = 0)</p>",
            "tanh" => $"<p>tanh({zText}) = {Text(value, 4)}</p><p>tanh′({zText}) = 1 − tanh²(z) = 1 − {Text(value * value, 4)} = {Text(slope, 4)} (at most 1, at z = 0)</p>",
            "relu" => z < 0
                ? $"<p>z = {zText} &lt; 0, so relu(z) = max(0, z) = {Text(value, 4)} and the slope is 0 (the unit passes no gradient).</p>"
                : $"<p>z = {zText} &gt; 0, so relu(z) = z = {Text(value, 4)} and the slope is 1.</p>",
            _ => z < 0
                ? $"<p>z = {zText} &lt; 0, so f(z) = α·z = {Given(f.Alpha)} × ({zText}) = {Text(value, 4)} and the slope is α = {Given(f.Alpha)}.</p>"
                : $"<p>z = {zText} &gt; 0, so f(z) = z = {Text(value, 4)} and the slope is 1.</p>",
        };
        return new NumericSolution(answers, rules, hints, worked, f.See);
    }
}
