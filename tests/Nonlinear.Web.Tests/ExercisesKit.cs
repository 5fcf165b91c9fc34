using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Learn.Exercises;

namespace Nonlinear.Web.Tests;

/// <summary>
/// What the exercise tests share: the course's definitions, generation and checking, reading the numbers of a prompt
/// the way a learner does (from its MathML), and independent float64 reference formulas.
/// </summary>
internal static partial class ExercisesKit
{
    public static Course Course { get; } = Course.Load();

    public static ExerciseDefinition Definition(string id) => Course.Exercise(id);

    public static IExerciseKind Kind(string name) => ExerciseKinds.ByHand.Single(k => k.Kind == name);

    public static Exercise Generate(string exerciseId, ulong seed)
    {
        var definition = Definition(exerciseId);
        return Kind(definition.Kind).Generate(definition, seed);
    }

    public static NumericSolution Numeric(Exercise exercise) => (NumericSolution)exercise.Solution;

    /// <summary>Checks numbers (field, value) as the page would send them.</summary>
    public static Task<Verdict> CheckAsync(Exercise exercise, int attempt, params (string Field, double Value)[] answers) =>
        CheckAsync(exercise, attempt, answers.ToDictionary(a => a.Field, a => (object)a.Value));

    public static Task<Verdict> CheckAsync(Exercise exercise, int attempt, Dictionary<string, object> answers)
    {
        var json = answers.ToDictionary(a => a.Key, a => JsonSerializer.SerializeToElement(a.Value));
        return Kind(exercise.Definition.Kind).CheckAsync(exercise, json, attempt, CancellationToken.None);
    }

    // ---- Reading a prompt like a learner: the numbers inside its <math> elements ----

    /// <summary>The numbers right of "name =" in the first &lt;math&gt; of <paramref name="html"/> that starts with <paramref name="name"/> (MathML of the name).</summary>
    public static double[] Given(string html, string name)
    {
        foreach (Match math in MathElement().Matches(html))
        {
            string inner = math.Groups[1].Value;
            if (inner.StartsWith(name + "<mo>=</mo>", StringComparison.Ordinal))
            {
                return Numbers(inner[(name.Length + "<mo>=</mo>".Length)..]);
            }
        }

        throw new Xunit.Sdk.XunitException($"No formula starting with {name} = in: {html}");
    }

    /// <summary>The one number right of "name =".</summary>
    public static double One(string html, string name) => Given(html, name).Single();

    /// <summary>Every &lt;mn&gt; number of a MathML fragment, in order.</summary>
    public static double[] Numbers(string mathml) =>
        [.. NumberElement().Matches(mathml).Select(m => double.Parse(m.Groups[1].Value.Replace('\u2212', '-'), CultureInfo.InvariantCulture))];

    /// <summary>The W₁-style name: an identifier with a number subscript.</summary>
    public static string Indexed(string name, int index) => $"<msub><mi>{name}</mi><mn>{index}</mn></msub>";

    /// <summary>Leaky ReLU's alpha as the prompt states it ("Leaky ReLU with α = 0.1").</summary>
    public static double Alpha(string html) =>
        double.Parse(AlphaText().Match(html).Groups[1].Value, CultureInfo.InvariantCulture);

    // ---- Independent float64 references ----

    public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    public static double SigmoidSlope(double z) => Sigmoid(z) * (1 - Sigmoid(z));

    public static double TanhSlope(double z) => 1 - Math.Tanh(z) * Math.Tanh(z);

    public static double[] Softmax(IReadOnlyList<double> z)
    {
        double m = z.Max();
        var e = z.Select(v => Math.Exp(v - m)).ToArray();
        return [.. e.Select(v => v / e.Sum())];
    }

    public static double Dot(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Select((v, i) => v * b[i]).Sum();

    /// <summary>A number as the worked solutions print it to 4 decimals (typographic minus).</summary>
    public static string Four(double value) => value.ToString("F4", CultureInfo.InvariantCulture).Replace("-", "\u2212", StringComparison.Ordinal);

    /// <summary>Rounds to <paramref name="decimals"/> as a learner writing intermediate results does.</summary>
    public static double Round(double value, int decimals) => Math.Round(value, decimals, MidpointRounding.AwayFromZero);

    [GeneratedRegex("<math>(.*?)</math>", RegexOptions.Singleline)]
    private static partial Regex MathElement();

    [GeneratedRegex("<mn>([^<]*)</mn>")]
    private static partial Regex NumberElement();

    [GeneratedRegex("α = ([0-9.]+)")]
    private static partial Regex AlphaText();
}
