namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// The exercise kinds this build has: every <see cref="IExerciseKind"/> registered in the services (this folder's
/// numeric and concept kinds, and the training kinds where they are built), found by the name course.json uses.
/// </summary>
internal sealed class ExerciseKinds
{
    private readonly Dictionary<string, IExerciseKind> _kinds;

    /// <summary>The registry of <paramref name="kinds"/>.</summary>
    /// <exception cref="InvalidOperationException">Two kinds share a name.</exception>
    public ExerciseKinds(IEnumerable<IExerciseKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        _kinds = new Dictionary<string, IExerciseKind>(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            if (!_kinds.TryAdd(kind.Kind, kind))
            {
                throw new InvalidOperationException($"Two exercise kinds are registered as '{kind.Kind}'.");
            }
        }
    }

    /// <summary>The kinds answered by hand, built here (the training kinds register themselves next to these).</summary>
    public static IReadOnlyList<IExerciseKind> ByHand { get; } =
    [
        new ForwardKind(),
        new DerivativeKind(),
        new CollapseKind(),
        new SoftmaxLargeKind(),
        new GradientProductKind(),
        new BackpropKind(),
        new ConceptKind(),
    ];

    /// <summary>The names of the registered kinds.</summary>
    public IReadOnlyCollection<string> Names => _kinds.Keys;

    /// <summary>Whether <paramref name="kind"/> is available in this build.</summary>
    public bool Has(string kind) => _kinds.ContainsKey(kind);

    /// <summary>The kind that makes and checks <paramref name="definition"/>.</summary>
    /// <exception cref="WebRequestException">404: the kind is not part of this build (the page shows the message).</exception>
    public IExerciseKind For(ExerciseDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return _kinds.TryGetValue(definition.Kind, out var kind)
            ? kind
            : throw WebRequestException.NotFound($"The exercise '{definition.Id}' is a '{definition.Kind}' exercise, which is not available in this build.");
    }
}
