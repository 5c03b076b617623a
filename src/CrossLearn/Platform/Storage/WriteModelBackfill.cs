using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Writers read an inline write model with <c>FetchForExclusiveWriting</c>, which never replays a stream whose
/// document is missing: on a database from before the model existed, every decision would start from nothing (a known
/// memory learned anew, a retried turn taken for another). So at start, under the schema set-up's lock (one node does
/// it), a model (<see cref="IWriteModelFold"/>) whose table is empty while events it folds exist is folded stream by
/// stream, each batch of streams under their locks (<see cref="StreamRefolder"/>).
/// </summary>
/// <remarks>
/// Only the empty table is checked: that is what an upgrade leaves, and it costs one probe of the model's table per start. A single
/// document lost by other means is mended by the admin rebuild.
/// </remarks>
public sealed class WriteModelBackfill(
    IDocumentStore store, NpgsqlDataSource database, StreamRefolder refolder, IEnumerable<IWriteModelFold> models,
    ILogger<WriteModelBackfill> logger)
{
    public async Task<IReadOnlyList<Type>> RunAsync(CancellationToken ct)
    {
        var folded = new List<Type>();
        foreach (var model in models)
        {
            if (await HasDocumentsAsync(model, ct) || await refolder.StreamsWithAsync(EventTypeNames(model), ct) is not { Count: > 0 } streams) continue;
            logger.LogWarning(
                "{Document} is missing while {Streams} streams hold its events (a database from before it): folding them",
                model.DocumentType.Name, streams.Count);
            await refolder.RefoldAsync([model], streams, ct);
            folded.Add(model.DocumentType);
        }

        return folded;
    }

    private string[] EventTypeNames(IWriteModelFold model) =>
        ((EventFilterable)Activator.CreateInstance(model.ProjectionType)!).IncludedEventTypes
        .Select(t => ((DocumentStore)store).Events.EventMappingFor(t).EventTypeName).ToArray();

    private async Task<bool> HasDocumentsAsync(IWriteModelFold model, CancellationToken ct)
    {
        await using var any = database.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {StoreTables.Of(model.DocumentType)})");
        return await any.ExecuteScalarAsync(ct) is true;
    }
}
