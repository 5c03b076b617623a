using CrossLearn.Hosting;
using Marten;
using Npgsql;
using Wolverine;

namespace CrossLearn.Features.Learning;

/// <summary>
/// Promotes and demotes on its own: polls for patterns the daemon changed since it last looked and asks the
/// <see cref="EvaluatePatternsHandler"/> about them. Decisions compare figures with current knowledge, so
/// looking twice (another node, a restart) changes nothing.
/// </summary>
public sealed class PromotionWatcher(
    IDocumentStore store, NpgsqlDataSource database, IServiceProvider services, LearningSettings settings, ILogger<PromotionWatcher> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>The highest pattern change evaluated so far; also kept in the database (<see cref="PromotionCursor"/>).</summary>
    public long Seen { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.PromotionPollMilliseconds));
        // One node watches at a time (a session-level lock held on a connection of its own), so each change is
        // judged and announced once. If that node dies, its lock goes with its connection; if it stops, it lets go.
        NpgsqlConnection? leadership = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (leadership is not { State: System.Data.ConnectionState.Open })
                    {
                        await ReleaseAsync(leadership);
                        leadership = await database.OpenConnectionAsync(stoppingToken);
                    }

                    var wasLeader = _leader;
                    if (!await HoldsLeadershipAsync(leadership, stoppingToken)) continue;
                    // A new leader carries on from where the last one stopped.
                    if (!wasLeader) Seen = await PromotionCursor.LoadAsync(store, stoppingToken);
                    var seen = await EvaluateChangesSinceAsync(Seen, stoppingToken);
                    if (seen != Seen) await PromotionCursor.SaveAsync(store, seen, stoppingToken);
                    Seen = seen;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database may be restarting; the next tick tries again from the same place.
                    logger.LogWarning(e, "Promotion check failed; retrying");
                    await ReleaseAsync(leadership);
                    leadership = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await ReleaseAsync(leadership);
        }
    }

    /// <summary>Gives up leadership explicitly: a pooled connection is not closed, so its lock would outlive us.</summary>
    private async Task ReleaseAsync(NpgsqlConnection? connection)
    {
        _leader = false;
        if (connection == null) return;
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({WriteLocks.Space}, {WriteLocks.PromotionLeaderKey})", connection);
                await unlock.ExecuteScalarAsync();
            }
        }
        catch (NpgsqlException)
        {
            // A broken connection holds no lock.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private bool _leader;

    private async Task<bool> HoldsLeadershipAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            _leader ? "SELECT true" : $"SELECT pg_try_advisory_lock({WriteLocks.Space}, {WriteLocks.PromotionLeaderKey})", connection);
        _leader = (bool)(await command.ExecuteScalarAsync(ct))!;
        return _leader;
    }

    private async Task<long> EvaluateChangesSinceAsync(long seen, CancellationToken ct)
    {
        IReadOnlyList<PatternCursor> changed;
        IReadOnlyList<string> orphans;
        // A rebuild clears and refills the patterns: what is read meanwhile (a pattern "gone", a count half back)
        // would demote and promote again. Read only while no rebuild runs (it holds every stream); the share is let
        // go before deciding, because the decision locks the knowledge stream and a rebuild waiting in between would
        // deadlock us.
        await using (var shared = await AllStreams.TryShareAsync(database, ct))
        {
            if (shared == null) return seen;

            // Only ids and cursors: many patterns can share one sequence (a rating touches all of its rater's).
            await using (var query = store.QuerySession())
            {
                changed = await query.Query<Pattern>()
                    .Where(p => p.ChangedAtSequence > seen)
                    .Select(p => new PatternCursor(p.Id, p.ChangedAtSequence))
                    .ToListAsync(ct);
            }

            orphans = await OrphanedKnowledgeAsync(ct);
            if (changed.Count == 0 && orphans.Count == 0)
            {
                // Event data was reset (sequences start again): look at everything anew. Ordered before the projection:
                // ordering a projected scalar picked an arbitrary pattern's sequence, so with two patterns or more the
                // watcher kept "resetting" and announced every pattern again, several times a second, forever.
                await using var query = store.QuerySession();
                var newest = await query.Query<Pattern>().OrderByDescending(p => p.ChangedAtSequence).Select(p => p.ChangedAtSequence)
                    .FirstOrDefaultAsync(ct);
                return newest < seen ? 0 : seen;
            }
        }

        await using var scope = services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        foreach (var chunk in changed.Select(c => c.Id).Concat(orphans).Distinct().Chunk(BatchSize))
            await bus.InvokeAsync<EvaluationResult>(new EvaluatePatterns(chunk), ct);
        return changed.Count == 0 ? seen : changed.Max(c => c.ChangedAtSequence);
    }

    /// <summary>Knowledge whose pattern was deleted (its last holders left in one batch).</summary>
    private async Task<IReadOnlyList<string>> OrphanedKnowledgeAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            SELECT k.id FROM {EventStore.Schema}.mt_doc_knowledgeitem k
            LEFT JOIN {EventStore.Schema}.mt_doc_pattern p ON p.id = k.id WHERE p.id IS NULL
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<string>();
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    private sealed record PatternCursor(string Id, long ChangedAtSequence);
}

/// <summary>How far the promotion watcher has judged pattern changes, whichever node leads.</summary>
public sealed class PromotionCursor
{
    public const string DocumentId = "promotion";

    public string Id { get; set; } = DocumentId;
    public long Seen { get; set; }

    public static async Task<long> LoadAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<PromotionCursor>(DocumentId, ct))?.Seen ?? 0;
    }

    public static async Task SaveAsync(IDocumentStore store, long seen, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(new PromotionCursor { Seen = seen });
        await session.SaveChangesAsync(ct);
    }
}
