using System.Collections.Concurrent;

namespace Nonlinear.Web.Sessions;

/// <summary>
/// Runs the sessions' loops on threads of their own, one per core, instead of the thread pool. On the pool, every
/// loop's training turn sat in the same first-in-first-out queue as the requests, the frame sends and the pages'
/// acknowledgements: with 20 sessions on 2 busy cores a health request took 175 ms at the median and a frame 130-150
/// ms from its weights to the page (playground-load, docs/benchmarks.md). Here the pool keeps only short I/O work and
/// the OS shares the cores between it and these threads (same run: 5-6 ms per frame, health p99 68 ms at speed 1).
/// </summary>
internal sealed class TrainingScheduler : TaskScheduler
{
    private readonly BlockingCollection<Task> _queue = [];

    private TrainingScheduler(int threads)
    {
        for (int i = 0; i < threads; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"session loops {i + 1}" }.Start();
        }
    }

    /// <summary>The process's scheduler for session loops: one thread per logical core.</summary>
    public static TrainingScheduler Shared { get; } = new(Environment.ProcessorCount);

    public override int MaximumConcurrencyLevel => Environment.ProcessorCount;

    protected override void QueueTask(Task task) => _queue.Add(task);

    // Never inline: a loop's continuation must not run on a pool thread that happened to complete its wait.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => [.. _queue];

    private void Work()
    {
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
