using System.Security.Cryptography;
using System.Text;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Privacy;
using CrossLearn.Features.Turns;
using CrossLearn.Hosting;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace CrossLearn.Features.Admin;

/// <summary>
/// An event this version of CrossLearn cannot apply: a shape it does not know (written by a newer or broken
/// writer, or by hand). Thrown by the async projection and the live feed before they change anything, so the
/// event is dead-lettered and skipped instead of being half-applied or guessed at.
/// </summary>
public sealed class UnknownEventShapeException(string message) : Exception(message);

/// <summary>
/// What this version knows of its events. An event is only applied when every field a projection relies on is
/// present, its memory type is one of <see cref="MemoryTypes.All"/>, and a per-user event names the user whose
/// stream holds it. Anything else (e.g. <c>{"schemaVersion": 99}</c> stored as a <c>memory_learned</c>, which
/// deserializes to an event of nulls) is rejected explicitly rather than applied with defaults.
/// </summary>
public static class KnownEventShapes
{
    /// <summary>Why <paramref name="e"/> cannot be applied, or null when it is of a known shape.</summary>
    public static UnknownEventShapeException? Rejection(IEvent e) =>
        Problem(e) is { } problem
            ? new UnknownEventShapeException($"{e.EventTypeName} #{e.Sequence} has a shape this version does not know: {problem}.")
            : null;

    /// <summary>What is wrong with the event's shape (never its values: those can be user text), or null.</summary>
    public static string? Problem(IEvent e) => e.Data switch
    {
        MemoryLearned m => Memory(e, m.UserId, m.Type, m.Key, m.Value, m.Confidence, m.TurnId),
        MemoryReinforced m => Memory(e, m.UserId, m.Type, m.Key, m.Value, m.Confidence, m.TurnId),
        MemoryReplaced m => Memory(e, m.UserId, m.Type, m.Key, m.Value, m.Confidence, m.TurnId),
        MemoryRetracted m => Owner(e, m.UserId) ?? MemoryKey(m.Type, m.Key) ?? (m.Reason == null ? "no reason" : null),
        MemoryRekeyed m => Memory(e, m.UserId, m.Type, m.OldKey, m.Value, m.Confidence, m.SourceTurnIds?.LastOrDefault() ?? Guid.Empty)
                           ?? (string.IsNullOrEmpty(m.NewKey) ? "no new key" : null),
        FeedbackGiven f => Owner(e, f.UserId) ?? (f.TurnId == Guid.Empty ? "no turn id" : null),
        TurnRecorded t => Owner(e, t.UserId)
                          ?? (t.TurnId == Guid.Empty ? "no turn id" : null)
                          ?? (t.ConversationId == null || t.UserMessage == null || t.AiResponse == null || t.Learned == null ? "a missing field" : null),
        // On the erasure's own stream (before, on the user's: both are read).
        UserErasureStarted u => string.IsNullOrEmpty(u.UserId) ? "no user id"
            : ErasureStream.IsErasure(e.StreamKey) ? null : Owner(e, u.UserId),
        PatternPromoted p => MemoryKey(p.Type, p.Key),
        PatternDemoted p => MemoryKey(p.Type, p.Key),
        _ => null
    };

    private static string? Memory(IEvent e, string? userId, string? type, string? key, string? value, double confidence, Guid turnId) =>
        Owner(e, userId) ?? MemoryKey(type, key)
        ?? (value == null ? "no value" : null)
        ?? (confidence is < 0 or > 1 || double.IsNaN(confidence) ? "a confidence outside 0..1" : null)
        ?? (turnId == Guid.Empty ? "no turn id" : null);

    // The stream key is the user id: an event naming someone else (or nobody) cannot be attributed.
    private static string? Owner(IEvent e, string? userId) =>
        string.IsNullOrEmpty(userId) ? "no user id" : userId != e.StreamKey ? "a user id other than its stream's" : null;

