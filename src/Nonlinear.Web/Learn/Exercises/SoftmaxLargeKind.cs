using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "softmax-large": softmax of logits around 1000 by hand, where e^1000 overflows (∞/∞ = NaN); the way through is to
/// subtract the largest logit from all of them first (softmax is unchanged by a common shift).
/// </summary>
internal sealed class SoftmaxLargeKind : NumericKind
{
    private const string Overflow =
        "That is what the naive formula gives: e<sup>1000</sup> overflows to ∞ in floating point (float64 stops near e<sup>709.8</sup>) and ∞/∞ is NaN. "
        + "Subtract the largest logit from every logit first: softmax does not change, and the largest exponential becomes e<sup>0</sup> = 1.";

    private const string OverflowPlain =
        "That is what the naive formula gives: e^1000 overflows to infinity in floating point (float64 stops near e^709.8) and inf/inf is NaN. Subtract the largest logit from every logit first; softmax does not change, and the largest exponential becomes e^0 = 1.";

    /// <inheritdoc/>
    public override string Kind => "softmax-large";

    /// <inheritdoc/>
    protected override (string Prompt, NumericSolution Solution) Make(ExerciseDefinition definition, SeededRandom random)
    {
        double[] logits = Until(() => Draw(random), Good);
        string prompt = $"<p>A classifier produced the logits {MathMarkup.Formula(Id("z"), Op("="), Vector(logits))}. "
            + "Compute the softmax probabilities p<sub>1</sub>, p<sub>2</sub>, p<sub>3</sub> by hand (a calculator is fine). "
            + "Try the formula as written first and see what happens to the exponentials. Answers are accepted within ±0.001.</p>";
        return (prompt, Solve(logits));
    }

    private static double[] Draw(SeededRandom random)
    {
        double top = 10 * (50 + random.Below(101));
        double first = 0.5 * (1 + random.Below(6));
        double second = first + 0.5 * (1 + random.Below(6));
        return [.. random.Shuffled([top, top - first, top - second])];
    }

    private static bool Good(double[] logits)
    {
        var p = EngineActivation.Softmax(logits);
        return p.Max() <= 0.97 && p.Min() >= 0.003;
    }

    private static NumericSolution Solve(double[] logits)
    {
        var p = EngineActivation.Softmax(logits);
        double m = logits.Max();
        int top = Array.IndexOf(logits, m);
        var shifted = logits.Select(z => z - m).ToArray();
        var exps = shifted.Select(Math.Exp).ToArray();
        var answers = Enumerable.Range(0, 3).Select(i => new NumericAnswer(SoftmaxForward.Field(i), SoftmaxForward.Label(i), p[i], ForwardKind.Tolerance)).ToArray();

        string overflowed = $"<p>{Overflow}</p>";
        var rules = new List<MistakeRule>
        {
            MistakeRule.For("one-logit-softmax", SoftmaxForward.Fields(_ => 1.0), s =>
                "<p>You gave p = 1 for every class: that is each logit's exponential divided by itself. Softmax divides each e<sup>z<sub>i</sub></sup> by the sum over all three logits.</p>"),
            MistakeRule.For("naive-overflow", SoftmaxForward.Fields(_ => 1.0 / 3), s =>
                $"<p>Equal thirds is what you get when every e<sup>z</sup> is treated as the same ∞ (dividing the logits by their sum gives nearly the same, and is not softmax either).</p>{overflowed}"),
            MistakeRule.For("no-exponent", SoftmaxForward.Fields(i => logits[i] / logits.Sum()), s =>
                "<p>You divided each logit by the sum of the logits, which avoids the huge exponentials but is not softmax: it exponentiates first. "
                + $"To keep the exponentials small, subtract the largest logit m = {Given(m)} from every logit, then exponentiate.</p>"),
            MistakeRule.For("naive-overflow", SoftmaxForward.Fields(i => i == top ? 1 : 0), s =>
                $"<p>One class with p = 1 and the others 0 is what overflowing exponentials suggest, but the logits differ by only a few units, so every class keeps a real share.</p>{overflowed}"),
            MistakeRule.For("naive-overflow", SoftmaxForward.Fields(_ => 0.0), s =>
                $"<p>Zeros everywhere is what a calculator shows when e<sup>z</sup> breaks down.</p>{overflowed}"),
        };
        rules.AddRange(SoftmaxForward.CommonMistakes(logits, shiftNote: "shifted").Where(r => r.Code != "one-logit-softmax" && r.Code != "no-exponent"));

        var hints = new[]
        {
            $"<p>e<sup>{Given(m)}</sup> is too large for any calculator or float. Softmax does not change when you subtract the same number from every logit (the factor e<sup>−m</sup> cancels between numerator and denominator), so subtract the largest logit, m = {Given(m)}.</p>",
            $"<p>The shifted logits are [{string.Join(", ", shifted.Select(Given))}]. Exponentiate them (e<sup>0</sup> = 1), add the three, and divide each by the sum.</p>",
        };
        string worked = $"<p>The naive e<sup>z</sup> overflows, so subtract the largest logit m = {Given(m)}: z − m = [{string.Join(", ", shifted.Select(Given))}].</p>"
            + $"<p>Exponentials: {string.Join(", ", exps.Select((v, i) => $"e<sup>{Given(shifted[i])}</sup> = {Text(v, 4)}"))}; their sum is {Text(exps.Sum(), 4)}.</p>"
            + $"<p>Probabilities: {string.Join(", ", p.Select((v, i) => $"p<sub>{i + 1}</sub> = {Text(exps[i], 4)} / {Text(exps.Sum(), 4)} = {Text(v, 4)}"))}. "
            + "The engine's softmax does the same subtraction on every row.</p>";
        return new NumericSolution(answers, rules, hints, worked, SoftmaxForward.See) { NonFiniteNote = OverflowPlain };
    }
}
