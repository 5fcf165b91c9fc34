using System.Security.Cryptography;
using System.Text;

namespace Nonlinear.Web.Classroom;

/// <summary>
/// The classroom's two codes: the join code learners type once (short, from an alphabet without look-alikes) and the
/// instructor's code (longer). Made at random when the options give none; compared in constant time, ignoring case,
/// spaces and dashes.
/// </summary>
internal sealed class ClassroomCodes
{
    /// <summary>The fewest characters a code given in the options may have (spaces and dashes not counted).</summary>
    public const int MinLength = 4;

    /// <summary>The most characters a code may have.</summary>
    public const int MaxLength = 64;

    // No 0/O, 1/I/L look-alikes: a code read off a projector is typed right the first time.
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    private readonly byte[] _join;
    private readonly byte[] _instructor;

    private ClassroomCodes(string join, string instructor)
    {
        _join = Digest(join);
        _instructor = Digest(instructor);
    }

    /// <summary>
    /// The codes of <paramref name="options"/>, making the missing ones at random and writing them back to the options
    /// (the CLI prints them from there); null when the server is not a classroom.
    /// </summary>
    public static ClassroomCodes? From(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Classroom)
        {
            return null;
        }

        options.JoinCode ??= Random(6);

        // 12 characters (about 59 bits), shown in groups of four so it can be read out.
        options.InstructorCode ??= $"{Random(4)}-{Random(4)}-{Random(4)}";
        return new ClassroomCodes(options.JoinCode, options.InstructorCode);
    }

    /// <summary>Whether <paramref name="code"/> is the join code.</summary>
    public bool IsJoinCode(string? code) => Matches(_join, code);

    /// <summary>Whether <paramref name="code"/> is the instructor code.</summary>
    public bool IsInstructorCode(string? code) => Matches(_instructor, code);

    /// <summary>A code as compared: upper case, without spaces and dashes.</summary>
    public static string Normalize(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var clean = new StringBuilder(code.Length);
        foreach (char c in code)
        {
            if (!char.IsWhiteSpace(c) && c != '-')
            {
                clean.Append(char.ToUpperInvariant(c));
            }
        }

        return clean.ToString();
    }

    /// <summary><paramref name="length"/> characters from the unambiguous alphabet, from the system's secure generator.</summary>
    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    private static bool Matches(byte[] expected, string? code) =>
        code is not null && code.Length <= 4 * MaxLength && CryptographicOperations.FixedTimeEquals(expected, Digest(code));

    // Comparing digests of equal length keeps the comparison's time independent of the code's length and content.
    private static byte[] Digest(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(code)));
}
