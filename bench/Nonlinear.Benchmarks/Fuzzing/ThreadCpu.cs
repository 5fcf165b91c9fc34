using System.Globalization;

namespace Nonlinear.Fuzzing;

/// <summary>
/// The CPU time the calling thread has used, from /proc/thread-self/stat on Linux (user + system time, in clock
/// ticks of 1/100 s); null elsewhere. A case's time limit is judged on it because the wall clock of a shared machine
/// also counts the time other processes held the cores.
/// </summary>
internal static class ThreadCpu
{
    private const double TicksPerSecond = 100;

    public static double? Seconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            string stat = File.ReadAllText("/proc/thread-self/stat");

            // Fields after the command name in parentheses: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