    private static string? MemoryKey(string? type, string? key) =>
        string.IsNullOrEmpty(type) || string.IsNullOrEmpty(key) ? "no memory type or key"
        : !MemoryTypes.All.Contains(type) ? "an unknown memory type" : null;
}

/// <summary>One event a projection or subscription skipped. Not the event's payload: it can hold user text.</summary>
public sealed record DeadLetterView(
    string Projection, long EventSequence, string? EventType, string? StreamId, string Reason, DateTimeOffset RecordedAt);

/// <summary>
/// Dead letters live in Marten's <c>mt_doc_deadletterevent</c> table, written by the daemon (an event it could not
/// deserialize, an unknown event type, an aggregation that threw) or by our own projection and subscription (an
/// event of a shape they do not know). The row holds the event's sequence; its type and stream come from
/// <c>mt_events</c>.
/// </summary>
public static class DeadLetters
{
    public const int Limit = 1000;

    /// <summary>
    /// The dead letter for <paramref name="e"/> skipped by <paramref name="projection"/>. Its id is derived from both,
    /// so a replay (a rebuild, a batch retried after a crash) rewrites the same row instead of adding one.
    /// </summary>
    public static DeadLetterEvent For(string projection, IEvent e, Exception reason) => new()
    {
        Id = new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"{projection}:{e.Sequence}"))),
        ProjectionName = projection,
        ShardName = JasperFx.Events.Projections.ShardName.All,
        EventSequence = e.Sequence,
        ExceptionType = reason.GetType().FullName ?? reason.GetType().Name,
        ExceptionMessage = reason.Message,
        // When the event was skipped (last, if replayed): an operational record, not a read model.
        Timestamp = DateTimeOffset.UtcNow,
        TenantId = e.TenantId
    };

    [WolverineGet("/api/admin/dead-letters")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<IReadOnlyList<DeadLetterView>> Get(NpgsqlDataSource database, CancellationToken ct)
    {
        // The daemon writes a new row each time it skips an event again (a rebuild): one line per projection
        // and event, the latest. "When" is when the row was written: the daemon leaves its own Timestamp empty.
        await using var command = database.CreateCommand($"""
            SELECT d.projection, d.sequence, e.type, e.stream_id, d.exception_type, d.message, d.recorded_at
            FROM (
              SELECT DISTINCT ON (data->>'ProjectionName', (data->>'EventSequence')::bigint)
                     data->>'ProjectionName' AS projection, (data->>'EventSequence')::bigint AS sequence,
                     data->>'ExceptionType' AS exception_type, data->>'ExceptionMessage' AS message,
                     mt_last_modified AS recorded_at
              FROM {EventStore.Schema}.mt_doc_deadletterevent
              ORDER BY data->>'ProjectionName', (data->>'EventSequence')::bigint, mt_last_modified DESC
            ) d
            LEFT JOIN {EventStore.Schema}.mt_events e ON e.seq_id = d.sequence
            ORDER BY d.sequence DESC, d.projection
            LIMIT {Limit}
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var letters = new List<DeadLetterView>();
        while (await reader.ReadAsync(ct))
            letters.Add(new DeadLetterView(
                reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                $"{(reader.IsDBNull(4) ? "unknown" : reader.GetString(4))}: {(reader.IsDBNull(5) ? "" : reader.GetString(5))}",
                reader.GetFieldValue<DateTimeOffset>(6)));
        return letters;
    }

    /// <summary>Erasure: the user's dead letters go with their events (run before the events are deleted).</summary>
    public static async Task<int> DeleteForUserAsync(NpgsqlConnection connection, string userId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            DELETE FROM {EventStore.Schema}.mt_doc_deadletterevent d
            USING {EventStore.Schema}.mt_events e
            WHERE e.stream_id = @user AND e.seq_id = (d.data->>'EventSequence')::bigint
            """, connection);
        command.Parameters.AddWithValue("user", userId);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
