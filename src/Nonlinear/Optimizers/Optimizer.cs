using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using Nonlinear.Layers;

namespace Nonlinear.Optimizers;

/// <summary>
/// Updates parameters in place from their gradients, one <see cref="Step"/> per batch.
/// </summary>
/// <remarks>
/// Update rules follow PyTorch's <c>torch.optim</c> exactly, except where a type documents otherwise (weight decay
/// skips parameters whose <see cref="Parameter.Decays"/> is false). Per-parameter state (momentum buffers, Adam
/// moments) is keyed by the <see cref="Parameter"/> instance, allocated the first time that parameter is stepped
/// and reused afterwards, so steady-state steps allocate nothing. Gradients are read, never modified or zeroed:
/// call <see cref="Parameter.ZeroGradient"/> before the next backward pass.
/// <para>
/// Every step first measures the global gradient norm ||g|| = sqrt(sum over all parameters and elements of g^2)
/// in double (<see cref="LastGradientNorm"/>). A non-finite norm (a NaN or infinite gradient, or squares that
/// overflow) leaves every parameter untouched and fails the step: one bad batch would otherwise turn all weights
/// into NaN. With <see cref="ClipNorm"/> set, gradients are rescaled by clip / (||g|| + 1e-6) when that factor is
/// below 1, as torch.nn.utils.clip_grad_norm_ does before <c>optimizer.step()</c>; the rescaling happens inside
/// the update, so the gradient tensors themselves are still left as they are.
/// </para>
/// </remarks>
/// <example><code>
/// var optimizer = Optimizer.Create("adamw", 1e-3);
/// optimizer.Step(model.Parameters);
/// </code></example>
public abstract class Optimizer
{
    private static readonly string[] ValidNames = ["sgd", "momentum", "nesterov", "adam", "adamw"];

    /// <summary>Added to the norm in the clipping factor, as PyTorch does, so that a zero gradient divides by 1e-6, not 0.</summary>
    private const double ClipEpsilon = 1e-6;

    private double _learningRate;
    private double? _clipNorm;

