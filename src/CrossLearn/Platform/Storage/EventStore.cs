using CrossLearn.Platform.Http;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Wolverine;
using Wolverine.Marten;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Marten (events + documents) and Wolverine, wired together: the defaults every module shares. Each module adds its
/// own documents, projections and services itself (Features/*/…Module.cs, through ConfigureMarten).
/// </summary>
public static class EventStore
{
    public const string Schema = "crosslearn";

    public static void AddCrossLearnEventStore(this WebApplicationBuilder builder, DatabaseConnections connections)
    {
        builder.Services.AddSingleton(connections);
        builder.Services.AddSingleton(Sharding.ShardSettings.Load(builder.Configuration));

        // One pool per shard database: Marten, Wolverine's message store and our plain SQL (reports, locks) share it.
        var shards = Sharding.ShardMap.Load(builder.Configuration, connections);
        var pools = new Sharding.ShardDataSources(shards, ConnectionTuning.ForMarten);
        builder.Services.AddSingleton(shards);
        builder.Services.AddSingleton(pools);
        builder.Services.AddSingleton(pools.First);
        builder.Services.AddSingleton<Sharding.ShardSessions>();

        builder.Services.AddMarten(options =>
            {
                // Users live in buckets (Platform/Sharding), each bucket a tenant of its shard database; documents
                // stay single-tenanted, as a database holds only its own buckets' users. The first database is also
                // the default tenant's: what is not any user's.
                options.DataSourceFactory(pools, shards.Databases[0].ConnectionString);
                options.MultiTenantedDatabases(tenancy =>
                {
                    foreach (var shard in shards.Databases)
                    {
                        var database = tenancy.AddMultipleTenantDatabase(shard.ConnectionString, shard.Name)
                            .ForTenants(shards.BucketNamesOf(shard).ToArray());
                        if (shard == shards.Databases[0]) database.AsDefault();
                    }
                });
                options.Advanced.DefaultTenantUsageEnabled = true;
                options.DatabaseSchemaName = Schema;
                // System.Text.Json as Marten 9 sets it up, with events read strictly (StrictEventReading).
                if (options.Serializer() is Marten.Services.SystemTextJsonSerializer json)
                    json.Configure(settings => settings.TypeInfoResolver = StrictEventReading.Resolver(settings.TypeInfoResolver));
                // The runtime role may not create anything: SchemaSetup migrates as the schema owner before start.
                options.AutoCreateSchemaObjects = AutoCreate.None;
                // The daemon looks for new events every 250 ms even when idle (Marten's default is slower), so a
                // pattern, a promotion and a live notification follow a turn within about a second.
                options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
                options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
                // A rolled-back append (or an erasure's deleted events) leaves a hole in the event sequence. Marten
                // skips a hole once no transaction that could still fill it is alive (it checks pg_stat_activity and
                // pg_locks), after this settle time (default 3 s). Measured in SequenceGapTests: a pattern formed 0.8-1.3 s
                // after turns behind a fresh hole with the default, 0.2 s with 500 ms. Nothing of ours may keep a
                // transaction open while it waits for the daemon: that alone would hold the hole (erasure used to).
                options.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(500);
                // A writer waiting for its stream's lock (behind a rebuild's batch, or another writer) sits in an open
                // transaction, which the gap check counts as a possible filler of any hole: without a cap a daemon
                // rebuild waiting for the mark to pass a hole and such a writer could wait on each other (seen when
                // rebuilds held every stream: rebuild 500s, projections stuck). Our appends draw their sequence numbers
                // in the statement right before commit, so no live append holds a hole for 10 s.
                options.Projections.SkipStaleGapsDespiteLiveTransactionsAfter = TimeSpan.FromSeconds(10);

                // One stream per user, keyed by the user id from the token.
                options.Events.StreamIdentity = StreamIdentity.AsString;
                options.Events.DatabaseSchemaName = Schema;

                // Poison events (docs/reliability.md): an event that cannot be read or applied is recorded in
                // mt_doc_deadletterevent and skipped, never stops the daemon; the same in a rebuild (Marten's default
                // there is to stop), so a rebuild gives what continuous running gave. Our own batch projection and
                // the live feed dead-letter unknown event shapes themselves (Platform/Storage/DeadLetterRecords.cs).
                foreach (var errors in new[] { options.Projections.Errors, options.Projections.RebuildErrors })
                {
                    errors.SkipApplyErrors = true;
                    errors.SkipSerializationErrors = true;
                    errors.SkipUnknownEvents = true;
                }

            })
            .UseLightweightSessions()
            // Wolverine places the async projections on the nodes (one node each) with its own leader election.
            // Marten's own HotCold election goes through Weasel's lock, which the stand-in DistributedLock
            // package cannot serve (docs/restore-workaround.md).
            .IntegrateWithWolverine(wolverine =>
            {
                wolverine.UseWolverineManagedEventSubscriptionDistribution = true;
                // Wolverine's own tables (inbox, outbox, node registry) live in the first shard database.
                wolverine.MasterDataSource = pools.First;
                wolverine.MainDatabaseConnectionString = shards.Databases[0].ConnectionString;
            });

        builder.Services.AddSingleton<SchemaSetup>();
        builder.Services.AddSingleton<StreamRefolder>();
        builder.Services.AddSingleton<WriteModelBackfill>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SchemaSetup>());
        builder.Services.AddSingleton<UserScopedReads>();

