using Nonlinear.Diagnostics;
using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "collapse": two linear layers (W₁ 2×2, b₁; W₂ 1×2, b₂) are one affine map: W′ = W₂W₁, b′ = W₂b₁ + b₂, composed by
/// the engine's <see cref="AffineMap"/> (what the advisor uses to find collapsed layers).
/// </summary>
internal sealed class CollapseKind : NumericKind
{
    private static readonly string[] Core = ["wrong-order", "forgot-bias", "bias-not-through-w2", "forgot-first-bias"];

    /// <inheritdoc/>
    public override string Kind => "collapse";

    /// <inheritdoc/>
    protected override (string Prompt, NumericSolution Solution) Make(ExerciseDefinition definition, SeededRandom random)
    {
        var layers = Until(() => Draw(random), l => Solve(l).TellsApart(Core));
        string prompt = "<p>Two dense layers are stacked with no activation between them: "
            + $"{MathMarkup.Formula(Id("h"), Op("="), Indexed("W", 1), Id("x"), Op("+"), Indexed("b", 1))} and "
            + $"{MathMarkup.Formula(Id("y"), Op("="), Indexed("W", 2), Id("h"), Op("+"), Indexed("b", 2))}, with</p>"
            + $"<p>{MathMarkup.Formula(Indexed("W", 1), Op("="), Matrix(layers.W1))}, {MathMarkup.Formula(Indexed("b", 1), Op("="), Matrix([[layers.B1[0]], [layers.B1[1]]]))}, "
            + $"{MathMarkup.Formula(Indexed("W", 2), Op("="), Vector(layers.W2))}, {MathMarkup.Formula(Indexed("b", 2), Op("="), Num(layers.B2))}.</p>"
            + $"<p>Together they are one linear layer {MathMarkup.Formula(Id("y"), Op("="), Id("W′"), Id("x"), Op("+"), Id("b′"))}. "
            + "Give the two entries of W′ (a 1×2 row) and b′. Answers are accepted within ±0.001.</p>";
        return (prompt, Solve(layers));
    }

    private static Layers Draw(SeededRandom random)
    {
        double Weight() => random.Nice(-2, 2, 1, 0.1);
        double Bias() => random.Nice(-1, 1, 1, 0.1);
        return new Layers([[Weight(), Weight()], [Weight(), Weight()]], [Bias(), Bias()], [Weight(), Weight()], Bias());
    }

    private static NumericSolution Solve(Layers l)
    {
        var map = new AffineMap(new double[,] { { l.W1[0][0], l.W1[0][1] }, { l.W1[1][0], l.W1[1][1] } }, l.B1)
            .Then([(float)l.W2[0], (float)l.W2[1]], [(float)l.B2], 1);
        double w1 = map.Weight[0, 0], w2 = map.Weight[0, 1], b = map.Bias[0];
        var answers = new[]
        {
            new NumericAnswer("w1", MathMarkup.Formula(Sub(Id("W′"), Row(Num(1), Num(1)))), w1, ForwardKind.Tolerance),
            new NumericAnswer("w2", MathMarkup.Formula(Sub(Id("W′"), Row(Num(1), Num(2)))), w2, ForwardKind.Tolerance),
            new NumericAnswer("b", MathMarkup.Formula(Id("b′")), b, ForwardKind.Tolerance),
        };

        // W2·W1ᵀ: each entry pairs W2 with a row of W1 instead of a column, what multiplying in the wrong order gives.
        double t1 = l.W2[0] * l.W1[0][0] + l.W2[1] * l.W1[0][1], t2 = l.W2[0] * l.W1[1][0] + l.W2[1] * l.W1[1][1];
        double w2b1 = l.W2[0] * l.B1[0] + l.W2[1] * l.B1[1];
        var rules = new List<MistakeRule>
        {
            MistakeRule.For("wrong-order", new Dictionary<string, double> { ["w1"] = t1, ["w2"] = t2 }, s =>
                $"<p>Your W′ = [{Theirs(s["w1"])}, {Theirs(s["w2"])}] pairs W₂ with the rows of W₁ (that is W₂W₁<sup>T</sup>, the product taken the wrong way round). "
                + "The first layer acts first, so W′ = W₂W₁: entry j is W₂ times column j of W₁.</p>"),
            MistakeRule.For("forgot-bias", "b", w2b1, s =>
                $"<p>Your b′ = {Theirs(s["b"])} is W₂b₁ without the second layer's own bias b₂ = {Given(l.B2)}: b′ = W₂b₁ + b₂.</p>"),
            MistakeRule.For("bias-not-through-w2", "b", l.B1[0] + l.B1[1] + l.B2, s =>
                $"<p>Your b′ = {Theirs(s["b"])} adds the biases as they are. The first layer's bias goes through the second layer's weights like everything else: b′ = W₂b₁ + b₂.</p>"),
            MistakeRule.For("forgot-first-bias", "b", l.B2, s =>
                $"<p>Your b′ = {Theirs(s["b"])} is b₂ alone. The first layer's bias b₁ reaches the output through W₂: b′ = W₂b₁ + b₂.</p>"),
        };
        var hints = new[]
        {
            "<p>Substitute h into y: y = W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂). So W′ = W₂W₁ and b′ = W₂b₁ + b₂.</p>",
            $"<p>W₂W₁ is a 1×2 row: entry j is W₂ times column j of W₁, e.g. W′₁₁ = ({Given(l.W2[0])})({Given(l.W1[0][0])}) + ({Given(l.W2[1])})({Given(l.W1[1][0])}). b′ works the same way with the column b₁, plus b₂.</p>",
        };
        string worked = $"<p>y = W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂).</p>"
            + $"<p>W′₁₁ = ({Given(l.W2[0])})({Given(l.W1[0][0])}) + ({Given(l.W2[1])})({Given(l.W1[1][0])}) = {Text(w1, 3)}</p>"
            + $"<p>W′₁₂ = ({Given(l.W2[0])})({Given(l.W1[0][1])}) + ({Given(l.W2[1])})({Given(l.W1[1][1])}) = {Text(w2, 3)}</p>"
            + $"<p>b′ = ({Given(l.W2[0])})({Given(l.B1[0])}) + ({Given(l.W2[1])})({Given(l.B1[1])}) + ({Given(l.B2)}) = {Text(w2b1, 3)} + ({Given(l.B2)}) = {Text(b, 3)}</p>"
            + "<p>Any stack of linear layers collapses like this, which is why a network needs a non-linear activation between its layers.</p>";
        return new NumericSolution(answers, rules, hints, worked, new SeeAlso("m1", "w-collapse", "the collapse widget in module 1"));
    }

    /// <summary>The two layers' numbers: W1 [2×2], b1 [2], W2 [1×2], b2.</summary>
    private sealed record Layers(double[][] W1, double[] B1, double[] W2, double B2);
}
