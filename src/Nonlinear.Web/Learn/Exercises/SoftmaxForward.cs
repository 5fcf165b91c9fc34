using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// The softmax variant of "forward": three logits, given directly or as z = W·x + b of three rows, to the
/// probabilities p₁, p₂, p₃ (the engine's softmax).
/// </summary>
internal static class SoftmaxForward
{
    private static readonly string[] Core = ["one-logit-softmax", "sigmoid-instead-of-softmax", "not-normalised", "wrong-sign"];

    /// <summary>Where softmax is shown live.</summary>
    public static SeeAlso See { get; } = new("m6", "w-softmax", "the softmax widget in module 6");

    /// <summary>The three answer fields p1..p3 with their labels.</summary>
    public static string Label(int i) => MathMarkup.Formula(Indexed("p", i + 1));

    /// <summary>The task and its solution drawn from <paramref name="random"/>.</summary>
    public static (string Prompt, NumericSolution Solution) Make(SeededRandom random)
    {
        bool rows = random.Chance(0.5);
        var drawn = Until(rows, random);
        return (Prompt(drawn), Solve(drawn));
    }

    /// <summary>The mistakes every softmax answer can show: per logit, unnormalised, linear, flipped, not summing to 1.</summary>
    public static IEnumerable<MistakeRule> CommonMistakes(IReadOnlyList<double> logits, string? shiftNote = null)
    {
        yield return MistakeRule.For("one-logit-softmax", Fields(_ => 1.0), s =>
            $"<p>You gave p = 1 for every class: that is softmax applied to each logit on its own (e<sup>z</sup>/e<sup>z</sup> = 1). Softmax normalises over all the logits together: p<sub>i</sub> = e<sup>z<sub>i</sub></sup> / (e<sup>z<sub>1</sub></sup> + e<sup>z<sub>2</sub></sup> + e<sup>z<sub>3</sub></sup>).</p>");
        yield return MistakeRule.For("sigmoid-instead-of-softmax", Fields(i => 1 / (1 + Math.Exp(-logits[i]))), s =>
            $"<p>Your numbers are the sigmoid of each logit (they add up to {Given(Sum(s))}, not 1). Softmax couples the logits: divide each e<sup>z<sub>i</sub></sup> by the sum of all three.</p>");
        yield return MistakeRule.For("not-normalised", Fields(i => Math.Exp(logits[i] - (shiftNote is null ? 0 : logits.Max()))), s =>
            $"<p>You have the exponentials{(shiftNote is null ? "" : " of the shifted logits")} but did not divide by their sum: the three p must add up to 1 (yours add up to {Given(Sum(s))}).</p>");
        if (Math.Abs(logits.Sum()) >= 0.3)
        {
            yield return MistakeRule.For("no-exponent", Fields(i => logits[i] / logits.Sum()), s =>
                $"<p>You divided each logit by the sum of the logits. Softmax exponentiates first, p<sub>i</sub> = e<sup>z<sub>i</sub></sup> / Σ e<sup>z<sub>j</sub></sup>, so every p is positive and larger logits win by a factor e per unit.</p>");
        }

        var flipped = EngineActivation.Softmax([.. logits.Select(z => -z)]);
        yield return MistakeRule.For("wrong-sign", Fields(i => flipped[i]), s =>
            $"<p>Your probabilities are those of the negated logits (e<sup>−z</sup>{(shiftNote is null ? "" : ", or e<sup>m − z</sup> instead of e<sup>z − m</sup>")}): the largest logit must get the largest probability.</p>");
        yield return new MistakeRule("not-summing-to-one", s => Math.Abs(Sum(s) - 1) > 0.01 ? Fields(i => s[Field(i)]) : null, s =>
            $"<p>Your three p add up to {Given(Sum(s))}. Softmax outputs are a probability distribution: they always add up to 1. Check that each p<sub>i</sub> is e<sup>z<sub>i</sub></sup> divided by the sum of all three exponentials.</p>");
    }

    /// <summary>The field of class <paramref name="i"/> (0-based): "p1".."p3".</summary>
    public static string Field(int i) => "p" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The three fields with the values <paramref name="value"/> gives them.</summary>
    public static Dictionary<string, double> Fields(Func<int, double> value) =>
        Enumerable.Range(0, 3).ToDictionary(Field, value);

    private static double Sum(AnswerSheet s) => Enumerable.Range(0, 3).Sum(i => s[Field(i)]);

    private static Logits Until(bool rows, SeededRandom random)
    {
        Logits drawn = Draw(rows, random);
        for (int tries = 1; tries < 500 && !Good(drawn); tries++)
        {
            drawn = Draw(rows, random);
        }

        return drawn;
    }

    private static bool Good(Logits d)
    {
        var z = d.Z;
        bool spread = z.All(v => Math.Abs(v) <= 4) && Math.Abs(z[0] - z[1]) >= 0.3 && Math.Abs(z[0] - z[2]) >= 0.3 && Math.Abs(z[1] - z[2]) >= 0.3;
        var solution = Solve(d);
        return spread && solution.TellsApart(d.W is null ? Core : [.. Core, "forgot-bias"]);
    }

