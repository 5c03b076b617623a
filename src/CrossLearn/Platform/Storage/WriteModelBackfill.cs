using JasperFx.Events.Projections;
using Marten;
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
/// it), a model whose table is empty while events it folds exist is rebuilt from the events, with writers held.
/// </summary>
/// <remarks>
/// Only the empty table is checked: that is what an upgrade leaves, and it costs one probe of the model's table per start. A single
/// document lost by other means is mended by the admin rebuild.
/// </remarks>
public sealed class WriteModelBackfill(
    IDocumentStore store, NpgsqlDataSource database, IEnumerable<InlineWriteModel> models, ILogger<WriteModelBackfill> logger)
{
    public async Task<IReadOnlyList<Type>> RunAsync(CancellationToken ct)
    {
        var rebuilt = new List<Type>();
        foreach (var model in models)
        {
            if (!await IsMissingAsync(model, ct)) continue;
            logger.LogWarning(
                "{Document} is missing while its events exist (a database from before it): rebuilding it from the events",
                model.Document.Name);
            await using (await AllStreams.HoldAsync(database, ct))
            {
                using var daemon = await store.BuildProjectionDaemonAsync();
                await daemon.RebuildProjectionAsync(model.Projection, TimeSpan.FromMinutes(30), ct);
            }

            rebuilt.Add(model.Document);
        }

        return rebuilt;
    }

    private async Task<bool> IsMissingAsync(InlineWriteModel model, CancellationToken ct)
    {
        await using (var any = database.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {StoreTables.Of(model.Document)})"))
            if (await any.ExecuteScalarAsync(ct) is true) return false;

        // Only when the table is empty (a fresh database or an upgrade): this one reads the events.
        var folds = ((EventFilterable)Activator.CreateInstance(model.Projection)!).IncludedEventTypes;
        var eventTypes = folds.Select(t => ((DocumentStore)store).Events.EventMappingFor(t).EventTypeName).ToArray();
        await using var folded = database.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {StoreTables.Events} WHERE type = ANY(@types))");
        folded.Parameters.AddWithValue("types", eventTypes);
        return await folded.ExecuteScalarAsync(ct) is true;
    }
}
