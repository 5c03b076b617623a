using System.Security.Claims;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine;
using Wolverine.Http;
using CrossLearn.Platform.Agents;

namespace CrossLearn.Features.Learning;

/// <summary>Age the patterns as of a moment (null: now); <see cref="RequestedBy"/> is an admin or <see cref="AgingRequesters.Schedule"/>.</summary>
public sealed record AgePatterns(DateTimeOffset? AsOf, string RequestedBy);

public sealed record AgingSummary(DateTimeOffset AsOf, int Patterns, int Demoted);

public static class AgingRequesters
{
    public const string Schedule = "crosslearn:schedule";
}

public static class AgePatternsHandler
{
    /// <summary>Null: refused, an aging as of a later moment was recorded already (aging only moves forward).</summary>
    public static async Task<AgingSummary?> Handle(
        AgePatterns command, IDocumentSession session, NpgsqlDataSource database, LearningSettings settings, TimeProvider time, CancellationToken ct)
    {
        await RebuildAnnouncement.WaitUntilNoneRunsAsync(session, ct);
        // The knowledge stream, locked until this commit: aging decides demotions, one decider at a time.
        var stream = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        var book = stream.Aggregate ?? new KnowledgeBook();
        var asOf = command.AsOf ?? time.GetUtcNow();
        if (book.LastAgedAt is { } last && asOf < last) return null;

        var measured = await MeasureAsync(database, settings, book.Promoted.Keys.ToArray(), asOf, ct);
        var figures = (await session.LoadManyAsync<Pattern>(ct, book.Promoted.Keys)).ToDictionary(p => p.Id, Promotion.Figures.From);
        var events = Aging.Decide(measured, book, figures, settings, asOf, command.RequestedBy);
        stream.AppendMany(events);
        return new AgingSummary(asOf, measured.Count, events.Count(e => e is PatternDemoted));
    }

    /// <summary>
    /// Every shown pattern (and all knowledge) as of <paramref name="asOf"/>, from the memory and turn read models: its
    /// holders' weights by when their memory was last seen, and the success of their last rated turns.
    /// </summary>
    private static async Task<IReadOnlyList<Aging.Measured>> MeasureAsync(
        NpgsqlDataSource database, LearningSettings settings, string[] knowledge, DateTimeOffset asOf, CancellationToken ct)
    {
        var sql = $"""
            WITH holders AS (
              SELECT m.user_id, m.type, m.key, (m.data->>'LastSeenAt')::timestamptz AS last_seen
              FROM {StoreTables.Of<Memory>()} m WHERE m.confidence >= @min AND m.type <> @personal),
            weights AS (
              SELECT type, key, count(*) AS holders,
                     sum(CASE WHEN last_seen >= @as_of THEN 1.0
                              ELSE power(0.5, extract(epoch FROM (@as_of - last_seen)) / 86400.0 / @half_life) END) AS weight
              FROM holders GROUP BY type, key),
            rated AS (
              SELECT t.user_id, (t.data->>'Success')::boolean AS success, (t.data->>'RecordedAt')::timestamptz AS recorded_at, t.id
              FROM {StoreTables.Of<Turn>()} t
              WHERE t.data->>'Success' IS NOT NULL AND (t.data->>'RecordedAt')::timestamptz <= @as_of),
            recent AS (
              SELECT type, key, count(*) AS rated, count(*) FILTER (WHERE success) AS ok FROM (
                SELECT h.type, h.key, r.success,
                       row_number() OVER (PARTITION BY h.type, h.key ORDER BY r.recorded_at DESC, r.id DESC) AS n
                FROM holders h JOIN rated r ON r.user_id = h.user_id) last_rated
              WHERE n <= @window GROUP BY type, key)
            SELECT w.type, w.key, w.weight::float8, coalesce(r.rated, 0)::int, coalesce(r.ok, 0)::int
            FROM weights w LEFT JOIN recent r ON r.type = w.type AND r.key = w.key
            WHERE w.holders >= @min_users OR (w.type || chr(31) || w.key) = ANY(@knowledge)
            ORDER BY w.type, w.key
            """;
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue("min", settings.PatternMinConfidence);
        command.Parameters.AddWithValue("personal", MemoryTypes.PersonalInfo);
        command.Parameters.AddWithValue("as_of", asOf.UtcDateTime);
        command.Parameters.AddWithValue("half_life", settings.HalfLifeDays);
        command.Parameters.AddWithValue("window", settings.RecentWindowRatedTurns);
        command.Parameters.AddWithValue("min_users", settings.PatternMinUsers);
        command.Parameters.AddWithValue("knowledge", knowledge);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var measured = new List<Aging.Measured>();
        while (await reader.ReadAsync(ct))
            measured.Add(new Aging.Measured(reader.GetString(0), reader.GetString(1), reader.GetDouble(2), reader.GetInt32(3), reader.GetInt32(4)));
        return measured;
    }
}

public sealed record AgePatternsRequest(DateTimeOffset? AsOf);

public static class AgePatternsEndpoint
{
    [WolverinePost("/api/admin/patterns/age")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<AgingSummary>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(AgePatternsRequest request, ClaimsPrincipal principal, IMessageBus bus, CancellationToken ct) =>
        await bus.InvokeAsync<AgingSummary?>(new AgePatterns(request.AsOf, Caller.From(principal).UserId), ct) is { } summary
            ? Results.Ok(summary)
            : ProblemResponses.Result(StatusCodes.Status409Conflict, "Aged later already", "The patterns were aged as of a later moment; aging only moves forward.");
}
