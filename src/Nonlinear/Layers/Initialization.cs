using Nonlinear.Activations;

namespace Nonlinear.Layers;

/// <summary>Draws initial weights, and picks the initializer that fits an activation.</summary>
public static class Initialization
{
    /// <summary>
    /// The initializer for a layer followed by <paramref name="next"/> (null: nothing follows, e.g. an output
    /// layer whose loss applies softmax or sigmoid itself): He for the ReLU family and for sin, LeCun for SELU,
    /// Glorot for the rest (tanh, sigmoid, gaussian, step, identity, softmax).
    /// </summary>
    /// <remarks>
    /// sin: SIREN's hidden layers draw weights uniformly in ±sqrt(6/fan_in) (with the frequency omega_0 folded
    /// in), variance 2/fan_in, He's. With it the pre-activation variance v settles at v = 1 - e^(-2v) ~ 0.8 through
    /// depth, so units keep using the curved part of the sine; with Glorot's 1/fan_in (square layers) it shrinks
    /// toward 0, where sin x ~ x and deep layers act nearly linearly.
    /// </remarks>
    public static Initializer For(Activation? next) => next?.Info.Family switch
    {
        ActivationFamily.Rectifier or ActivationFamily.Periodic => Initializer.He,
        ActivationFamily.SelfNormalising => Initializer.LeCun,
        _ => Initializer.Glorot,
    };

    /// <summary>Fills <paramref name="weights"/> for a layer with the given fan-in and fan-out.</summary>
    /// <exception cref="ArgumentException"><paramref name="initializer"/> is <see cref="Initializer.Auto"/> (resolve it first).</exception>
    public static void Fill(Span<float> weights, Initializer initializer, int fanIn, int fanOut, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        switch (initializer)
        {
            case Initializer.He:
                Normal(weights, Math.Sqrt(2.0 / fanIn), random);
                break;
            case Initializer.LeCun:
                Normal(weights, Math.Sqrt(1.0 / fanIn), random);
                break;
            case Initializer.Glorot:
                double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
                for (int i = 0; i < weights.Length; i++)
                {
                    weights[i] = (float)((random.NextDouble() * 2 - 1) * limit);
                }

                break;
            default:
                throw new ArgumentException($"Resolve initializer {initializer} to He, Glorot or LeCun before filling weights.", nameof(initializer));
        }
    }

    /// <summary>Normal(0, std) by Box-Muller (System.Random is seeded and deterministic on a given runtime).</summary>
    internal static void Normal(Span<float> values, double std, Random random)
    {
        for (int i = 0; i < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = (float)(std * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < values.Length)
            {
                values[i + 1] = (float)(std * r * Math.Sin(2 * Math.PI * u2));
            }
        }
    }
}
