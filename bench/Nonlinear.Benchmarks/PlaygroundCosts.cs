using System.Diagnostics;
using System.Globalization;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Nonlinear.Web;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Sessions;

namespace Nonlinear.Benchmarks;

/// <summary>
/// What a playground session's work costs in CPU time, piece by piece: one epoch, one whole frame, and the part of a
/// frame that is the engine's forward pass over the 100×100 grid. Measured in this process on one thread, on a
/// session whose loop never runs (so nothing else touches its model), as the thread's own CPU time
/// (/proc/thread-self/stat): other processes on a busy machine stretch the wall clock far more than this.
/// </summary>
internal static class PlaygroundCosts
{
    public sealed record Piece(string Name, double Milliseconds, int Count);

    public static IReadOnlyList<Piece> Measure(PlaygroundConfig config, double cpuSeconds)
    {
        var limits = new PlaygroundLimits();
        config = PlaygroundConfigValidator.Validate(config, limits);
        var session = new PlaygroundSession(limits);
        session.Configure(config, []);
        var writer = new FrameWriter();
        long number = 0;
        void Frame()
        {
            writer.Begin();
            session.WriteFrame(writer, ++number, 0);
            writer.Finish(number).Release();
        }

        // The grid as the session evaluates it: 10,000 points of (x, y) through the same spec, one forward pass.
        var grid = Sequential.Parse(PlaygroundSession.SpecOf(config));
        grid.Build(new TensorShape(config.Features.Count), seed: 1);
        var points = new Tensor(PlaygroundSession.GridSize * PlaygroundSession.GridSize, config.Features.Count);
        for (int i = 0; i < points.BatchSize; i++)
        {
            points.Span[2 * i] = (float)PlaygroundSession.GridCoordinate(i % PlaygroundSession.GridSize);
            points.Span[(2 * i) + 1] = (float)-PlaygroundSession.GridCoordinate(i / PlaygroundSession.GridSize);
        }

        void Forward() => grid.Forward(points, training: false);

        // Warm-up: enough calls for the tiered JIT to settle on optimised code.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(1))
        {
            session.TrainEpoch();
            Frame();
            Forward();
        }

        return
        [
            Time($"one epoch ({config.BatchSize}-point batches, the session's diagnostics on)", session.TrainEpoch, cpuSeconds),
            Time("one frame, all of it (evaluation, grid, thumbnails, header)", Frame, cpuSeconds),
            Time("of which the engine's forward pass over the 100×100 grid", Forward, cpuSeconds),
        ];
    }

    private static Piece Time(string name, Action piece, double cpuSeconds)
    {
        double start = ThreadCpuSeconds();
        var wall = Stopwatch.StartNew();
        int count = 0;
        double used;
        do
        {
            for (int i = 0; i < 20; i++)
            {
                piece();
            }

            count += 20;
            used = ThreadCpuSeconds() - start;
        }
        while (used < cpuSeconds && wall.Elapsed < TimeSpan.FromSeconds(20 * cpuSeconds));

        return new Piece(name, 1000 * used / count, count);
    }

    /// <summary>This thread's user + system CPU time (clock ticks of 10 ms: hence a second or more per measurement).</summary>
    private static double ThreadCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100;
    }
}
