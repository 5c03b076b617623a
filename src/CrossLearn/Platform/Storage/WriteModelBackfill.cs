using JasperFx.Events.Projections;
using Marten;
using System.Reflection;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// A decider's state folded inline from its stream, registered by the module that owns it,
/// so that a database written before the model existed gets it once, at start, before anyone decides from it.
/// </summary>
/// <param name="Projection">The projection's type: it names the events it folds (<c>IncludeType</c>).</param>
public sealed record InlineWriteModel(Type Document, Type Projection);

/// <summary>
/// Writers read an inline write model with <c>FetchForExclusiveWriting</c>, which never replays a stream whose
/// document is missing: on a database from before the model existed, every decision would start from nothing (a known
/// memory learned anew, a retried turn taken for another). So at start, under the schema set-up's lock (one node does
/// it), a model whose table is empty while events it folds exist is folded stream by stream, with writers held.
/// </summary>
/// <remarks>
/// Only the empty table is checked: that is what an upgrade leaves, and it costs one probe of the model's table per start. A single
/// document lost by other means is mended by the admin rebuild.
/// </remarks>
public sealed class WriteModelBackfill(
    IDocumentStore store, NpgsqlDataSource database, IEnumerable<InlineWriteModel> models, ILogger<WriteModelBackfill> logger)
{
    private const int StreamsPerCommit = 500;

    public async Task<IReadOnlyList<Type>> RunAsync(CancellationToken ct)
    {
        var folded = new List<Type>();
        foreach (var model in models)
        {
            var eventTypes = EventTypeNames(model);
            if (await HasDocumentsAsync(model, ct) || await StreamsFoldingAsync(eventTypes, ct) is not { Count: > 0 } streams) continue;
            logger.LogWarning(
                "{Document} is missing while {Streams} streams hold its events (a database from before it): folding them",
                model.Document.Name, streams.Count);
            await using (await AllStreams.HoldAsync(database, ct))
            {
                var fold = typeof(WriteModelBackfill).GetMethod(nameof(FoldAsync), BindingFlags.NonPublic | BindingFlags.Instance)!
                    .MakeGenericMethod(model.Document);
                await (Task)fold.Invoke(this, [streams, ct])!;
            }

            folded.Add(model.Document);
        }

        return folded;
    }

    /// <summary>Each stream folded by the model's own projection (Marten's live aggregation), stored as the inline projection would.</summary>
    private async Task FoldAsync<T>(IReadOnlyList<string> streams, CancellationToken ct) where T : class
    {
        foreach (var page in streams.Chunk(StreamsPerCommit))
        {
            await using var session = store.LightweightSession();
            foreach (var id in page)
            {
                try
                {
                    if (await session.Events.AggregateStreamAsync<T>(id, token: ct) is { } model) session.Store(model);
                }
                catch (Exception e) when (Refused(e))
                {
                    // A stream with an event this version refuses (dead-lettered by the read models) must not stop the
                    // start: it stays without its write model, as its read models stay without that event.
                    logger.LogError(e, "{Document} of stream {Stream} not folded", typeof(T).Name, id);
                }
            }
            await session.SaveChangesAsync(ct);
        }
    }

    /// <summary>The projection refused an event's shape (Marten may wrap what Evolve throws).</summary>
    private static bool Refused(Exception? e)
    {
        for (var depth = 0; e != null && depth < 10; depth++, e = e.InnerException)
            if (e is UnknownEventShapeException) return true;
        return false;
    }

    private string[] EventTypeNames(InlineWriteModel model) =>
        ((EventFilterable)Activator.CreateInstance(model.Projection)!).IncludedEventTypes
        .Select(t => ((DocumentStore)store).Events.EventMappingFor(t).EventTypeName).ToArray();

    private async Task<bool> HasDocumentsAsync(InlineWriteModel model, CancellationToken ct)
    {
        await using var any = database.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {StoreTables.Of(model.Document)})");
        return await any.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Only read when the model's table is empty (a fresh database or an upgrade).</summary>
    private async Task<List<string>> StreamsFoldingAsync(string[] eventTypes, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"SELECT DISTINCT stream_id FROM {StoreTables.Events} WHERE type = ANY(@types)");
        command.Parameters.AddWithValue("types", eventTypes);
        var streams = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) streams.Add(reader.GetString(0));
        return streams;
    }
}
