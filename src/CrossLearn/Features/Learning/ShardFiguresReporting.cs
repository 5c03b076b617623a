using CrossLearn.Platform.Agents;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
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

    /// <summary>
    /// Marks every pattern of the record as not sent (no real figures have -1 holders), so the next full look sends
    /// them all again: the current figures of those still held, and zero for those nobody here holds any more. Clearing
    /// the record instead would lose the second kind (a pattern neither counted nor recorded is never looked at), and
    /// the global side would keep their last figures.
    /// </summary>
    public static string MarkAllUnsentSql => $"UPDATE {StoreTables.Of<ReportedPatternFigures>()} SET data = jsonb_set(data, '{{Holders}}', '-1'::jsonb)";
}

/// <summary>This shard's report number: one more for every report it makes.</summary>
public sealed class ShardReportCursor
{
    public const string DocumentId = "shard-figures";

    public string Id { get; set; } = DocumentId;
    public long Sequence { get; set; }
    /// <summary>The last report the global side took and this shard recorded as reported.</summary>
    public long Acknowledged { get; set; }
}

/// <summary>In the global store: the highest report of a shard it has taken (by shard id).</summary>
public sealed class ShardReceipt
{
    public string Id { get; set; } = "";
    public long Sequence { get; set; }
}

/// <summary>
/// The shard side of the exact global counts (docs/scaling.md): every <see cref="ShardSettings.ReportEveryMilliseconds"/>
/// it finds, in each shard database in turn, the patterns whose figures there differ from what the global side last
/// took, reports them, absolute, under that database's name and next report number, and records them as reported once
/// the global side has them.
/// </summary>
/// <remarks>
/// Not a message through Wolverine's outbox: the figures name pattern keys, text a user wrote, and Wolverine keeps a
/// handled message's body for minutes (KeepAfterMessageHandling), so an erased user's words would outlive the erasure;
/// and after an outage of the global database an outbox would replay every report, where this sends the difference
/// once. A crash between the global write and the record here only sends the same figures again, under a higher
/// number: harmless (<see cref="GlobalFigures.Apply"/>). One instance in the cluster, placed by Wolverine as the
/// projections are, so each database's report numbers only rise; a database that cannot be read (its server down)
/// is skipped until it can, and the others report meanwhile.
/// </remarks>
public sealed class ShardFiguresReporter(
    ShardSessions sessions, ShardDataSources pools, IGlobalStore global, ShardSettings settings, ILogger<ShardFiguresReporter> logger)
    : PollingAgent("crosslearn-shard-figures", logger)
{
    /// <summary>The most patterns in one report; more wait for the next.</summary>
    public const int MaxPatternsPerReport = 2000;

    /// <summary>Per database: the newest pattern change looked at (-1: look at every pattern next time), and looks since the last full one.</summary>
    private sealed class Progress
    {
        public long PatternsSeen = -1;
        public int LooksSinceFull;
    }

    private readonly Dictionary<string, Progress> _progress = sessions.Map.Databases.ToDictionary(d => d.Name, _ => new Progress());

    protected override TimeSpan Period => TimeSpan.FromMilliseconds(settings.ReportEveryMilliseconds);

    protected override async Task TickAsync(CancellationToken ct)
    {
        foreach (var database in sessions.Map.Databases)
        {
            try
            {
                await ReportAsync(database, _progress[database.Name], ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not report the figures of shard database {Database}; the next tick tries again", database.Name);
            }
        }
    }

    private async Task ReportAsync(ShardDatabase database, Progress progress, CancellationToken ct)
    {
        // One report of a database at a time, across nodes: while Wolverine moves this agent, two nodes may run it for a
        // moment, and two overlapping reports could give the older figures the higher number (the global side would keep
        // them, and the record the newer ones: a difference no later look sees). Another node's report under way: skip.
        await using var exclusive = await RunLock.TryTakeAsync(pools.Of(database), WriteLocks.ShardReportKey, ct);
        if (exclusive == null) return;

        // Most looks read only the patterns the daemon changed since the last; every FullLookEvery-th compares all of
        // them with the record: that finds patterns nobody holds any more (deleted, so they carry no change number) and
        // whatever a rebuild wrote under older numbers.
        var full = progress.PatternsSeen < 0 || ++progress.LooksSinceFull >= settings.FullLookEvery;
        if (full) await ForgetWhatTheGlobalStoreLostAsync(database, ct);
        var look = await LookAsync(pools.Of(database), full ? null : progress.PatternsSeen, ct);
        if (look is not var (changes, newest)) return;
        if (newest < progress.PatternsSeen)
        {
            // The event data was reset (sequences start again): look at everything.
            progress.PatternsSeen = -1;
            return;
        }

        // A full look that filled a report looks fully again next time (after a rebuild, every pattern is to be sent).
        if (full && changes.Count < MaxPatternsPerReport) progress.LooksSinceFull = 0;
        if (changes.Count > 0)
        {
            var report = new ShardPatternFiguresReported(database.Name, await NextSequenceAsync(database, ct), changes);
            await GlobalFiguresWriter.ApplyAsync(global, report, ct);
            await RecordReportedAsync(database, report, ct);
        }

        // A full report's worth: more may be left below the newest number; look from the same place again.
        if (changes.Count < MaxPatternsPerReport) progress.PatternsSeen = newest;
    }

    /// <summary>
    /// Patterns whose figures differ from the last report the global side took, and reported ones held by nobody now
    /// (as zero): what the next full look would report. Empty while a rebuild refills the patterns.
    /// </summary>
    public static async Task<IReadOnlyList<PatternFigures>> ChangesAsync(NpgsqlDataSource database, CancellationToken ct) =>
        await LookAsync(database, since: null, ct) is var (changes, _) ? changes : [];

    /// <summary>
    /// The figures to report, of every pattern or only of those changed after <paramref name="since"/>, and the newest
    /// change number read before them; null while a rebuild refills the patterns (half of them would look gone).
    /// </summary>
    public static async Task<(IReadOnlyList<PatternFigures> Changes, long Newest)?> LookAsync(NpgsqlDataSource database, long? since, CancellationToken ct)
    {
        await using var hold = await RebuildAnnouncement.TryHoldOffAsync(database, ct);
        if (hold == null) return null;

        await using var newestCommand = database.CreateCommand($"SELECT coalesce(max(changed_at_sequence), 0) FROM {StoreTables.Of<Pattern>()}");
        var newest = (long)(await newestCommand.ExecuteScalarAsync(ct))!;
        const string differs = """
            (p.user_count, (p.data->>'RatedTurns')::int, (p.data->>'SuccessfulTurns')::int)
            IS DISTINCT FROM ((r.data->>'Holders')::int, (r.data->>'RatedTurns')::int, (r.data->>'SuccessfulTurns')::int)
            """;
        await using var command = since == null
            ? database.CreateCommand($"""
                SELECT coalesce(p.data->>'Type', r.data->>'Type'), coalesce(p.data->>'Key', r.data->>'Key'),
                       coalesce(p.user_count, 0), coalesce((p.data->>'RatedTurns')::int, 0), coalesce((p.data->>'SuccessfulTurns')::int, 0)
                FROM {StoreTables.Of<Pattern>()} p FULL JOIN {StoreTables.Of<ReportedPatternFigures>()} r ON r.id = p.id
                WHERE {differs}
                LIMIT {MaxPatternsPerReport}
                """)
            : database.CreateCommand($"""
                SELECT p.data->>'Type', p.data->>'Key', p.user_count, (p.data->>'RatedTurns')::int, (p.data->>'SuccessfulTurns')::int
                FROM {StoreTables.Of<Pattern>()} p LEFT JOIN {StoreTables.Of<ReportedPatternFigures>()} r ON r.id = p.id
                WHERE p.changed_at_sequence > $1 AND {differs}
                LIMIT {MaxPatternsPerReport}
                """);
        if (since != null) command.Parameters.Add(new NpgsqlParameter { Value = since.Value });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var changes = new List<PatternFigures>();
        while (await reader.ReadAsync(ct))
            changes.Add(new PatternFigures(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4)));
        return (changes, newest);
    }

    // Committed before the report is made: a number is never given to two different reports.
    private async Task<long> NextSequenceAsync(ShardDatabase database, CancellationToken ct)
    {
        await using var session = sessions.Write(database);
        var cursor = await session.LoadAsync<ShardReportCursor>(ShardReportCursor.DocumentId, ct) ?? new ShardReportCursor();
        cursor.Sequence++;
        session.Store(cursor);
        await session.SaveChangesAsync(ct);
        return cursor.Sequence;
    }

    /// <summary>
    /// A global store that has not taken this shard's last acknowledged report (a new or restored database) lacks
    /// figures the record says it has: the record is marked unsent, so the full looks send everything again.
    /// </summary>
    private async Task ForgetWhatTheGlobalStoreLostAsync(ShardDatabase database, CancellationToken ct)
    {
        long acknowledged, taken;
        await using (var shardSession = sessions.Query(database))
            acknowledged = (await shardSession.LoadAsync<ShardReportCursor>(ShardReportCursor.DocumentId, ct))?.Acknowledged ?? 0;
        await using (var globalSession = global.QuerySession())
            taken = (await globalSession.LoadAsync<ShardReceipt>(database.Name, ct))?.Sequence ?? 0;
        if (taken >= acknowledged) return;

        logger.LogWarning("The global store has taken the reports of shard {Shard} up to {Taken}, the shard recorded {Acknowledged}: sending every figure again",
            database.Name, taken, acknowledged);
        await using var session = sessions.Write(database);
        session.QueueSqlCommand(ReportedPatternFigures.MarkAllUnsentSql);
        await session.SaveChangesAsync(ct);
    }

    private async Task RecordReportedAsync(ShardDatabase database, ShardPatternFiguresReported report, CancellationToken ct)
    {
        await using var session = sessions.Write(database);
        var cursor = await session.LoadAsync<ShardReportCursor>(ShardReportCursor.DocumentId, ct) ?? new ShardReportCursor();
        cursor.Acknowledged = Math.Max(cursor.Acknowledged, report.Sequence);
        cursor.Sequence = Math.Max(cursor.Sequence, report.Sequence);
        session.Store(cursor);
        foreach (var p in report.Patterns)
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

                // The highest report of this shard the global side has taken (ShardFiguresReporter's check for a lost store).
                var receipt = await session.LoadAsync<ShardReceipt>(report.ShardId, ct) ?? new ShardReceipt { Id = report.ShardId };
                receipt.Sequence = Math.Max(receipt.Sequence, report.Sequence);
                session.Store(receipt);
                if (changed == 0)
                {
                    await session.SaveChangesAsync(ct);
                    return;
                }

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
            catch (Exception e) when (ProblemResponses.IsWriteConflict(e) && attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt + Random.Shared.Next(10)), ct);
            }
        }
    }
}
