using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;

namespace CrossLearn.Features.Live;

/// <summary>
/// This node's end of the live feed: LISTENs for new rows (and polls each second in case a NOTIFY was missed),
/// reads them once, and hands each to the streams that may see it.
/// </summary>
public sealed class LiveFeedHub(NpgsqlDataSource database, ILogger<LiveFeedHub> logger) : BackgroundService
{
    /// <summary>Rows may commit out of id order; re-reading a short window behind the newest catches late ones.</summary>
    private const int LateWindow = 500;

    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();
    private readonly HashSet<long> _delivered = [];
    private readonly Queue<long> _deliveredOrder = new();
    private long _newest;

    public sealed class Subscriber(string userId, bool everything)
    {
        public Channel<LiveNotification> Notifications { get; } = Channel.CreateBounded<LiveNotification>(
            new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        public bool MaySee(LiveNotification n) => everything || n.UserId == null || n.UserId == userId;
    }

    public (Guid Id, Subscriber Subscriber) Subscribe(string userId, bool everything)
    {
        var id = Guid.NewGuid();
        var subscriber = new Subscriber(userId, everything);
        _subscribers[id] = subscriber;
        return (id, subscriber);
    }

    public void Unsubscribe(Guid id) => _subscribers.TryRemove(id, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {LiveFeed.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                if (_newest == 0) _newest = await LiveFeed.NewestIdAsync(database, stoppingToken);
                var lastPrune = DateTime.UtcNow;

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                    await DispatchNewAsync(stoppingToken);
                    if (DateTime.UtcNow - lastPrune > TimeSpan.FromMinutes(5))
                    {
                        await LiveFeed.PruneAsync(database, stoppingToken);
                        lastPrune = DateTime.UtcNow;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Live feed listener lost its connection; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task DispatchNewAsync(CancellationToken ct)
    {
        var rows = await LiveFeed.ReadAfterAsync(database, Math.Max(0, _newest - LateWindow), null, everything: true, 5_000, ct);
        foreach (var row in rows)
        {
            if (!_delivered.Add(row.Id)) continue;
            _deliveredOrder.Enqueue(row.Id);
            if (_deliveredOrder.Count > 4 * LateWindow) _delivered.Remove(_deliveredOrder.Dequeue());
            _newest = Math.Max(_newest, row.Id);
            foreach (var subscriber in _subscribers.Values.Where(s => s.MaySee(row)))
                subscriber.Notifications.Writer.TryWrite(row);
        }
    }
}
