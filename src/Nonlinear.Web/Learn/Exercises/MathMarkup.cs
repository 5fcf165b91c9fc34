using System.Globalization;
using System.Text;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// Presentation MathML and numbers for prompts, hints and worked solutions. Everything here is made from numbers and
/// fixed text, never from what a learner typed, so the result is safe to insert as HTML.
/// </summary>
internal static class MathMarkup
{
    /// <summary>The typographic minus (U+2212), as a printed formula has it.</summary>
    public const string Minus = "\u2212";

    /// <summary>A &lt;math&gt; element around <paramref name="parts"/>.</summary>
    public static string Formula(params string[] parts) => "<math>" + string.Concat(parts) + "</math>";

    /// <summary>An &lt;mrow&gt; around <paramref name="parts"/>.</summary>
    public static string Row(params string[] parts) => "<mrow>" + string.Concat(parts) + "</mrow>";

    /// <summary>An identifier (italic for one letter).</summary>
    public static string Id(string name) => $"<mi>{name}</mi>";

    /// <summary>An operator or fence.</summary>
    public static string Op(string op) => $"<mo>{op}</mo>";

    /// <summary>A number given in the task, as written (at most 6 decimals, no trailing zeros).</summary>
    public static string Num(double value) => $"<mn>{Given(value)}</mn>";

    /// <summary>A computed number to <paramref name="decimals"/> decimals, or in scientific form when tiny.</summary>
    public static string Num(double value, int decimals)
    {
        if (value != 0 && System.Math.Abs(value) < System.Math.Pow(10, -decimals + 1) && double.IsFinite(value))
        {
            var (mantissa, exponent) = Scientific(value);
            return $"<mrow><mn>{mantissa}</mn><mo>×</mo><msup><mn>10</mn><mn>{Sign(exponent.ToString(CultureInfo.InvariantCulture))}</mn></msup></mrow>";
        }

        return $"<mn>{Fixed(value, decimals)}</mn>";
    }

    /// <summary>x with subscript i.</summary>
    public static string Sub(string x, string i) => $"<msub>{x}{i}</msub>";

    /// <summary>x with superscript p.</summary>
    public static string Sup(string x, string p) => $"<msup>{x}{p}</msup>";

    /// <summary>A fraction.</summary>
    public static string Frac(string numerator, string denominator) => $"<mfrac>{numerator}{denominator}</mfrac>";

    /// <summary>e raised to <paramref name="power"/>.</summary>
    public static string Exp(string power) => Sup(Id("e"), Row(power));

    /// <summary>A subscripted identifier, e.g. x₁.</summary>
    public static string Indexed(string name, int index) => Sub(Id(name), $"<mn>{index.ToString(CultureInfo.InvariantCulture)}</mn>");

    /// <summary>A row vector [a, b, c].</summary>
    public static string Vector(IReadOnlyList<double> values) =>
        Row(Op("["), string.Join(Op(","), values.Select(v => Num(v))), Op("]"));

    /// <summary>A matrix in brackets (rows of equal length).</summary>
    public static string Matrix(IReadOnlyList<IReadOnlyList<double>> rows)
    {
        var text = new StringBuilder("<mrow><mo>[</mo><mtable>");
        foreach (var row in rows)
        {
            text.Append("<mtr>");
            foreach (double value in row)
            {
                text.Append("<mtd>").Append(Num(value)).Append("</mtd>");
            }

            text.Append("</mtr>");
        }

        return text.Append("</mtable><mo>]</mo></mrow>").ToString();
    }

    /// <summary>A given number as plain text (for prose): as written, with a typographic minus.</summary>
    public static string Given(double value) => Sign(System.Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture));

    /// <summary>A computed number as plain text to <paramref name="decimals"/> decimals (scientific when tiny).</summary>
    public static string Text(double value, int decimals)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "NaN" : value > 0 ? "∞" : Minus + "∞";
        }

        if (value != 0 && System.Math.Abs(value) < System.Math.Pow(10, -decimals + 1))
        {
            var (mantissa, exponent) = Scientific(value);
            return $"{mantissa} × 10<sup>{Sign(exponent.ToString(CultureInfo.InvariantCulture))}</sup>";
        }

        return Fixed(value, decimals);
    }

    /// <summary>A learner's number as plain text: as they gave it, up to 6 decimals.</summary>
    public static string Theirs(double value) =>
        System.Math.Abs(value) is > 0 and < 1e-4 ? Text(value, 6) : Given(value);

    private static string Fixed(double value, int decimals)
    {
        string text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

        // "-0.000" would look like a sign error the learner did not make.
        return text.TrimStart('-').Trim('0', '.').Length == 0 ? text.TrimStart('-') : Sign(text);
    }

    private static (string Mantissa, int Exponent) Scientific(double value)
    {
        int exponent = (int)System.Math.Floor(System.Math.Log10(System.Math.Abs(value)));
        double mantissa = value / System.Math.Pow(10, exponent);
        if (System.Math.Abs(System.Math.Round(mantissa, 3)) >= 10)
        {
            mantissa /= 10;
            exponent++;
        }

        return (Sign(mantissa.ToString("F3", CultureInfo.InvariantCulture)), exponent);
    }

    private static string Sign(string text) => text.StartsWith('-') ? Minus + text[1..] : text;
}
