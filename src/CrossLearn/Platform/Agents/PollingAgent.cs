using Wolverine.Runtime.Agents;

namespace CrossLearn.Platform.Agents;

/// <summary>
/// A Wolverine singular agent that does one thing every <see cref="Period"/>: one instance in the cluster, placed by
/// Wolverine's leader and moved when its node dies, as the async projections are. A tick that fails (the database
/// restarting) is logged and the next one tries again; stopping waits for the tick under way.
/// </summary>
public abstract class PollingAgent(string scheme, ILogger logger, TimeProvider? clock = null) : SingularAgent(scheme)
{
    private CancellationTokenSource? _stopping;
    private Task? _polling;

    protected abstract TimeSpan Period { get; }

    /// <summary>False: the agent holds its place in the cluster but does nothing (switched off by configuration).</summary>
    protected virtual bool Enabled => true;

    protected abstract Task TickAsync(CancellationToken ct);

    protected override Task startAsync(CancellationToken cancellationToken)
    {
        if (!Enabled) return Task.CompletedTask;
        _stopping = new CancellationTokenSource();
        // The timer starts now, not when the loop gets a thread: the first tick is one period after the start.
        var timer = new PeriodicTimer(Period, clock ?? TimeProvider.System);
        _polling = Task.Run(() => PollAsync(timer, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    protected override async Task stopAsync(CancellationToken cancellationToken)
    {
        if (_stopping == null || _polling == null) return;
        await _stopping.CancelAsync();
        await _polling.WaitAsync(cancellationToken);
        _stopping.Dispose();
        (_stopping, _polling) = (null, null);
    }

    private async Task PollAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        using var _ = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "{Agent} failed; the next tick tries again", GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
