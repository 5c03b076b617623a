using System.Collections.Concurrent;
using System.Threading.Channels;
using CrossLearn.Platform.Sharding;
using Npgsql;

namespace CrossLearn.Features.Live;

/// <summary>
/// This node's end of the live feed: LISTENs for new rows in every shard database's feed (and polls each second in case
/// a NOTIFY was missed), reads them once, and hands each to the streams that may see it.
/// </summary>
public sealed class LiveFeedHub(ShardDataSources pools, ILogger<LiveFeedHub> logger) : BackgroundService
{
    private const int PageSize = 5_000;

    private readonly ConcurrentDictionary<Guid, Subscriber> _subscribers = new();
    /// <summary>Per database (pool order): the newest row read.</summary>
    private readonly long[] _newest = new long[pools.Map.Databases.Count];

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

    /// <summary>Each database's newest feed row now: where a stream without Last-Event-ID starts.</summary>
    public async Task<FeedPosition> NewestAsync(CancellationToken ct)
    {
        var ids = new List<long>();
        foreach (var database in pools.Map.Databases) ids.Add(await LiveFeed.NewestIdAsync(pools.Of(database), ct));
        return new FeedPosition(ids);
    }

    /// <summary>What <paramref name="from"/> has not seen in any database's feed, for one user (and the global rows) or all.</summary>
    public async Task<IReadOnlyList<LiveNotification>> MissedAsync(FeedPosition from, string userId, bool everything, int limitPerDatabase, CancellationToken ct)
    {
        var missed = new List<LiveNotification>();
        for (var i = 0; i < pools.Map.Databases.Count; i++)
            missed.AddRange(await LiveFeed.ReadAfterAsync(pools.Of(pools.Map.Databases[i]), i, from[i], userId, everything, limitPerDatabase, ct));
        return missed;
    }

    // One listener per database: one database's outage leaves the others' feeds flowing.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(pools.Map.Databases.Select((database, i) => ListenAsync(i, database.Name, pools.Of(database), stoppingToken)));

    private async Task ListenAsync(int index, string name, NpgsqlDataSource database, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {LiveFeed.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                if (_newest[index] == 0) _newest[index] = await LiveFeed.NewestIdAsync(database, stoppingToken);
                var lastPrune = DateTime.UtcNow;

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                    await DispatchNewAsync(index, database, stoppingToken);
                    if (DateTime.UtcNow - lastPrune > TimeSpan.FromMinutes(5))
                    {
                        await LiveFeed.PruneAsync(database, stoppingToken);
                        lastPrune = DateTime.UtcNow;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Live feed listener of database {Database} lost its connection; reconnecting", name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task DispatchNewAsync(int index, NpgsqlDataSource database, CancellationToken ct)
    {
        // Feed ids become visible in order (LiveFeed.InsertSql), so everything after the newest row read is new.
        IReadOnlyList<LiveNotification> rows;
        do
        {
            rows = await LiveFeed.ReadAfterAsync(database, index, _newest[index], null, everything: true, PageSize, ct);
            foreach (var row in rows)
            {
                _newest[index] = row.Id;
                foreach (var subscriber in _subscribers.Values.Where(s => s.MaySee(row)))
                    subscriber.Notifications.Writer.TryWrite(row);
            }
        } while (rows.Count == PageSize);
    }
}
