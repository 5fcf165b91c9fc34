namespace Nonlinear.Fuzzing;

/// <summary>
/// One way to damage a file: takes the random source, the input and a second valid file of the same format (for
/// splices) and returns the damaged bytes. Mutations never modify their input array.
/// </summary>
internal sealed record Mutation(string Name, Func<Random, byte[], byte[], byte[]> Apply);