        builder.Host.UseWolverine(options =>
        {
            options.UseRuntimeCompilation();
            // Wolverine's tables are migrated with the rest by SchemaSetup, as the schema owner.
            options.AutoBuildMessageStorageOnStartup = AutoCreate.None;
            // Production loads the handler code generated by `dotnet run --project src/CrossLearn -- codegen write`
            // (src/CrossLearn/Internal/Generated) instead of compiling it with Roslyn at start: the peak working set
            // fell from 467-585 MB to 299-370 MB (docs/benchmarks.md). Re-run `codegen write` after changing an
            // endpoint, a handler or a middleware policy: Production runs the generated code as committed, and fails on a
            // type it does not find (tests/CrossLearn.ReliabilityTests run the service in Production).
            if (builder.Environment.IsProduction()) options.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Static;
            // Where `codegen write` writes: a test regenerates into a folder of its own and compares (GeneratedCodeTests).
            if (builder.Configuration["CodeGeneration:OutputPath"] is { Length: > 0 } output)
                options.CodeGeneration.GeneratedCodeOutputPath = output;
            // Solo suits a single node (no leader election before projections start); Balanced (default) a cluster.
            if (builder.Configuration["Wolverine:DurabilityMode"] is { Length: > 0 } mode)
                options.Durability.Mode = Enum.Parse<DurabilityMode>(mode, ignoreCase: true);
            options.Policies.AutoApplyTransactions();
            if (builder.Configuration.GetValue(ClusterTimings.Setting, true)) ClusterTimings.Apply(options.Durability);
            options.Services.AddSingleton(TimeProvider.System);
        });
    }
}

/// <summary>
/// How fast the cluster notices a node that died without saying goodbye (SIGKILL, OOM, a lost VM). Wolverine's
/// defaults (a heartbeat every 10 s, a node stale after 1 min) leave the async projections, which Wolverine places
/// on one node, stopped for over a minute after a crash, because the dead node still "holds" them. With these, a
/// restarted or surviving node takes them over within seconds (tests/CrossLearn.ReliabilityTests: CrashTests).
/// </summary>
/// <remarks><c>Cluster__FastFailover=false</c> keeps Wolverine's defaults.</remarks>
public static class ClusterTimings
{
    public const string Setting = "Cluster:FastFailover";

    public static void Apply(DurabilitySettings durability)
    {
        durability.FirstHealthCheckExecution = TimeSpan.FromMilliseconds(500);
        durability.HealthCheckPollingTime = TimeSpan.FromSeconds(1);
        // A live node heartbeats every second; four missed heartbeats (and two observations) mean it is gone.
        durability.StaleNodeTimeout = TimeSpan.FromSeconds(4);
        // Worst case after a crash: stale (4 s) plus one assignment check (2 s) before a live node takes over.
        durability.CheckAssignmentPeriod = TimeSpan.FromSeconds(2);
    }
}
