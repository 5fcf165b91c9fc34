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
/// </remarks>
/// <example><code>
/// var optimizer = Optimizer.Create("adamw", 1e-3);
/// optimizer.Step(model.Parameters);
/// </code></example>
public abstract class Optimizer
{
    private static readonly string[] ValidNames = ["sgd", "momentum", "nesterov", "adam", "adamw"];

    private double _learningRate;

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

    /// <summary>The number of completed <see cref="Step"/> calls.</summary>
    public int Steps { get; private set; }

    /// <summary>Updates every parameter in place from its <see cref="Parameter.Gradient"/>.</summary>
    /// <exception cref="ArgumentNullException">The list or one of its parameters is null.</exception>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i] is null)
            {
                throw new ArgumentNullException(nameof(parameters), $"Parameter {i} of {parameters.Count} is null.");
            }
        }

        Steps++;
        for (int i = 0; i < parameters.Count; i++)
        {
            Update(parameters[i]);
        }
    }

    /// <summary>Applies one step of the rule to one parameter (called by <see cref="Step"/>, in list order).</summary>
    protected abstract void Update(Parameter parameter);

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
