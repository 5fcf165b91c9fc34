using System.Globalization;
using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "gradient-product": the vanishing gradient by hand. Backprop multiplies one activation slope f′(zᵢ) per layer; the
/// learner gives the first factor and the product through L layers (parameters "activation", default sigmoid, and
/// "layers", default 5). The product is checked relatively (it is tiny).
/// </summary>
internal sealed class GradientProductKind : NumericKind
{
    /// <summary>The accepted relative error of the product.</summary>
    public const double RelativeTolerance = 0.02;

    private static readonly string[] Core = ["value-instead-of-derivative", "summed-not-multiplied", "peak-slope", "missed-a-factor", "formula-on-z"];

    /// <inheritdoc/>
    public override string Kind => "gradient-product";

    /// <inheritdoc/>
    protected override (string Prompt, NumericSolution Solution) Make(ExerciseDefinition definition, SeededRandom random)
    {
        var f = ActivationNotation.For(definition.Text("activation", "sigmoid"));
        int layers = (int)definition.Number("layers", 5);
        if (layers is < 2 or > 10 || f.Rectifier)
        {
            throw new InvalidOperationException($"gradient-product '{definition.Id}' needs sigmoid or tanh and 2-10 layers.");
        }

        double[] z = Until<double[]>(
            () => [.. Enumerable.Range(0, layers).Select(_ => random.Nice(f.Name == "tanh" ? -2 : -3, f.Name == "tanh" ? 2 : 3, 1))],
            zs => Solve(f, zs).TellsApart(Core));
        string count = layers.ToString(CultureInfo.InvariantCulture);
        string prompt = $"<p>A gradient flows backwards through {count} {f.Name} layers. Follow one unit per layer: on the way back, each layer "
            + $"multiplies the gradient by its activation's slope {MathMarkup.Formula(f.ApplySlope(Sub(Id("z"), Id("i"))))} (we leave the weights out to see what the activation alone does). "
            + $"The pre-activations, from the first layer to the last, are {MathMarkup.Formula(Id("z"), Op("="), Vector(z))}. The slope is {f.SlopeFormula}.</p>"
            + $"<p>Give the first layer's factor {MathMarkup.Formula(f.ApplySlope(Indexed("z", 1)))} (within ±0.001) and the product of all {count} factors "
            + $"{MathMarkup.Formula(Op("∏"), f.ApplySlope(Sub(Id("z"), Id("i"))))} (within {Given(RelativeTolerance * 100)} %; keep three significant digits in each factor).</p>";
        return (prompt, Solve(f, z));
    }

    private static NumericSolution Solve(ActivationNotation f, double[] z)
    {
        var e = f.Engine;
        var slopes = z.Select(e.Slope).ToArray();
        var values = z.Select(e.Value).ToArray();
        double product = Product(slopes);
        var answers = new[]
        {
            new NumericAnswer("first", MathMarkup.Formula(f.ApplySlope(Indexed("z", 1))), slopes[0], ForwardKind.Tolerance),
            new NumericAnswer("product", "the product", product, RelativeTolerance * Math.Abs(product), Relative: RelativeTolerance),
        };
        string P(AnswerSheet s) => Theirs(s["product"]);
        double peak = f.Name == "sigmoid" ? 0.25 : 1;
        var rules = new List<MistakeRule>
        {
            MistakeRule.For("value-instead-of-derivative", "product", Product(values), s =>
                $"<p>Your product {P(s)} multiplies the activations' values f(zᵢ). Backprop multiplies their slopes f′(zᵢ): {f.SlopeFormula}.</p>"),
            MistakeRule.For("value-instead-of-derivative", "first", values[0], s =>
                $"<p>Your first factor {Theirs(s["first"])} is the value f(z₁), not the slope f′(z₁).</p>"),
            MistakeRule.For("summed-not-multiplied", "product", slopes.Sum(), s =>
                $"<p>Your answer {P(s)} is the sum of the slopes. The chain rule multiplies them, one factor per layer, so the gradient shrinks geometrically with depth.</p>"),
            MistakeRule.For("peak-slope", "product", Math.Pow(peak, z.Length), s =>
                $"<p>{P(s)} is the best case: {Given(peak)} is the largest slope, at z = 0. Each layer's slope depends on its own zᵢ and is smaller away from 0.</p>"),
            MistakeRule.For("one-factor-only", "product", slopes[0], s =>
                $"<p>{P(s)} is the first factor alone. The gradient reaching the first layer has gone through all {z.Length} layers: multiply all the slopes.</p>"),
        };
        for (int i = 0; i < z.Length; i++)
        {
            int k = i + 1;
            rules.Add(MistakeRule.For("missed-a-factor", "product", product / slopes[i], s =>
                $"<p>Your product {P(s)} leaves out one factor, the slope at z<sub>{k}</sub> = {Given(z[k - 1])}. There is one factor per layer, {z.Length} in all.</p>"));
        }

        rules.Add(MistakeRule.For("formula-on-z", "product", Product(z.Select(v => f.Name == "sigmoid" ? v * (1 - v) : 1 - v * v)), s =>
            $"<p>Your product applies the slope rule to zᵢ itself. {(f.Name == "sigmoid" ? "σ′(z) = σ(z)(1 − σ(z)) takes σ(z)" : "tanh′(z) = 1 − tanh²(z) takes tanh(z)")}, the value, not z.</p>"));

        var hints = new[]
        {
            $"<p>Compute each layer's slope on its own: {f.SlopeFormula}. For z₁ = {Given(z[0])} that needs {(f.Name == "sigmoid" ? "σ(z₁)" : "tanh(z₁)")} first. Then multiply all {z.Length} slopes.</p>",
            $"<p>Two of the factors: {string.Join(", ", slopes.Skip(1).Take(2).Select((v, i) => $"f′(z<sub>{i + 2}</sub>) = {Text(v, 4)}"))}. Every factor is at most {Given(peak)}, so the product of {z.Length} of them is small: expect scientific notation.</p>",
        };
        double running = 1;
        var steps = z.Select((v, i) =>
        {
            running *= slopes[i];
            return $"<li>layer {i + 1}: z = {Given(v)}, f(z) = {Text(values[i], 4)}, f′(z) = {Text(slopes[i], 4)}, product so far {Text(running, 4)}</li>";
        });
        string worked = $"<ol>{string.Concat(steps)}</ol><p>The gradient reaching the first layer is {Text(product, 4)} times the one at the last: "
            + $"{(f.Name == "sigmoid" ? "with every factor at most 0.25, depth makes it vanish" : "tanh's slope reaches 1 only at z = 0, so depth still shrinks it")}. ReLU's slope is 1 for every active unit, which is why it trains deep networks.</p>";
        return new NumericSolution(answers, rules, hints, worked, new SeeAlso("m7", "w-depth", "the depth widget in module 7"));
    }

    private static double Product(IEnumerable<double> factors) => factors.Aggregate(1.0, (p, v) => p * v);
}
