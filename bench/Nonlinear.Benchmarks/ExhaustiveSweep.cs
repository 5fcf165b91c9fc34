using System.Globalization;
using Nonlinear.Activations;

namespace Nonlinear.Benchmarks;

/// <summary>
/// Every float32 in a range through an activation's forward and backward kernels, against float64: the worst
/// error in ulp per binade. Too slow for the test suite (about a minute per 100 million floats on this machine),
/// it backs the exhaustive claims of docs/accuracy.md for sin and the Gaussian.
/// </summary>
internal static class ExhaustiveSweep
{
    private const string Usage = "sin|gaussian [--from 1e-4] [--to 65536]";

    /// <summary>The float64 f and f' of the activations this mode knows (Math.Sin and Math.Cos reduce exactly).</summary>
    private static readonly Dictionary<string, (Func<double, double> F, Func<double, double> Df)> References = new()
    {
        ["sin"] = (Math.Sin, Math.Cos),
        ["gaussian"] = (x => Math.Exp(-x * x), x => -2 * x * Math.Exp(-x * x)),
    };

    public static int Run(string[] args)
    {
        string name;
        float from = 1e-4f, to = 65536f;
        try
        {
            if (args.Length == 0 || !References.ContainsKey(args[0]))
            {
                throw new ArgumentException($"exhaustive {Usage}: name one of {string.Join(", ", References.Keys)}");
            }

            name = args[0];
            new BenchArguments("exhaustive", Usage)
                .Value("--from", v => from = float.Parse(v, CultureInfo.InvariantCulture))
                .Value("--to", v => to = float.Parse(v, CultureInfo.InvariantCulture))
                .Parse(args[1..]);
            if (!(from > 0 && to > from && float.IsFinite(to)))
            {
                throw new ArgumentException("need 0 < --from < --to, finite");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        var (f, df) = References[name];
        var activation = ActivationRegistry.Parse(name);
        const int Chunk = 1 << 20;
        var x = new float[Chunk];
        var y = new float[Chunk];
        var dx = new float[Chunk];
        var ones = Enumerable.Repeat(1f, Chunk).ToArray();
        var worst = new SortedDictionary<int, (double F, float FAt, double Df, float DfAt)>();
        int first = BitConverter.SingleToInt32Bits(from), last = BitConverter.SingleToInt32Bits(to);
        long count = 0;
        for (long start = first; start <= last; start += Chunk)
        {
            int n = (int)Math.Min(Chunk, last - start + 1);
            for (int i = 0; i < n; i++)
            {
                x[i] = BitConverter.Int32BitsToSingle((int)(start + i));
            }

            // Both signs: the kernels are odd or even in x, but the check should not assume it.
            foreach (float sign in (float[])[1f, -1f])
            {
                if (sign < 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        x[i] = -x[i];
                    }
                }

                activation.Forward(x.AsSpan(0, n), y.AsSpan(0, n));
                activation.Backward(x.AsSpan(0, n), y.AsSpan(0, n), ones.AsSpan(0, n), dx.AsSpan(0, n));
                for (int i = 0; i < n; i++)
                {
                    int binade = (int)Math.Floor(Math.Log2(Math.Abs(x[i])));
                    var w = worst.GetValueOrDefault(binade);
                    double ef = Ulps(y[i], f(x[i])), ed = Ulps(dx[i], df(x[i]));
                    worst[binade] = (ef > w.F ? ef : w.F, ef > w.F ? x[i] : w.FAt, ed > w.Df ? ed : w.Df, ed > w.Df ? x[i] : w.DfAt);
                }

                count += n;
            }
        }

        Console.WriteLine($"{name}: every float with {from.ToString("R", CultureInfo.InvariantCulture)} <= |x| <= {to.ToString("R", CultureInfo.InvariantCulture)} ({count:N0} inputs), worst error in ulp of the float64 value (results below 2^-126 compared absolutely)");
        Console.WriteLine("| binade | f: worst ulp | at x | f': worst ulp | at x |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (binade, w) in worst)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| 2^{binade} | {w.F:F2} | {w.FAt:R} | {w.Df:F2} | {w.DfAt:R} |"));
        }

        double all = worst.Values.Max(w => Math.Max(w.F, w.Df));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst overall: {all:F2} ulp"));
        return all <= 4 ? 0 : 1;
    }

    /// <summary>|actual - expected| in float32 ulp of expected; 0 where both are below the smallest normal float.</summary>
    private static double Ulps(float actual, double expected)
    {
        double error = Math.Abs(actual - expected);
        if (error <= 1.1754943508222875e-38)
        {
            return 0;
        }

        float e = (float)Math.Abs(expected);
        return error / (MathF.BitIncrement(e) - (double)e);
    }
}