    /// <summary>Sets the initial learning rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not finite and positive.</exception>
    protected Optimizer(double learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>The step size lr. May be changed between steps (e.g. by a <see cref="LearningRateSchedule"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite and positive.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value > 0 && double.IsFinite(value)))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The learning rate must be finite and positive.");
            }

            _learningRate = value;
        }
    }

    /// <summary>
    /// The largest global L2 norm of the gradients that a step uses: a step whose norm n is larger uses every
    /// gradient times clip / (n + 1e-6) instead (torch.nn.utils.clip_grad_norm_ with max_norm = clip, norm_type 2),
    /// which keeps the direction and caps the length. Null (the default) never rescales. May be changed between steps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not null and not finite and positive.</exception>
    public double? ClipNorm
    {
        get => _clipNorm;
        set
        {
            if (value is { } v && !(v > 0 && double.IsFinite(v)))
            {
                throw new ArgumentOutOfRangeException(nameof(value), v, "The gradient clipping norm must be finite and positive (or null for no clipping).");
            }

            _clipNorm = value;
        }
    }

    /// <summary>
    /// The global L2 norm of all gradients seen by the last <see cref="Step"/> or <see cref="TryStep"/>, before
    /// clipping, computed in double; NaN before the first step. Infinite or NaN after a step refused for it.
    /// </summary>
    public double LastGradientNorm { get; private set; } = double.NaN;

    /// <summary>The number of completed <see cref="Step"/> calls (refused steps do not count).</summary>
    public int Steps { get; private set; }

    /// <summary>
    /// Updates every parameter in place from its <see cref="Parameter.Gradient"/>, clipped to <see cref="ClipNorm"/>
    /// when set.
    /// </summary>
    /// <exception cref="ArgumentNullException">The list or one of its parameters is null.</exception>
    /// <exception cref="NotFiniteNumberException">
    /// The global gradient norm is NaN or infinite (<see cref="NotFiniteNumberException.OffendingNumber"/>); no
    /// parameter was changed.
    /// </exception>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        if (!TryStep(parameters))
        {
            throw new NotFiniteNumberException(
                string.Create(CultureInfo.InvariantCulture, $"The gradient norm is {LastGradientNorm} ({FirstNonFinite(parameters)}); no parameter was updated. Lower the learning rate, set a clipping norm, or check the data for NaN or huge values."),
                LastGradientNorm);
        }
    }

    /// <summary>
    /// As <see cref="Step"/>, but returns false instead of throwing when the global gradient norm is not finite
    /// (no parameter changed, <see cref="Steps"/> not counted; <see cref="LastGradientNorm"/> holds the norm).
    /// </summary>
    /// <exception cref="ArgumentNullException">The list or one of its parameters is null.</exception>
    public bool TryStep(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        double sumOfSquares = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i] is null)
            {
                throw new ArgumentNullException(nameof(parameters), $"Parameter {i} of {parameters.Count} is null.");
            }

            sumOfSquares += SumOfSquares(parameters[i].Gradient.Span);
        }

        double norm = Math.Sqrt(sumOfSquares);
        LastGradientNorm = norm;
        if (!double.IsFinite(norm))
        {
            return false;
        }

        // As PyTorch: the factor is applied only when it shrinks (clamped to 1), and in the gradients' precision.
        double factor = _clipNorm is { } clip ? clip / (norm + ClipEpsilon) : 1;
        float scale = factor < 1 ? (float)factor : 1f;
        Steps++;
        for (int i = 0; i < parameters.Count; i++)
        {
            Update(parameters[i], scale);
        }

        return true;
    }

    /// <summary>
    /// The names of the buffers this optimizer keeps per parameter, as PyTorch's state_dict names them
    /// ("exp_avg", "exp_avg_sq" for Adam; "momentum_buffer" for SGD with momentum; none for plain SGD).
    /// </summary>
    internal virtual IReadOnlyList<string> StateBufferNames => [];

    /// <summary>
    /// The state kept for <paramref name="parameter"/>: its step count (Adam's t; 1 for SGD's momentum buffer) and
    /// its buffers (live arrays, in <see cref="StateBufferNames"/> order), or null before its first step.
    /// </summary>
    internal virtual (int Step, float[][] Buffers)? GetParameterState(Parameter parameter) => null;

    /// <summary>Sets the state of <paramref name="parameter"/> (checked by the caller: one buffer per name, each as long as the parameter).</summary>
    internal virtual void SetParameterState(Parameter parameter, int step, float[][] buffers)
    {
    }

    /// <summary>Sets <see cref="Steps"/> (a checkpoint restores it).</summary>
    internal void RestoreSteps(int steps) => Steps = steps;

    /// <summary>
    /// Applies one step of the rule to one parameter, using <paramref name="gradientScale"/> times its gradient
    /// (1 unless clipping; multiplying by 1 is exact, so an unclipped step is bit for bit the plain rule). Called by
    /// <see cref="Step"/> in list order.
    /// </summary>
    protected abstract void Update(Parameter parameter, float gradientScale);

    /// <summary>sum of x^2 in double: each float square is exact in double (24-bit significands), only the sum rounds.</summary>
    private static double SumOfSquares(ReadOnlySpan<float> x)
    {
        int i = 0;
        double sum = 0;
        // Vector<float> is the widest accelerated vector the runtime uses for it (AVX2: 8 lanes; SSE or NEON: 4).
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var low = Vector<double>.Zero;
            var high = Vector<double>.Zero;
            ref float r = ref MemoryMarshal.GetReference(x);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref r, (nuint)i), out var l, out var h);
                low += l * l;
                high += h * h;
            }

            sum = Vector.Sum(low + high);
        }

        for (; i < x.Length; i++)
        {
            double v = x[i];
            sum += v * v;
        }

        return sum;
    }

    /// <summary>Names the first parameter with a non-finite gradient (only on the failure path: it allocates).</summary>
    private static string FirstNonFinite(IReadOnlyList<Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(p.Gradient.Span))
            {
                return $"the gradient of '{p.Name}' holds NaN or infinite values";
            }
        }

        return "no single gradient holds NaN or infinity";
    }

    /// <summary>
    /// An optimizer with its default settings, by name (case-insensitive): "sgd" (plain), "momentum" (SGD with
    /// momentum 0.9), "nesterov" (SGD with Nesterov momentum 0.9), "adam", "adamw" (weight decay 0.01).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of those; the message lists the valid names.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is not finite and positive.</exception>
    public static Optimizer Create(string name, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "sgd" => new Sgd(learningRate),
            "momentum" => new Sgd(learningRate, momentum: 0.9),
            "nesterov" => new Sgd(learningRate, momentum: 0.9, nesterov: true),
            "adam" => new Adam(learningRate),
            "adamw" => new AdamW(learningRate),
            _ => throw new ArgumentException($"Unknown optimizer '{name}'. Valid names: {string.Join(", ", ValidNames)}.", nameof(name)),
        };
    }

    /// <summary>Throws unless 0 &lt;= <paramref name="value"/> &lt; 1 (momentum, Adam's betas).</summary>
    private protected static void CheckUnitInterval(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [0, 1).");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and non-negative (weight decay, epsilon).</summary>
    private protected static void CheckNonNegative(double value, string name)
    {
        if (!(value >= 0 && double.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and non-negative.");
        }
    }
}
