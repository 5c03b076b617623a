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
using CrossLearn.Platform.Sharding;

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
        AgePatterns command, IDocumentSession session, ShardDataSources pools, GlobalFiguresReader globalFigures, LearningSettings settings,
        TimeProvider time, CancellationToken ct)
    {
        await RebuildAnnouncement.WaitUntilNoneRunsAsync(session, ct);
        // The knowledge stream, locked until this commit: aging decides demotions, one decider at a time.
        var stream = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        var book = stream.Aggregate ?? new KnowledgeBook();
        var asOf = command.AsOf ?? time.GetUtcNow();
        if (book.LastAgedAt is { } last && asOf < last) return null;

        var measured = await MeasureAsync(pools, settings, book.Promoted.Keys.ToHashSet(), asOf, ct);
        // The demotions name the patterns' figures over all shards.
        var figures = (await globalFigures.OfPatternsAsync(book.Promoted.Keys, ct))
            .ToDictionary(f => f.Key, f => new Promotion.Figures(f.Value.Type, f.Value.Key, f.Value.Holders, f.Value.RatedTurns, f.Value.SuccessfulTurns));
        var events = Aging.Decide(measured, book, figures, settings, asOf, command.RequestedBy);
        stream.AppendMany(events);
        return new AgingSummary(asOf, measured.Count, events.Count(e => e is PatternDemoted));
    }

    /// <summary>
    /// Every shown pattern (and all knowledge) as of <paramref name="asOf"/>, from the memory and turn read models of every
    /// shard database: its holders' weights by when their memory was last seen, and the success of their last rated turns.
    /// Two passes: the holders' weights of every pattern (they add up over the databases, and decide which patterns are
    /// shown), then the newest rated turns of the shown ones' holders.
    /// </summary>
    private static async Task<IReadOnlyList<Aging.Measured>> MeasureAsync(
        ShardDataSources pools, LearningSettings settings, IReadOnlySet<string> knowledge, DateTimeOffset asOf, CancellationToken ct)
    {
        var weights = new List<Aging.HolderWeights>();
        foreach (var database in pools.Map.Databases) weights.AddRange(await WeightsAsync(pools.Of(database), settings, asOf, ct));
        var measurable = Aging.Measurable(weights, settings.PatternMinUsers, knowledge);
        var ratings = new List<Aging.HolderRating>();
        if (measurable.Count > 0)
            foreach (var database in pools.Map.Databases) ratings.AddRange(await NewestRatingsAsync(pools.Of(database), settings, measurable, asOf, ct));
        return Aging.Combine(measurable, weights, ratings, settings.RecentWindowRatedTurns);
    }

    private static async Task<IReadOnlyList<Aging.HolderWeights>> WeightsAsync(
        NpgsqlDataSource database, LearningSettings settings, DateTimeOffset asOf, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            SELECT m.type, m.key, count(*)::int,
                   sum(CASE WHEN (m.data->>'LastSeenAt')::timestamptz >= @as_of THEN 1.0
                            ELSE power(0.5, extract(epoch FROM (@as_of - (m.data->>'LastSeenAt')::timestamptz)) / 86400.0 / @half_life) END)::float8
            FROM {StoreTables.Of<Memory>()} m WHERE m.confidence >= @min AND m.type <> @personal
            GROUP BY m.type, m.key
            """);
        AddHolderParameters(command, settings, asOf);
        command.Parameters.AddWithValue("half_life", settings.HalfLifeDays);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var weights = new List<Aging.HolderWeights>();
        while (await reader.ReadAsync(ct))
            weights.Add(new Aging.HolderWeights(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetDouble(3)));
        return weights;
    }

    /// <summary>Who counts as a holder (confidence, no personal info) as of the aging's moment.</summary>
    private static void AddHolderParameters(NpgsqlCommand command, LearningSettings settings, DateTimeOffset asOf)
    {
        command.Parameters.AddWithValue("min", settings.PatternMinConfidence);
        command.Parameters.AddWithValue("personal", MemoryTypes.PersonalInfo);
        command.Parameters.AddWithValue("as_of", asOf.UtcDateTime);
    }

    /// <summary>The newest <see cref="LearningSettings.RecentWindowRatedTurns"/> rated turns of each pattern's holders in one database.</summary>
    private static async Task<IReadOnlyList<Aging.HolderRating>> NewestRatingsAsync(
        NpgsqlDataSource database, LearningSettings settings, IReadOnlyList<(string Type, string Key)> patterns, DateTimeOffset asOf, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            WITH wanted AS (SELECT * FROM unnest(@types::text[], @keys::text[]) AS w(type, key)),
            holders AS (
              SELECT m.user_id, m.type, m.key FROM {StoreTables.Of<Memory>()} m JOIN wanted w ON w.type = m.type AND w.key = m.key
              WHERE m.confidence >= @min AND m.type <> @personal),
            rated AS (
              SELECT t.user_id, (t.data->>'Success')::boolean AS success, (t.data->>'RecordedAt')::timestamptz AS recorded_at, t.id
              FROM {StoreTables.Of<Turn>()} t
              WHERE t.data->>'Success' IS NOT NULL AND (t.data->>'RecordedAt')::timestamptz <= @as_of),
            ranked AS (
              SELECT h.type, h.key, r.success, r.recorded_at, r.id,
                     row_number() OVER (PARTITION BY h.type, h.key ORDER BY r.recorded_at DESC, r.id DESC) AS n
              FROM holders h JOIN rated r ON r.user_id = h.user_id)
            SELECT type, key, success, recorded_at, id::text FROM ranked WHERE n <= @window
            """);
        command.Parameters.AddWithValue("types", patterns.Select(p => p.Type).ToArray());
        command.Parameters.AddWithValue("keys", patterns.Select(p => p.Key).ToArray());
        AddHolderParameters(command, settings, asOf);
        command.Parameters.AddWithValue("window", settings.RecentWindowRatedTurns);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ratings = new List<Aging.HolderRating>();
        while (await reader.ReadAsync(ct))
            ratings.Add(new Aging.HolderRating(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4)));
        return ratings;
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
