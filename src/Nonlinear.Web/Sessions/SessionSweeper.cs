namespace Nonlinear.Web.Sessions;

/// <summary>Closes idle and expired sessions every few seconds.</summary>
internal sealed class SessionSweeper(SessionRegistry registry) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(registry.Limits.SessionIdleTimeout.TotalSeconds / 4, 0.25, 10)));
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
