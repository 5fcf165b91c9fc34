using System.Globalization;
using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// How the course writes one of its four elementwise activations (sigmoid, tanh, ReLU, Leaky ReLU): its name, its
/// formula and derivative in MathML, and where its widget lives. The numbers come from <see cref="Engine"/>.
/// </summary>
internal sealed class ActivationNotation
{
    private ActivationNotation(string name, double alpha)
    {
        Name = name;
        Alpha = alpha;
        Engine = new EngineActivation(name == "leaky_relu" ? "leaky_relu:" + alpha.ToString("R", CultureInfo.InvariantCulture) : name);
    }

    /// <summary>"sigmoid", "tanh", "relu" or "leaky_relu".</summary>
    public string Name { get; }

    /// <summary>Leaky ReLU's slope for z ≤ 0 (0 for the others).</summary>
    public double Alpha { get; }

    /// <summary>The engine's activation.</summary>
    public EngineActivation Engine { get; }

    /// <summary>True for ReLU and Leaky ReLU (piecewise linear: the sign of z decides).</summary>
    public bool Rectifier => Name is "relu" or "leaky_relu";

    /// <summary>The name in prose, e.g. "Leaky ReLU (α = 0.1)".</summary>
    public string Prose => Name switch
    {
        "sigmoid" => "the sigmoid",
        "tanh" => "tanh",
        "relu" => "ReLU",
        _ => $"Leaky ReLU with α = {Given(Alpha)}",
    };

    /// <summary>The function's symbol applied to <paramref name="argument"/> (MathML, no &lt;math&gt;).</summary>
    public string Apply(string argument) => Row(Symbol, Op("("), argument, Op(")"));

    /// <summary>The symbol of the derivative applied to <paramref name="argument"/>, e.g. σ′(z).</summary>
    public string ApplySlope(string argument) => Row(Symbol, Op("′"), Op("("), argument, Op(")"));

    /// <summary>"f(z) = ..." in MathML (a &lt;math&gt; element).</summary>
    public string Formula => Name switch
    {
        "sigmoid" => MathMarkup.Formula(Apply(Id("z")), Op("="), Frac(Num(1), Row(Num(1), Op("+"), Exp(Row(Op(Minus), Id("z")))))),
        "tanh" => MathMarkup.Formula(Apply(Id("z")), Op("="), Frac(Row(Exp(Id("z")), Op(Minus), Exp(Row(Op(Minus), Id("z")))), Row(Exp(Id("z")), Op("+"), Exp(Row(Op(Minus), Id("z")))))),
        "relu" => MathMarkup.Formula(Apply(Id("z")), Op("="), Id("max"), Op("("), Num(0), Op(","), Id("z"), Op(")")),
        _ => MathMarkup.Formula(Apply(Id("z")), Op("="), Piecewise(Id("z"), Row(Num(Alpha), Op("&#x2062;"), Id("z")))),
    };

    /// <summary>"f′(z) = ..." in MathML (a &lt;math&gt; element).</summary>
    public string SlopeFormula => Name switch
    {
        "sigmoid" => MathMarkup.Formula(ApplySlope(Id("z")), Op("="), Apply(Id("z")), Op("("), Num(1), Op(Minus), Apply(Id("z")), Op(")")),
        "tanh" => MathMarkup.Formula(ApplySlope(Id("z")), Op("="), Num(1), Op(Minus), Sup(Id("tanh"), Num(2)), Op("("), Id("z"), Op(")")),
        "relu" => MathMarkup.Formula(ApplySlope(Id("z")), Op("="), Piecewise(Num(1), Num(0))),
        _ => MathMarkup.Formula(ApplySlope(Id("z")), Op("="), Piecewise(Num(1), Num(Alpha))),
    };

    /// <summary>Where the activation is shown live (its module's widget).</summary>
    public SeeAlso See => Name switch
    {
        "sigmoid" => new SeeAlso("m2", "w-sigmoid", "the sigmoid widget in module 2"),
        "tanh" => new SeeAlso("m3", "w-tanh", "the tanh widget in module 3"),
        "relu" => new SeeAlso("m4", "w-relu", "the ReLU widget in module 4"),
        _ => new SeeAlso("m5", "w-leaky", "the Leaky ReLU widget in module 5"),
    };

    private string Symbol => Name switch
    {
        "sigmoid" => Id("σ"),
        "tanh" => Id("tanh"),
        "relu" => Id("relu"),
        _ => Id("f"),
    };

    /// <summary>The activation <paramref name="name"/> ("sigmoid", "tanh", "relu", "leaky_relu"); alpha for Leaky ReLU.</summary>
    /// <exception cref="InvalidOperationException">Another name (a course bug).</exception>
    public static ActivationNotation For(string name, double alpha = 0.01) => name switch
    {
        "sigmoid" or "tanh" or "relu" => new ActivationNotation(name, 0),
        "leaky_relu" => new ActivationNotation(name, alpha),
        _ => throw new InvalidOperationException($"The course asks for activation '{name}'; exercises know sigmoid, tanh, relu, leaky_relu (and softmax for forward)."),
    };

    private static string Piecewise(string positive, string otherwise) =>
        Row(Op("{"), "<mtable columnalign=\"left\"><mtr><mtd>" + positive + "</mtd><mtd>" + Row(Id("z"), Op("&gt;"), Num(0)) + "</mtd></mtr><mtr><mtd>"
            + otherwise + "</mtd><mtd>" + Row(Id("z"), Op("≤"), Num(0)) + "</mtd></mtr></mtable>");
}
