using JasperFx;
using Marten;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// The store of what spans users (docs/scaling.md): every shard reports to it. A Marten store of its own, on its own
/// database when <c>ConnectionStrings:Global</c> is set, else in the shard's database under <see cref="GlobalStore.Schema"/>.
/// Modules add their global documents with <c>services.ConfigureMarten&lt;IGlobalStore&gt;(...)</c>.
/// </summary>
public interface IGlobalStore : IDocumentStore;

public static class GlobalStore
{
    public const string Schema = "crosslearn_global";

    public static void AddCrossLearnGlobalStore(this WebApplicationBuilder builder, DatabaseConnections connections)
    {
        var database = NpgsqlDataSource.Create(ConnectionTuning.ForMarten(connections.Global));
        builder.Services.AddMartenStore<IGlobalStore>(options =>
            {
                options.Connection(database);
                options.DatabaseSchemaName = Schema;
                // Migrated by the schema owner before start, as the shard's store is (SchemaSetup).
                options.AutoCreateSchemaObjects = AutoCreate.None;
            })
            .UseLightweightSessions();
    }
}
