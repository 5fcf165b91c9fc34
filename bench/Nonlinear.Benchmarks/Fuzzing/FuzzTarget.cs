namespace Nonlinear.Fuzzing;

/// <summary>
/// A reader under fuzzing: valid files to start from, the format-aware mutations (forged lengths, counts and
/// shapes) added to the generic byte mutations, the call that reads one input, and the exception types that count
/// as a clear error.
/// </summary>
/// <param name="Name">The name used on the command line and in reports ("model", "idx", "png", ...).</param>
/// <param name="Seeds">Valid files (each is read successfully by <paramref name="Read"/>).</param>
/// <param name="Mutations">Format-aware mutations; the generic ones of <see cref="ByteMutations"/> are always added.</param>
/// <param name="Read">Reads the bytes; returns null for a valid result, or what is wrong with the result it got.</param>
/// <param name="Accepted">The exception types that count as a clear error (exact types, not base types).</param>
internal sealed record FuzzTarget(
    string Name,
    IReadOnlyList<byte[]> Seeds,
    IReadOnlyList<Mutation> Mutations,
    Func<byte[], string?> Read,
    IReadOnlyList<Type> Accepted);
