using CrossLearn.Features.Clusters;
using Alba;
using Microsoft.AspNetCore.Hosting;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.CommandLine;
using System.Text.Json;
using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Memories.Reextraction;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using Marten;
using Marten.Events;
using Npgsql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Microsoft.Extensions.Logging;

namespace CrossLearn.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class IntegrationCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "integration";
}

/// <summary>Base for integration tests: each test starts from empty data.</summary>
[Collection(IntegrationCollection.Name)]
public abstract class IntegrationTest(AppFixture app) : IAsyncLifetime
{
    protected AppFixture App { get; } = app;
    protected IAlbaHost Host => App.Host;

    public virtual Task InitializeAsync() => ResetAllDataAsync();

    /// <summary>
    /// Empties every document and event table while the daemon keeps running. Stopping and restarting the daemon
    /// here (Marten's ResetAllMartenDataAsync) raced Wolverine's own agent supervision: now and then the async
    /// shards stayed stopped after the restart and the next test timed out. So the daemon is never touched: the
    /// previous test's work is let finish first, and the event sequence is not restarted, so new events come after
    /// everything the daemon has seen, as they do in production.
    /// </summary>
    private async Task ResetAllDataAsync()
    {
        try
        {
            await SettleAsync(timeoutSeconds: 10);
        }
        catch (TimeoutException e)
        {
            // The previous test left the projections behind (that test failed on it already); reset anyway.
            Console.WriteLine($"Reset before {GetType().Name}: projections were not settled: {e.Message}");
        }

        // Documents, events and streams; not the projections' progress (Marten's DeleteAllDocumentsAsync would).
        await using var owner = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await owner.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            DO $$ BEGIN
              EXECUTE (SELECT 'TRUNCATE ' || string_agg(format('%I.%I', schemaname, tablename), ', ') || ' CASCADE'
                       FROM pg_tables WHERE schemaname IN ('{EventStore.Schema}', '{GlobalStore.Schema}')
                       AND (tablename LIKE 'mt\_doc\_%' OR tablename IN ('mt_events', 'mt_streams')));
            END $$;
            """, owner);
        // The service's agents keep writing meanwhile (the shard's reporter, the promotion watcher), each transaction to
        // two tables: TRUNCATE, locking the tables one after another, can meet one of them in a deadlock. PostgreSQL
        // breaks it by failing one side; if that is the reset, it tries again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                await Task.Delay(50 * attempt);
            }
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected static string NewUser(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}";

    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    /// <summary>The store of what spans users (in tests, in the same database under a schema of its own).</summary>
    protected IGlobalStore Global => Host.Services.GetRequiredService<IGlobalStore>();

    /// <summary>
    /// Waits until the async daemon has applied every event and the promotion watcher has judged every
    /// pattern change: what the service reaches "within about a second" on its own.
    /// </summary>
    protected async Task SettleAsync(int timeoutSeconds = 30)
    {
        try
        {
            await WaitForProjectionsAndPromotionsAsync(timeoutSeconds);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nThe service's last warnings:\n{App.Warnings}", e);
        }
    }

    private async Task WaitForProjectionsAndPromotionsAsync(int timeoutSeconds)
    {
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(timeoutSeconds));
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds / 2);

        // Erasures are complete when their markers (the last copies of the user ids) are gone.
        while (true)
        {
            await using var session = Store.QuerySession();
            var pending = await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "user_erasure_started").CountAsync();
            if (pending == 0) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{pending} erasure markers still pending");
            await Task.Delay(50);
        }

        // The global store has every pattern's figures as the shard has them (the shard's reporter is caught up).
        var database = Host.Services.GetRequiredService<NpgsqlDataSource>();
        while (true)
        {
            var unreported = (await ShardFiguresReporter.ChangesAsync(database, CancellationToken.None)).Count;
            if (unreported == 0) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{unreported} pattern figures not reported to the global store");
            await Task.Delay(20);
        }

        // Whichever node leads the promotion watcher, its cursor is in the global store.
        while (true)
        {
            await using var session = Global.QuerySession();
            var newest = await session.Query<GlobalPatternFigures>().OrderByDescending(p => p.Revision).Select(p => p.Revision).FirstOrDefaultAsync();
            var seen = (await session.LoadAsync<PromotionCursor>(PromotionCursor.DocumentId))?.Seen ?? 0;
            if (seen >= newest) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Promotion watcher at {seen}, global figures at {newest}");
            await Task.Delay(20);
        }
    }

    /// <summary>Every read model, serialised in a stable order.</summary>
    protected async Task<Dictionary<string, string>> SnapshotAsync()
    {
        await using var session = Store.QuerySession();
        static string Json<T>(IEnumerable<T> items) => JsonSerializer.Serialize(items);
        return new()
        {
            ["memories"] = Json((await session.Query<Memory>().ToListAsync()).OrderBy(m => m.Id, StringComparer.Ordinal)),
            ["profiles"] = Json((await session.Query<UserProfile>().ToListAsync()).OrderBy(p => p.Id, StringComparer.Ordinal)),
            ["turns"] = Json((await session.Query<Turn>().ToListAsync()).OrderBy(t => t.Id)),
            ["conversations"] = Json((await session.Query<Conversation>().ToListAsync()).OrderBy(c => c.Id, StringComparer.Ordinal)),
            // ChangedAtSequence is the promotion watcher's cursor, not a figure: after an erasure it may point
            // at a deleted event, so it is left out of the comparison.
            ["patterns"] = Json((await session.Query<Pattern>().ToListAsync()).OrderBy(p => p.Id, StringComparer.Ordinal)
                .Select(p => new { p.Id, p.Type, p.Key, p.UserCount, p.RatedTurns, p.SuccessfulTurns })),
            ["holders"] = Json((await session.Query<PatternHolder>().ToListAsync()).OrderBy(h => h.Id, StringComparer.Ordinal)
                .Select(h => new { h.Id, Patterns = h.Patterns.Order(StringComparer.Ordinal).ToList(), h.RatedTurns, h.SuccessfulTurns })),
            ["knowledge"] = Json((await session.Query<KnowledgeItem>().ToListAsync()).OrderBy(k => k.Id, StringComparer.Ordinal)),
            // The write models too: a decision taken after a rebuild is taken from them.
            ["learners"] = Json((await session.Query<Learner>().ToListAsync()).OrderBy(l => l.Id, StringComparer.Ordinal)),
            ["knowledge books"] = Json((await session.Query<KnowledgeBook>().ToListAsync()).OrderBy(b => b.Id, StringComparer.Ordinal)),
            ["re-extraction runs"] = Json((await session.Query<ReextractionRun>().ToListAsync()).OrderBy(r => r.Id, StringComparer.Ordinal)),
            ["experiments"] = Json((await session.Query<Experiment>().ToListAsync()).OrderBy(e => e.Id)),
            ["pattern standings"] = Json((await session.Query<PatternStanding>().ToListAsync()).OrderBy(p => p.Id, StringComparer.Ordinal)),
            ["experiment outcomes"] = Json((await session.Query<ExperimentOutcome>().ToListAsync()).OrderBy(o => o.Id, StringComparer.Ordinal)),
            ["cluster memberships"] = Json((await session.Query<ClusterMembership>().ToListAsync()).OrderBy(m => m.Id, StringComparer.Ordinal)),
            ["clustering runs"] = Json((await session.Query<ClusteringRun>().ToListAsync()).OrderBy(r => r.Id, StringComparer.Ordinal)),
            ["cluster knowledge"] = Json((await session.Query<ClusterKnowledgeItem>().ToListAsync()).OrderBy(k => k.Id, StringComparer.Ordinal)),
            ["cluster knowledge ledger"] = Json(await session.Query<ClusterKnowledgeLedger>().ToListAsync()),
        };
    }
}
