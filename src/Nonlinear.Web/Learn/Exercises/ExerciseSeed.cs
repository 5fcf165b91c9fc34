using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// The seed of one learner's variant of one exercise: the first 8 bytes of SHA-256("learner\nexercise\nvariant").
/// Stable across runs, machines and .NET versions (string.GetHashCode is randomised per process), so a reload, a
/// restart or an imported profile on another machine shows the same numbers.
/// </summary>
internal static class ExerciseSeed
{
    /// <summary>The seed for <paramref name="learnerId"/>'s <paramref name="variant"/> of <paramref name="exerciseId"/>.</summary>
    public static ulong For(long learnerId, string exerciseId, int variant)
    {
        ArgumentNullException.ThrowIfNull(exerciseId);
        string key = string.Create(CultureInfo.InvariantCulture, $"{learnerId}\n{exerciseId}\n{variant}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return BinaryPrimitives.ReadUInt64LittleEndian(hash);
    }
}
