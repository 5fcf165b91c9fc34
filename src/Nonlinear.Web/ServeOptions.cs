using System.Net;
using Nonlinear.Web.Classroom;

namespace Nonlinear.Web;

/// <summary>Where the server listens and what it allows; bound from the configuration section "Nonlinear".</summary>
public sealed class ServeOptions
{
    /// <summary>
    /// The address to bind: the loopback address unless told otherwise; another address (0.0.0.0 for every interface)
    /// only in <see cref="Classroom"/> mode, where nobody gets in without a code.
    /// </summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The TCP port (0: any free port).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>
    /// The directory of the Fashion-MNIST images for the Images tab (setting "Nonlinear:Data"); null: the
    /// repository's data/fashion-mnist-subset, found by walking up from the current directory and from the app's.
    /// </summary>
    public string? Data { get; set; }

    /// <summary>
    /// The Learn database file (setting "Nonlinear:Db", flag --db); null: learn.db in the user's data directory.
    /// </summary>
    public string? Db { get; set; }

    /// <summary>
    /// Classroom mode (--classroom): learners join with a join code, an instructor signs in with an instructor code,
    /// and only then may the host be a non-loopback address.
    /// </summary>
    public bool Classroom { get; set; }

    /// <summary>
    /// The classroom's join code; null: a random one is made when the server is built (and kept here, so the CLI can
    /// print it). Codes compare ignoring case, spaces and dashes.
    /// </summary>
    public string? JoinCode { get; set; }

    /// <summary>The classroom's instructor code; null: a random one is made when the server is built (and kept here).</summary>
    public string? InstructorCode { get; set; }

    /// <summary>Caps on sessions, networks, data and uploads.</summary>
    public PlaygroundLimits Limits { get; set; } = new();

    /// <summary>Whether <paramref name="host"/> names the loopback interface (127.0.0.0/8, ::1 or "localhost").</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        string h = host.Trim().Trim('[', ']');
        return h.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>Throws <see cref="ArgumentException"/> with a readable message when a setting is unusable.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("--host is empty; use 127.0.0.1 (the default).");
        }

        if (!IsLoopback(Host))
        {
            if (!Classroom)
            {
                throw new ArgumentException(
                    $"--host {Host} is not a loopback address. Other machines may reach the server only in classroom mode, where nobody gets in without the join code: add --classroom. Without it the server binds only 127.0.0.1, ::1 or localhost.");
            }

            if (!IPAddress.TryParse(Host.Trim().Trim('[', ']'), out _))
            {
                throw new ArgumentException(
                    $"--host {Host} is not an IP address: in classroom mode give 0.0.0.0 (every interface), :: or one of this machine's addresses.");
            }
        }

        if (Classroom)
        {
            CheckCode(JoinCode, "join");
            CheckCode(InstructorCode, "instructor");
            if (JoinCode is not null && InstructorCode is not null && ClassroomCodes.Normalize(JoinCode) == ClassroomCodes.Normalize(InstructorCode))
            {
                throw new ArgumentException("The join code and the instructor code are the same: a learner could sign in as the instructor. Give two different codes.");
            }
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"--port {Port} is out of range: expected 0-65535 (0 picks a free port).");
        }

        Limits.Validate();
    }

    private static void CheckCode(string? code, string which)
    {
        if (code is null)
        {
            return;
        }

        int length = ClassroomCodes.Normalize(code).Length;
        if (length is < ClassroomCodes.MinLength or > ClassroomCodes.MaxLength)
        {
            throw new ArgumentException(
                $"The {which} code has {length} characters (not counting spaces and dashes); expected {ClassroomCodes.MinLength}-{ClassroomCodes.MaxLength}, or none to have one made at random.");
        }
    }
}
