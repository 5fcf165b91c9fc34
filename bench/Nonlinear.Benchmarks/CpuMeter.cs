using System.Globalization;

namespace Nonlinear.Benchmarks;

/// <summary>
/// How much CPU other processes used while we measured: busy time of the whole machine (/proc/stat) minus our
/// own and our waited-for children's (the PyTorch peer) CPU time (/proc/self/stat). A noisy neighbour shows up
/// here; anything above a few percent of one core makes the tables suspect.
/// </summary>
internal static class CpuMeter
{
    private static readonly double Hz = 100; // USER_HZ on Linux

    public sealed record Sample(double MachineBusy, double Ours, DateTime When);

    public static Sample? Read()
    {
        try
        {
            var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // user nice system idle iowait irq softirq steal
            double busy = new[] { 1, 2, 3, 6, 7 }.Sum(i => double.Parse(cpu[i], CultureInfo.InvariantCulture)) / Hz;
            var self = File.ReadAllText("/proc/self/stat");
            var fields = self[(self.LastIndexOf(')') + 2)..].Split(' ');
            // after "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
            double ours = new[] { 11, 12, 13, 14 }.Sum(i => double.Parse(fields[i], CultureInfo.InvariantCulture)) / Hz;
            return new Sample(busy, ours, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>User + system CPU seconds of process <paramref name="pid"/> so far (children not counted), or NaN without /proc.</summary>
    public static double ProcessSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / Hz;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return double.NaN;
        }
    }

    /// <summary>Resident memory of process <paramref name="pid"/> in MiB (VmRSS), or NaN without /proc.</summary>
    public static double ResidentMegabytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException or InvalidOperationException)
        {
            return double.NaN;
        }
    }

    public static string OthersSince(Sample? start)
    {
        var end = Read();
        if (start is null || end is null)
        {
            return "unknown (no /proc)";
        }

        double others = Math.Max(0, (end.MachineBusy - start.MachineBusy) - (end.Ours - start.Ours));
        double wall = (end.When - start.When).TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture, $"{others:F1} CPU-seconds in {wall:F0} s ({100 * others / wall:F1}% of one core){(others / wall > 0.05 ? " — noisy: re-run on a quiet machine" : "")}");
    }
}