    private static Logits Draw(bool rows, SeededRandom random)
    {
        if (!rows)
        {
            return new Logits([random.Nice(-3, 3, 1), random.Nice(-3, 3, 1), random.Nice(-3, 3, 1)], null, null, null);
        }

        var w = Enumerable.Range(0, 3).Select(_ => new[] { random.Nice(-1.5, 1.5, 1, 0.1), random.Nice(-1.5, 1.5, 1, 0.1) }).ToArray();
        var x = new[] { random.Nice(-2, 2, 1, 0.1), random.Nice(-2, 2, 1, 0.1) };
        var b = new[] { random.Nice(-1, 1, 1, 0.1), random.Nice(-1, 1, 1, 0.1), random.Nice(-1, 1, 1, 0.1) };
        var wx = w.Select(row => row[0] * x[0] + row[1] * x[1]).ToArray();
        return new Logits([.. wx.Select((v, i) => v + b[i])], w, x, b);
    }

    private static string Prompt(Logits d)
    {
        string ask = $"<p>Compute the softmax probabilities {MathMarkup.Formula(Indexed("p", 1), Op(","), Indexed("p", 2), Op(","), Indexed("p", 3))}, "
            + $"{MathMarkup.Formula(Sub(Id("p"), Id("i")), Op("="), Frac(Exp(Sub(Id("z"), Id("i"))), Row(Op("∑"), Exp(Sub(Id("z"), Id("j"))))))}. "
            + "Answers are accepted within ±0.001.</p>";
        if (d.W is null)
        {
            return $"<p>A classifier's output layer gives the three logits {MathMarkup.Formula(Id("z"), Op("="), Vector(d.Z))}.</p>" + ask;
        }

        return $"<p>A classifier's output layer has three units with the weights {MathMarkup.Formula(Id("W"), Op("="), Matrix(d.W))} (one row per class) "
            + $"and the biases {MathMarkup.Formula(Id("b"), Op("="), Vector(d.B!))}. It receives {MathMarkup.Formula(Id("x"), Op("="), Vector(d.X!))}. "
            + $"Its logits are {MathMarkup.Formula(Id("z"), Op("="), Id("W"), Op("x"), Op("+"), Id("b"))}, one per class.</p>" + ask;
    }

    private static NumericSolution Solve(Logits d)
    {
        var p = EngineActivation.Softmax(d.Z);
        var answers = Enumerable.Range(0, 3).Select(i => new NumericAnswer(Field(i), Label(i), p[i], ForwardKind.Tolerance)).ToArray();
        var rules = new List<MistakeRule>();
        if (d.W is not null)
        {
            var withoutBias = EngineActivation.Softmax([.. d.Z.Select((z, i) => z - d.B![i])]);
            rules.Add(MistakeRule.For("forgot-bias", Fields(i => withoutBias[i]), s =>
                $"<p>Your probabilities are the softmax of W·x without the biases. Each logit adds its class's bias: z<sub>i</sub> = W<sub>i</sub>·x + b<sub>i</sub>, with b = [{string.Join(", ", d.B!.Select(Given))}].</p>"));
        }

        rules.AddRange(CommonMistakes(d.Z));
        var exps = d.Z.Select(Math.Exp).ToArray();
        string logits = d.W is null
            ? ""
            : "<p>Logits: " + string.Join("; ", d.Z.Select((z, i) => $"z<sub>{i + 1}</sub> = ({Given(d.W[i][0])})({Given(d.X![0])}) + ({Given(d.W[i][1])})({Given(d.X[1])}) + ({Given(d.B![i])}) = {Text(z, 4)}")) + ".</p>";
        var hints = new[]
        {
            (d.W is null ? "" : "<p>First the three logits: each row of W times x, plus that row's bias.</p>")
                + "<p>Exponentiate each logit, add the three exponentials, and divide each exponential by that sum. The three p add up to 1.</p>",
            d.W is null
                ? $"<p>The exponentials are e<sup>z<sub>1</sub></sup> = {Text(exps[0], 4)}, e<sup>z<sub>2</sub></sup> = {Text(exps[1], 4)}, e<sup>z<sub>3</sub></sup> = {Text(exps[2], 4)}; now their sum, and each divided by it.</p>"
                : $"<p>The logits are z = [{string.Join(", ", d.Z.Select(z => Text(z, 4)))}]. Exponentiate, add, divide.</p>",
        };
        string worked = logits
            + $"<p>Exponentials: {string.Join(", ", exps.Select((v, i) => $"e<sup>{Text(d.Z[i], 4)}</sup> = {Text(v, 4)}"))}; their sum is {Text(exps.Sum(), 4)}.</p>"
            + $"<p>Probabilities: {string.Join(", ", p.Select((v, i) => $"p<sub>{i + 1}</sub> = {Text(exps[i], 4)} / {Text(exps.Sum(), 4)} = {Text(v, 4)}"))} (they add up to 1).</p>";
        return new NumericSolution(answers, rules, hints, worked, See);
    }

    /// <summary>Three logits, with the layer that made them when the variant has one.</summary>
    private sealed record Logits(double[] Z, double[][]? W, double[]? X, double[]? B);
}
