using JasperFx.Events.Projections;
using Marten;

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
    IDocumentStore store, Sharding.ShardDataSources pools, StreamRefolder refolder, IEnumerable<IWriteModelFold> models,
    ILogger<WriteModelBackfill> logger)
{
    /// <summary>Folds the missing models of every shard database; returns the models folded (in any database).</summary>
    public async Task<IReadOnlyList<Type>> RunAsync(CancellationToken ct)
    {
        var folded = new List<Type>();
        foreach (var database in pools.Map.Databases)
        foreach (var model in models)
        {
            if (await HasDocumentsAsync(database, model, ct)
                || await refolder.StreamsWithAsync(database, EventTypeNames(model), ct) is not { Count: > 0 } streams) continue;
            logger.LogWarning(
                "{Document} is missing in {Database} while {Streams} streams hold its events (a database from before it): folding them",
                model.DocumentType.Name, database.Name, streams.Count);
            await refolder.RefoldAsync(database, [model], streams, ct);
            if (!folded.Contains(model.DocumentType)) folded.Add(model.DocumentType);
        }

        return folded;
    }

    private string[] EventTypeNames(IWriteModelFold model) =>
        ((EventFilterable)Activator.CreateInstance(model.ProjectionType)!).IncludedEventTypes
        .Select(t => ((DocumentStore)store).Events.EventMappingFor(t).EventTypeName).ToArray();

    private async Task<bool> HasDocumentsAsync(Sharding.ShardDatabase database, IWriteModelFold model, CancellationToken ct)
    {
        await using var any = pools.Of(database).CreateCommand($"SELECT EXISTS (SELECT 1 FROM {StoreTables.Of(model.DocumentType)})");
        return await any.ExecuteScalarAsync(ct) is true;
    }
}
