using Alba;
using Microsoft.AspNetCore.Hosting;
using CrossLearn.Hosting;
using JasperFx.CommandLine;
using System.Text.Json;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using Marten;
using Marten.Events;
using Marten.Events.Daemon.Coordination;
using Npgsql;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace CrossLearn.Tests.Infrastructure;

/// <summary>One running CrossLearn (real HTTP pipeline, real PostgreSQL) shared by the integration collection.</summary>
public class AppFixture : IAsyncLifetime
{
    public const string SigningKey = "test-signing-key-0123456789-0123456789-abcdef";

    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Environment variables reach Program before the host is built (settings given to the test host do not).
        Environment.SetEnvironmentVariable("ConnectionStrings__Marten", await TestDatabase.RuntimeConnectionStringAsync());
        Environment.SetEnvironmentVariable("ConnectionStrings__MartenOwner", await TestDatabase.ConnectionStringAsync());
        Environment.SetEnvironmentVariable("Auth__SigningKey", SigningKey);
        // One Solo node whose daemon is paused on every data reset: no failover to tune (Hosting/EventStore.cs).
        Environment.SetEnvironmentVariable("Cluster__FastFailover", "false");

        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("environment", "Testing");
            foreach (var (key, value) in Settings()) builder.UseSetting(key, value);
            builder.ConfigureServices(services =>
            {
                // One node per test process runs the projections; a second host would apply every event again.
                if (RunsProjections) services.RunWolverineInSoloMode();
                else services.ConfigureWolverine(options => options.Durability.Mode = DurabilityMode.MediatorOnly);
                services.DisableAllExternalWolverineTransports();
            });
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Only the main test host runs projections and subscriptions.</summary>
    protected virtual bool RunsProjections => true;

    /// <summary>
    /// Configuration read after the host is built: rate limits off (tests post fast), percentiles ranked against a
    /// distribution read on every request (tests check exact figures right after writing).
    /// </summary>
    protected virtual IEnumerable<(string Key, string Value)> Settings() =>
        [("RateLimits:Enabled", "false"), ("Analytics:DistributionMaxAgeSeconds", "0")];

    public string TokenFor(string userId, string role = Roles.User, TimeSpan? lifetime = null) =>
        TokenIssuer.Issue(new AuthSettings { SigningKey = SigningKey }, userId, role, lifetime ?? TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
}

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
    /// Marten's ResetAllMartenDataAsync, except that the event tables are emptied by the schema owner: restarting
    /// the event sequence needs ownership, which the service's own role rightly lacks.
    /// </summary>
    private async Task ResetAllDataAsync()
    {
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            await Store.Advanced.Clean.DeleteAllDocumentsAsync();
            await using var owner = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
            await owner.OpenAsync();
            var schema = EventStore.Schema;
            await using var command = new NpgsqlCommand(
                $"ALTER SEQUENCE {schema}.mt_events_sequence RESTART WITH 1; TRUNCATE {schema}.mt_events, {schema}.mt_streams CASCADE; " +
                $"DELETE FROM {schema}.mt_event_progression;", owner);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected static string NewUser(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}";

    protected IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    /// <summary>
    /// Waits until the async daemon has applied every event and the promotion watcher has judged every
    /// pattern change: what the service reaches "within about a second" on its own.
    /// </summary>
    protected async Task SettleAsync()
    {
        await Host.WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(30));
        // Whichever node leads the promotion watcher, its cursor is in the database.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await using var session = Store.QuerySession();
            var newest = await session.Query<Pattern>().Select(p => p.ChangedAtSequence).OrderByDescending(x => x).FirstOrDefaultAsync();
            var seen = (await session.LoadAsync<PromotionCursor>(PromotionCursor.DocumentId))?.Seen ?? 0;
            if (seen >= newest) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Promotion watcher at {seen}, patterns at {newest}");
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
        };
    }
}
