namespace Nonlinear.Fuzzing;

/// <summary>
/// Every fuzzed reader, by name. To fuzz a new reader, add a class like <see cref="CsvTarget"/> (valid seed files,
/// format-aware mutations, the read call, the accepted exception types) and one line here; the unit-test slice and
/// the benchmark's fuzz mode both pick it up.
/// </summary>
internal static class FuzzTargets
{
    private static readonly (string Name, Func<FuzzTarget> Create)[] Factories =
    [
        ("model", ModelFileTarget.Create),
        ("checkpoint", CheckpointTarget.Create),
        ("onnx", OnnxTarget.Create),
        ("idx", IdxTarget.CreateRaw),
        ("idx-gz", IdxTarget.CreateGzip),
        ("idx-stream", IdxTarget.CreateStream),
        ("csv", CsvTarget.Create),
        ("png", PngTarget.Create),
    ];

    /// <summary>The names of all targets, in report order.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Select(f => f.Name)];

    /// <summary>Builds the target (its seed files are generated in memory, no files are read).</summary>
    public static FuzzTarget Create(string name)
        => Factories.FirstOrDefault(f => f.Name == name).Create?.Invoke()
            ?? throw new ArgumentException($"unknown reader '{name}'; the readers are {string.Join(", ", Names)}");
}
