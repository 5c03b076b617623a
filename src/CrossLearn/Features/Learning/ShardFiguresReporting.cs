using CrossLearn.Platform.Agents;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using JasperFx;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Learning;

/// <summary>What this shard last reported of a pattern and the global side took (absent: nothing, or zero holders).</summary>
public sealed class ReportedPatternFigures
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public string Key { get; set; } = "";
    public int Holders { get; set; }
    public int RatedTurns { get; set; }
    public int SuccessfulTurns { get; set; }
}

/// <summary>This shard's report number: one more for every report it makes.</summary>
public sealed class ShardReportCursor
{
    public const string DocumentId = "shard-figures";

    public string Id { get; set; } = DocumentId;
    public long Sequence { get; set; }
}

/// <summary>
/// The shard side of the exact global counts (docs/scaling.md): every <see cref="ShardSettings.ReportEveryMilliseconds"/>
/// it finds the patterns whose figures here differ from what the global side last took, reports them, absolute, under
/// its next report number, and records them as reported once the global side has them.
/// </summary>
/// <remarks>
/// Not a message through Wolverine's outbox: the figures name pattern keys, text a user wrote, and Wolverine keeps a
/// handled message's body for minutes (KeepAfterMessageHandling), so an erased user's words would outlive the erasure;
/// and after an outage of the global database an outbox would replay every report, where this sends the difference
/// once. A crash between the global write and the record here only sends the same figures again, under a higher
/// number: harmless (<see cref="GlobalFigures.Apply"/>). One instance per shard in the cluster, placed by Wolverine
/// as the projections are, so report numbers only rise.
/// </remarks>
public sealed class ShardFiguresReporter(
    IDocumentStore store, IGlobalStore global, NpgsqlDataSource database, ShardSettings settings, ILogger<ShardFiguresReporter> logger)
    : PollingAgent("crosslearn-shard-figures", logger)
{
    /// <summary>The most patterns in one report; more wait for the next.</summary>
    public const int MaxPatternsPerReport = 2000;

    protected override TimeSpan Period => TimeSpan.FromMilliseconds(settings.ReportEveryMilliseconds);

    protected override async Task TickAsync(CancellationToken ct)
    {
        var changes = await ChangesAsync(database, ct);
        if (changes.Count == 0) return;

        var report = new ShardPatternFiguresReported(settings.ShardId, await NextSequenceAsync(ct), changes);
        await GlobalFiguresWriter.ApplyAsync(global, report, ct);
        await RecordReportedAsync(changes, ct);
    }

    /// <summary>
    /// Patterns whose figures differ from the last report the global side took, and reported ones held by nobody now
    /// (as zero). Empty while a rebuild refills the patterns (half of them would look gone).
    /// </summary>
    public static async Task<IReadOnlyList<PatternFigures>> ChangesAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var hold = await RebuildAnnouncement.TryHoldOffAsync(database, ct);
        if (hold == null) return [];

        await using var command = database.CreateCommand($"""
            SELECT coalesce(p.data->>'Type', r.data->>'Type'), coalesce(p.data->>'Key', r.data->>'Key'),
                   coalesce(p.user_count, 0), coalesce((p.data->>'RatedTurns')::int, 0), coalesce((p.data->>'SuccessfulTurns')::int, 0)
            FROM {StoreTables.Of<Pattern>()} p FULL JOIN {StoreTables.Of<ReportedPatternFigures>()} r ON r.id = p.id
            WHERE (p.user_count, (p.data->>'RatedTurns')::int, (p.data->>'SuccessfulTurns')::int)
                  IS DISTINCT FROM ((r.data->>'Holders')::int, (r.data->>'RatedTurns')::int, (r.data->>'SuccessfulTurns')::int)
            LIMIT {MaxPatternsPerReport}
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var changes = new List<PatternFigures>();
        while (await reader.ReadAsync(ct))
            changes.Add(new PatternFigures(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4)));
        return changes;
    }

    // Committed before the report is made: a number is never given to two different reports.
    private async Task<long> NextSequenceAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var cursor = await session.LoadAsync<ShardReportCursor>(ShardReportCursor.DocumentId, ct) ?? new ShardReportCursor();
        cursor.Sequence++;
        session.Store(cursor);
        await session.SaveChangesAsync(ct);
        return cursor.Sequence;
    }

    private async Task RecordReportedAsync(IReadOnlyList<PatternFigures> reported, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        foreach (var p in reported)
        {
            var id = Pattern.IdFor(p.Type, p.Key);
            // Held by nobody here: nothing of its text stays.
            if (p.Holders == 0) session.Delete<ReportedPatternFigures>(id);
            else session.Store(new ReportedPatternFigures
                { Id = id, Type = p.Type, Key = p.Key, Holders = p.Holders, RatedTurns = p.RatedTurns, SuccessfulTurns = p.SuccessfulTurns });
        }

        await session.SaveChangesAsync(ct);
    }
}

/// <summary>
/// The global side: takes each (pattern, shard)'s figures only when newer than what it holds, so a report made
/// twice or arriving late changes nothing (<see cref="GlobalFigures.Apply"/>).
/// </summary>
public static class GlobalFiguresWriter
{
    private const int Attempts = 10;

    public static async Task ApplyAsync(IGlobalStore global, ShardPatternFiguresReported report, CancellationToken ct)
    {
        var byId = report.Patterns.GroupBy(p => GlobalPatternFigures.IdFor(p.Type, p.Key)).ToDictionary(g => g.Key, g => g.Last());
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = global.LightweightSession();
                var held = (await session.LoadManyAsync<GlobalPatternFigures>(ct, byId.Keys)).ToDictionary(g => g.Id);
                var revision = await session.LoadAsync<GlobalFiguresRevision>(GlobalFiguresRevision.DocumentId, ct);
                var next = (revision?.Value ?? 0) + 1;
                var changed = 0;
                foreach (var (id, figures) in byId)
                {
                    var isNew = !held.TryGetValue(id, out var figuresHere);
                    figuresHere ??= new GlobalPatternFigures { Id = id };
                    if (!GlobalFigures.Apply(figuresHere, report.ShardId, report.Sequence, figures)) continue;
                    figuresHere.Revision = next;
                    changed++;
                    if (isNew) session.Insert(figuresHere);
                    else session.Update(figuresHere);
                }

                if (changed == 0) return;
                if (revision == null) session.Insert(new GlobalFiguresRevision { Value = next });
                else
                {
                    revision.Value = next;
                    session.Update(revision);
                }

                await session.SaveChangesAsync(ct);
                return;
            }
            // Two shards' reports of one pattern meet in one document: the later writer finds it changed (or just
            // created) and tries again with what the other wrote.
            catch (Exception e) when (IsConflict(e) && attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt + Random.Shared.Next(10)), ct);
            }
        }
    }

    // Marten reports several failed writes of one batch together.
    private static bool IsConflict(Exception e) =>
        e is ConcurrencyException or DocumentAlreadyExistsException || e is AggregateException { InnerExceptions: var inner } && inner.All(IsConflict);
}
