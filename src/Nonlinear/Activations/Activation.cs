using Nonlinear.Tensors;

namespace Nonlinear.Activations;

/// <summary>
/// An activation function: forward over spans (in place or not), backward (dL/dx from dL/dy), and what it is
/// (<see cref="Info"/>). Elementwise activations derive from <see cref="ElementwiseActivation"/>, row-wise ones
/// (softmax, log-softmax) from <see cref="RowwiseActivation"/>. Find one by name with
/// <see cref="ActivationRegistry.Parse"/>.
/// </summary>
/// <remarks>
/// Shapes: x, y, dy and dx have the same length. Row-wise activations treat the data as rows of
/// <c>rowLength</c> elements (batch-first [N, K]: rowLength = K); elementwise ones ignore rows.
/// In place: x and y may be the same span (and dy and dx), but must not partly overlap.
/// </remarks>
public abstract class Activation
{
    private readonly double[] _arguments;

    /// <summary>Creates an activation with one value per parameter of <paramref name="descriptor"/>.</summary>
    protected Activation(ActivationDescriptor descriptor, params double[] arguments)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (arguments.Length != descriptor.Parameters.Count)
        {
            throw new ArgumentException($"{descriptor.Name} takes {descriptor.Parameters.Count} parameters; {arguments.Length} given.", nameof(arguments));
        }

        descriptor.Check(arguments);
        Descriptor = descriptor;
        _arguments = arguments;
    }

    /// <summary>The catalog entry this activation comes from.</summary>
    public ActivationDescriptor Descriptor { get; }

    /// <summary>Canonical name, e.g. "leaky_relu".</summary>
    public string Name => Descriptor.Name;

    /// <summary>Parameter values by name (a choice parameter's value is the index of its word).</summary>
    public IReadOnlyDictionary<string, double> Parameters
        => Descriptor.Parameters.Select((p, i) => (p.Name, Value: _arguments[i])).ToDictionary(t => t.Name, t => t.Value);

    /// <summary>
    /// The canonical spec that <see cref="ActivationRegistry.Parse"/> turns back into this activation: the name,
    /// then any parameter that is not at its default ("leaky_relu:0.1", "gelu:tanh", "softplus:beta=2").
    /// </summary>
    public string Spec
    {
        get
        {
            var ps = Descriptor.Parameters;
            var changed = Enumerable.Range(0, ps.Count).Where(i => _arguments[i] != ps[i].Default).ToList();
            if (changed.Count == 0)
            {
                return Name;
            }

            return ps.Count == 1
                ? $"{Name}:{ps[0].FormatValue(_arguments[0])}"
                : Name + string.Concat(changed.Select(i => $":{ps[i].Name}={ps[i].FormatValue(_arguments[i])}"));
        }
    }

    /// <summary>Formula, ranges, derivative, uses and limitations.</summary>
    public abstract ActivationInfo Info { get; }

    /// <summary>True for activations that couple the elements of a row (softmax, log-softmax).</summary>
    public abstract bool IsRowWise { get; }

    /// <summary>Which saved tensor <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, int)"/> reads.</summary>
    public abstract BackwardSource BackwardSource { get; }

    /// <summary>y = f(x); a row-wise activation treats the whole span as one row.</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y, Math.Max(1, x.Length));

    /// <summary>y = f(x) over rows of <paramref name="rowLength"/> elements.</summary>
    /// <exception cref="ArgumentException">Lengths differ, or are not a multiple of <paramref name="rowLength"/>.</exception>
    public abstract void Forward(ReadOnlySpan<float> x, Span<float> y, int rowLength);

    /// <summary>values = f(values), over rows of <paramref name="rowLength"/> elements.</summary>
    public void ForwardInPlace(Span<float> values, int rowLength) => Forward(values, values, rowLength);

    /// <summary>values = f(values); a row-wise activation treats the whole span as one row.</summary>
    public void ForwardInPlace(Span<float> values) => Forward(values, values, Math.Max(1, values.Length));

    /// <summary>
    /// dx = dL/dx given dy = dL/dy. Reads x or y as <see cref="BackwardSource"/> says; the other may be empty.
    /// </summary>
    /// <exception cref="ArgumentException">A needed span is missing or lengths differ.</exception>
    public abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int rowLength);

    /// <summary>Backward with the whole span as one row.</summary>
    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        => Backward(x, y, dy, dx, Math.Max(1, dy.Length));

    /// <summary>y = f(x) for tensors of the same shape; rows are the last dimension.</summary>
    public void Forward(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckShapes(x, y, nameof(y));
        Forward(x.Span, y.Span, RowLength(x));
    }

    /// <summary>dx from dy and the saved x or y (see <see cref="BackwardSource"/>); rows are the last dimension.</summary>
    public void Backward(Tensor? x, Tensor? y, Tensor dy, Tensor dx)
    {
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(dx);
        CheckShapes(dy, dx, nameof(dx));
        Backward(x is null ? default : x.Span, y is null ? default : y.Span, dy.Span, dx.Span, RowLength(dy));
    }

    /// <summary>The canonical spec.</summary>
    public override string ToString() => Spec;

    /// <summary>Argument <paramref name="index"/> as given at construction.</summary>
    protected double Argument(int index) => _arguments[index];

    /// <summary>Checks that the spans have equal lengths, a whole number of rows, and a valid row length.</summary>
    protected static void CheckLengths(int xLength, int yLength, int rowLength, string xName = "x", string yName = "y")
    {
        if (xLength != yLength)
        {
            throw new ArgumentException($"{xName} has {xLength} elements but {yName} has {yLength}; they must match.");
        }

        if (rowLength <= 0 || xLength % rowLength != 0)
        {
            throw new ArgumentException($"Row length {rowLength} does not divide the {xLength} elements into whole rows.", nameof(rowLength));
        }
    }

    private static int RowLength(Tensor t) => t.Rank == 0 || t.Shape[-1] == 0 ? 1 : t.Shape[-1];

    private static void CheckShapes(Tensor a, Tensor b, string name)
    {
        if (a.Shape != b.Shape)
        {
            throw new ArgumentException($"Shapes differ: {a.Shape} and {b.Shape}.", name);
        }
    }
}
