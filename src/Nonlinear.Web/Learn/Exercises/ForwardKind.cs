using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "forward": one neuron's forward pass, z = W·x + b and a = f(z), for the course's activation parameter (sigmoid,
/// tanh, relu, leaky_relu); "softmax" is three logits to probabilities (<see cref="SoftmaxForward"/>). For ReLU and
/// Leaky ReLU the seed makes z negative half of the time, where the activation matters.
/// </summary>
internal sealed class ForwardKind : NumericKind
{
    /// <summary>Accepted error of z and a (values of order 1).</summary>
    public const double Tolerance = 0.001;

    /// <inheritdoc/>
    public override string Kind => "forward";

    /// <inheritdoc/>
    protected override (string Prompt, NumericSolution Solution) Make(ExerciseDefinition definition, SeededRandom random)
    {
        string name = definition.Text("activation", "sigmoid");
        if (name == "softmax")
        {
            return SoftmaxForward.Make(random);
        }

        var f = ActivationNotation.For(name, random.Pick([0.1, 0.2]));
        bool negative = f.Rectifier && random.Chance(0.5);
        string[] core = f.Name switch
        {
            "sigmoid" or "tanh" => ["forgot-bias", "missed-term", "forgot-activation", "derivative-instead-of-value", "wrong-sign"],
            "relu" when negative => ["forgot-bias", "missed-term", "relu-negative-input"],
            "leaky_relu" when negative => ["forgot-bias", "missed-term", "forgot-alpha", "leaky-as-relu"],
            _ => ["forgot-bias", "missed-term"],
        };
        var drawn = Until(
            () => Draw(f, negative, random),
            d => d.Z is var z && (f.Rectifier ? (negative ? z <= -0.2 && z >= -4 : z >= 0.2 && z <= 4) : Math.Abs(z) is >= 0.2 and <= 3)
                && Solve(f, d).TellsApart(core));
        return (Prompt(f, drawn), Solve(f, drawn));
    }

    private static Neuron Draw(ActivationNotation f, bool negative, SeededRandom random)
    {
        int n = random.Chance(0.5) ? 2 : 3;
        var w = Enumerable.Range(0, n).Select(_ => random.Nice12(-1.5, 1.5, 0.1)).ToArray();
        var x = Enumerable.Range(0, n).Select(_ => random.Nice(-2, 2, 1, 0.1)).ToArray();
        double b = random.Nice12(-1, 1, 0.1);
        return new Neuron(w, x, b);
    }

    private static string Prompt(ActivationNotation f, Neuron n) =>
        $"<p>A neuron has the weights {MathMarkup.Formula(Id("W"), Op("="), Vector(n.W))} and the bias {MathMarkup.Formula(Id("b"), Op("="), Num(n.B))}. "
        + $"It receives the input {MathMarkup.Formula(Id("x"), Op("="), Vector(n.X))}. Its activation is {f.Prose}, {f.Formula}.</p>"
        + $"<p>Compute the pre-activation {MathMarkup.Formula(Id("z"), Op("="), Id("W"), Op("·"), Id("x"), Op("+"), Id("b"))} and the output "
        + $"{MathMarkup.Formula(Id("a"), Op("="), f.Apply(Id("z")))}. Answers are accepted within ±{Given(Tolerance)}; "
        + "rounding z to 3 decimals before computing a is fine.</p>";

    private static NumericSolution Solve(ActivationNotation f, Neuron n)
    {
        var e = f.Engine;
        double z = n.Z, a = e.Value(z);
        string zLabel = MathMarkup.Formula(Id("z")), aLabel = MathMarkup.Formula(Id("a"));
        var answers = new[]
        {
            new NumericAnswer("z", zLabel, z, Tolerance),
            new NumericAnswer("a", aLabel, a, Tolerance, s => e.Value(s["z"]), ["z"]),
        };

        string Z(AnswerSheet s) => Theirs(s["z"]);
        string A(AnswerSheet s) => Theirs(s["a"]);
        var rules = new List<MistakeRule>
        {
            MistakeRule.For("forgot-bias", "z", n.WX, s =>
                $"<p>Your z = {Z(s)} is W·x = {Given(n.WX)} without the bias. A neuron adds its bias after the weighted sum: z = W·x + b, and here b = {Given(n.B)}.</p>"),
        };
        foreach (int i in Enumerable.Range(0, n.W.Length))
        {
            double term = n.W[i] * n.X[i];
            rules.Add(MistakeRule.For("missed-term", "z", z - term, s =>
                $"<p>Your z = {Z(s)} leaves out the product w<sub>{i + 1}</sub>x<sub>{i + 1}</sub> = {Given(n.W[i])} × {Given(n.X[i])} = {Given(term)}: the weighted sum has one product per input ({n.W.Length} here), then b is added.</p>"));
        }

        rules.Add(MistakeRule.For("wrong-sign", "z", n.WX - n.B, s =>
            $"<p>Your z = {Z(s)} is W·x − b: the bias is added, z = W·x + b = {Given(n.WX)} + ({Given(n.B)}).</p>"));

        // When z is wrong but a follows from it, the mistake is in z alone; the rules for a assume a right z.
        rules.Add(new MistakeRule("follows-wrong-z", s => s.Right("z") ? null : One("a", e.Value(s["z"])), s =>
            $"<p>Your a follows correctly from your z = {Z(s)}, but that z is off. Recompute the weighted sum: z = {Terms(n)}.</p>"));

        double ZRef(AnswerSheet s) => s.Theirs("z", z);
        switch (f.Name)
        {
            case "relu":
                rules.Add(new MistakeRule("relu-negative-input", s => ZRef(s) < 0 ? One("a", ZRef(s)) : null, s =>
                    $"<p>Your a = {A(s)} is z itself, but z = {Theirs(ZRef(s))} is negative: ReLU outputs max(0, z), so a negative pre-activation gives 0. Only positive z passes through unchanged.</p>"));
                break;
            case "leaky_relu":
                rules.Add(new MistakeRule("forgot-alpha", s => ZRef(s) < 0 ? One("a", ZRef(s)) : null, s =>
                    $"<p>Your a = {A(s)} is z itself, but z = {Theirs(ZRef(s))} is negative: Leaky ReLU multiplies a negative z by α = {Given(f.Alpha)}, so a = α·z.</p>"));
                rules.Add(new MistakeRule("leaky-as-relu", s => ZRef(s) < 0 ? One("a", 0) : null, s =>
                    $"<p>You gave a = {A(s)} as plain ReLU would. Leaky ReLU keeps a small slope for negative inputs: a = α·z = {Given(f.Alpha)} × ({Theirs(ZRef(s))}), not 0. That slope is what keeps the unit from dying.</p>"));
                break;
            default:
                rules.Add(new MistakeRule("forgot-activation", s => One("a", ZRef(s)), s =>
                    $"<p>Your a = {A(s)} is z itself: you left out the activation. The output is {f.Prose} applied to z = {Theirs(ZRef(s))}.</p>"));
                break;
        }

        rules.Add(new MistakeRule("derivative-instead-of-value", s => One("a", e.Slope(ZRef(s))), s =>
            $"<p>Your a = {A(s)} is the derivative f′(z) = {Text(e.Slope(ZRef(s)), 4)}, not the value. The forward pass needs a = f(z) itself.</p>"));
        if (f.Name == "sigmoid")
        {
            rules.Add(new MistakeRule("wrong-sign", s => One("a", e.Value(-ZRef(s))), s =>
                $"<p>Your a = {A(s)} is σ(−z) = 1/(1 + e<sup>+z</sup>): the sign of the exponent is flipped. The sigmoid is 1/(1 + e<sup>−z</sup>), so a large positive z gives a close to 1.</p>"));
            rules.Add(new MistakeRule("wrong-activation", s => One("a", Math.Tanh(ZRef(s))), s =>
                $"<p>Your a = {A(s)} is tanh(z). The sigmoid is a different squashing function: σ(z) = 1/(1 + e<sup>−z</sup>), between 0 and 1.</p>"));
            rules.Add(new MistakeRule("forgot-reciprocal", s => One("a", 1 + Math.Exp(-ZRef(s))), s =>
                $"<p>Your a = {A(s)} is 1 + e<sup>−z</sup>, the denominator: the sigmoid is one divided by it, so it always lies between 0 and 1.</p>"));
        }
        else if (f.Name == "tanh")
        {
            rules.Add(new MistakeRule("wrong-sign", s => One("a", -Math.Tanh(ZRef(s))), s =>
                $"<p>Your a = {A(s)} has the wrong sign: tanh is odd and keeps the sign of z (z = {Theirs(ZRef(s))}).</p>"));
            rules.Add(new MistakeRule("wrong-activation", s => One("a", 1 / (1 + Math.Exp(-ZRef(s)))), s =>
                $"<p>Your a = {A(s)} is the sigmoid of z. tanh(z) = (e<sup>z</sup> − e<sup>−z</sup>)/(e<sup>z</sup> + e<sup>−z</sup>) lies between −1 and 1 (it equals 2σ(2z) − 1).</p>"));
        }


        var hints = new[]
        {
            $"<p>Start with z: multiply each weight by its input, add the products, then add the bias b = {Given(n.B)}. Then apply {f.Prose} to z.</p>",
            $"<p>The products are {string.Join(", ", n.W.Select((w, i) => $"w<sub>{i + 1}</sub>x<sub>{i + 1}</sub> = {Given(w * n.X[i])}"))}. Then {Rule(f)}</p>",
        };
        return new NumericSolution(answers, rules, hints, Worked(f, n, a), f.See);
    }

    private static string Rule(ActivationNotation f) => f.Name switch
    {
        "sigmoid" => "a = 1/(1 + e<sup>−z</sup>): compute e<sup>−z</sup>, add 1, take the reciprocal.",
        "tanh" => "a = tanh(z), which your calculator has (or (e<sup>z</sup> − e<sup>−z</sup>)/(e<sup>z</sup> + e<sup>−z</sup>)).",
        "relu" => "a = max(0, z): a positive z passes unchanged, a negative one gives 0.",
        _ => $"a = z if z &gt; 0, and α·z = {Given(f.Alpha)}·z otherwise.",
    };

    private static string Worked(ActivationNotation f, Neuron n, double a)
    {
        string step = f.Name switch
        {
            "sigmoid" => $"a = σ({Text(n.Z, 4)}) = 1/(1 + e<sup>{Text(-n.Z, 4)}</sup>) = 1/(1 + {Text(Math.Exp(-n.Z), 4)}) = {Text(a, 4)}",
            "tanh" => $"a = tanh({Text(n.Z, 4)}) = {Text(a, 4)}",
            "relu" => $"a = max(0, {Text(n.Z, 4)}) = {Text(a, 4)}" + (n.Z < 0 ? " (a negative z gives 0)" : " (a positive z passes unchanged)"),
            _ => n.Z < 0
                ? $"z is negative, so a = α·z = {Given(f.Alpha)} × ({Text(n.Z, 4)}) = {Text(a, 4)}"
                : $"z is positive, so a = z = {Text(a, 4)}",
        };
        return $"<p>z = {Terms(n)} = {string.Join(" + ", n.W.Select((w, i) => Paren(w * n.X[i])))} + {Paren(n.B)} = {Text(n.Z, 4)}</p><p>{step}</p>";
    }

    private static string Terms(Neuron n) =>
        string.Join(" + ", n.W.Select((w, i) => $"{Paren(w)}×{Paren(n.X[i])}")) + $" + {Paren(n.B)}";

    private static string Paren(double v) => v < 0 ? $"({Given(v)})" : Given(v);

    private static Dictionary<string, double> One(string field, double value) => new() { [field] = value };

    /// <summary>A neuron's numbers: weights, inputs, bias.</summary>
    private sealed record Neuron(double[] W, double[] X, double B)
    {
        public double WX => W.Select((w, i) => w * X[i]).Sum();

        public double Z => WX + B;
    }
}
