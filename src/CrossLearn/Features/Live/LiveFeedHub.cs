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
    private const int PageSize = 5_000;

    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();
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
        // Feed ids become visible in order (LiveFeed.InsertSql), so everything after the newest row read is new.
        IReadOnlyList<LiveNotification> rows;
        do
        {
            rows = await LiveFeed.ReadAfterAsync(database, _newest, null, everything: true, PageSize, ct);
            foreach (var row in rows)
            {
                _newest = row.Id;
                foreach (var subscriber in _subscribers.Values.Where(s => s.MaySee(row)))
                    subscriber.Notifications.Writer.TryWrite(row);
            }
        } while (rows.Count == PageSize);
    }
}
