namespace Nonlinear.Web.Sessions;

/// <summary>Closes idle and expired sessions every few seconds.</summary>
internal sealed class SessionSweeper(SessionRegistry registry) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A quarter of the shorter limit, so a session ends at most a quarter late (and within 10 s).
        var shorter = TimeSpan.FromTicks(Math.Min(registry.Limits.SessionIdleTimeout.Ticks, registry.Limits.SessionLifetime.Ticks));
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(shorter.TotalSeconds / 4, 0.25, 10)));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                registry.Sweep();
            }
        }
        catch (OperationCanceledException)
        {
        }

        registry.Dispose();
    }
}
