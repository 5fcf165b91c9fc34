using System.Globalization;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// Bounds the CPU that checking training exercises takes, server-wide: at most <see cref="Concurrent"/> trainings at
/// once, each on a thread of its own (not the request's, not the thread pool's) and stopped at
/// <see cref="TimeLimit"/>. A check that cannot start within <see cref="Wait"/> is refused with 429, so a class
/// pressing "check" together gets a clear "try again" rather than a request that hangs.
/// </summary>
internal sealed class TrainingCheckGate
{
    private readonly SemaphoreSlim _slots;

    /// <summary>A gate for <paramref name="concurrent"/> trainings at once.</summary>
    public TrainingCheckGate(int concurrent, TimeSpan wait, TimeSpan timeLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrent, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeLimit, TimeSpan.Zero);
        Concurrent = concurrent;
        Wait = wait;
        TimeLimit = timeLimit;
        _slots = new SemaphoreSlim(concurrent, concurrent);
    }

    /// <summary>Trainings that may run at once.</summary>
    public int Concurrent { get; }

    /// <summary>How long a check waits for a free slot before it is refused.</summary>
    public TimeSpan Wait { get; }

    /// <summary>The longest one training may run; the training sees its token cancelled then.</summary>
    public TimeSpan TimeLimit { get; }

    /// <summary>
    /// The gate for this machine: one training at a time on up to three cores, two on more (the rest stay with
    /// requests and playground sessions); a 5 s wait; 30 s per training (a check takes well under 2 s on an idle core,
    /// so only a badly overloaded server comes near it).
    /// </summary>
    public static TrainingCheckGate ForThisMachine() =>
        new(Environment.ProcessorCount >= 4 ? 2 : 1, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));

    /// <summary>
    /// Runs <paramref name="train"/> on a thread of its own once a slot is free. Its token is cancelled at
    /// <see cref="TimeLimit"/> or when <paramref name="cancellation"/> (the request) is; the training returns what it has
    /// by then, and the caller tells the two apart by <paramref name="cancellation"/>.
    /// </summary>
    /// <exception cref="WebRequestException">429: every slot stayed busy for <see cref="Wait"/>.</exception>
    /// <exception cref="OperationCanceledException">The request was cancelled.</exception>
    public async Task<T> RunAsync<T>(Func<CancellationToken, T> train, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (!await _slots.WaitAsync(Wait, cancellation).ConfigureAwait(false))
        {
            string seconds = Wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            throw new WebRequestException(StatusCodes.Status429TooManyRequests,
                $"The server is re-training other answers right now (at most {Concurrent} at a time) and none finished within {seconds} s. Submit again in a few seconds; this try was not counted.");
        }

        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            if (TimeLimit < TimeSpan.FromMilliseconds(1))
            {
                // The timer would round this to 0 ms and still fire later, on a pool thread: with the pool busy the
                // whole training could finish first. A limit below a millisecond is spent before training starts.
                await limit.CancelAsync().ConfigureAwait(false);
            }
            else
            {
                limit.CancelAfter(TimeLimit);
            }
            var token = limit.Token;
            var result = await Task.Factory.StartNew(() => train(token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            cancellation.ThrowIfCancellationRequested();
            return result;
        }
        finally
        {
            _slots.Release();
        }
    }
}
