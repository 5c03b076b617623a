using CrossLearn.Features.Learning;
using CrossLearn.Features.Live;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Privacy;

/// <summary>
/// Finishes erasures: an erasure's <see cref="UserErasureStarted"/> marker is the last place the user's id is kept,
/// and it is deleted as soon as both of its consumers, the pattern projection and the live feed, have passed it
/// (normally within a second or two of the erasure). Deleting an event the daemon has passed changes no read model,
/// and a rebuild no longer needs it: the user's own events are gone too. Every node may run this; a delete is a delete.
/// Each shard database in turn: a marker lies in the erased user's database, with that database's consumers.
/// </summary>
public sealed class ErasureCompletion(IDocumentStore store, Platform.Sharding.ShardDataSources pools, ILogger<ErasureCompletion> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private static readonly string[] Consumers = [$"{PatternProjection.Name}:All", $"{LiveFeedSubscription.SubscriptionName}:All"];

    /// <summary>Per database: markers at or below this sequence are gone (kept in memory: a restart scans the event table once).</summary>
    private readonly Dictionary<string, long> _completedUpTo = pools.Map.Databases.ToDictionary(d => d.Name, _ => 0L);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var markerType = ((DocumentStore)store).Events.EventMappingFor(typeof(UserErasureStarted)).EventTypeName;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var database in pools.Map.Databases)
                {
                    try
                    {
                        // Also while a rebuild runs: it starts the pattern projection again from the beginning, so its
                        // progress falls below what was completed, and nothing more is completed until it is past it again.
                        _completedUpTo[database.Name] = await CompleteAsync(pools.Of(database), markerType, _completedUpTo[database.Name], stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning(e, "Completing erasures in {Database} failed; retrying", database.Name);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Deletes the markers both consumers have passed; returns how far that is.</summary>
    public static async Task<long> CompleteAsync(NpgsqlDataSource database, string markerType, long after, CancellationToken ct)
    {
        await using var progress = database.CreateCommand(
            $"SELECT count(*), coalesce(min(last_seq_id), 0) FROM {StoreTables.Progression} WHERE name = ANY($1)");
        progress.Parameters.Add(new NpgsqlParameter { Value = Consumers });
        long upTo;
        await using (var reader = await progress.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            // A consumer without a progress row has passed nothing.
            if (reader.GetInt64(0) < Consumers.Length) return after;
            upTo = reader.GetInt64(1);
        }

        // A rebuild starts a consumer again from the beginning: wait until it is past what was completed before.
        if (upTo <= after) return after;
        await using var delete = database.CreateCommand(
            $"DELETE FROM {StoreTables.Events} WHERE seq_id > $1 AND seq_id <= $2 AND type = $3");
        delete.Parameters.Add(new NpgsqlParameter { Value = after });
        delete.Parameters.Add(new NpgsqlParameter { Value = upTo });
        delete.Parameters.Add(new NpgsqlParameter { Value = markerType });
        await delete.ExecuteNonQueryAsync(ct);
        return upTo;
    }
}
