using Alba;
using Xunit;
using Microsoft.AspNetCore.Hosting;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.CommandLine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Microsoft.Extensions.Logging;

namespace CrossLearn.Testing;

/// <summary>One running CrossLearn (real HTTP pipeline through Alba, real PostgreSQL) shared by a test collection.</summary>
public class AppFixture : IAsyncLifetime
{
    public const string SigningKey = "test-signing-key-0123456789-0123456789-abcdef";

    public const int ExperimentHorizonUsers = 3;
    public const int ExperimentHorizonRatedTurns = 6;
    public const int RecentWindowRatedTurns = 20;

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>The service's recent warnings and errors, quoted when a test times out waiting for it.</summary>
    public RecentWarnings Warnings { get; } = new();

    public async Task InitializeAsync()
    {
        // Environment variables reach Program before the host is built (settings given to the test host do not).
        Environment.SetEnvironmentVariable("ConnectionStrings__Marten", await TestDatabase.RuntimeConnectionStringAsync());
        Environment.SetEnvironmentVariable("ConnectionStrings__MartenOwner", await TestDatabase.ConnectionStringAsync());
        Environment.SetEnvironmentVariable("Auth__SigningKey", SigningKey);
        // A small horizon, so a test concludes an experiment with a handful of users (ExperimentConclusionTests).
        Environment.SetEnvironmentVariable("Experiments__HorizonUsersPerArm", ExperimentHorizonUsers.ToString());
        Environment.SetEnvironmentVariable("Experiments__HorizonRatedTurnsPerArm", ExperimentHorizonRatedTurns.ToString());
        Environment.SetEnvironmentVariable("Experiments__CheckMilliseconds", "100");
        // Aging only when a test asks (as of a moment it names), over a window a test fills with a few users.
        Environment.SetEnvironmentVariable("Learning__AgeEveryHours", "0");
        // Clustering only when a test asks (ClusterScheduleTests runs the watcher on a clock of its own).
        Environment.SetEnvironmentVariable("Clusters__RunEveryHours", "0");
        Environment.SetEnvironmentVariable("Clusters__KnowledgeEveryMinutes", "0");
        Environment.SetEnvironmentVariable("Learning__RecentWindowRatedTurns", RecentWindowRatedTurns.ToString());
        // Recommendations counted afresh on every request: tests check counts right after writing (and erasing).
        Environment.SetEnvironmentVariable("Recommendations__CacheSeconds", "0");
        // The shard reports its pattern figures to the global store often, so tests wait little for the sums.
        Environment.SetEnvironmentVariable("Sharding__ReportEveryMilliseconds", "100");
        Environment.SetEnvironmentVariable("Sharding__FullLookEvery", "3");

        // A derived fixture's own environment holds for its host only: the next fixture's host must not see it.
        var own = await HostEnvironmentAsync();
        var before = own.Select(e => (e.Key, Value: Environment.GetEnvironmentVariable(e.Key))).ToList();
        foreach (var (key, value) in own) Environment.SetEnvironmentVariable(key, value);
        try
        {
            JasperFxEnvironment.AutoStartHost = true;
            Host = await AlbaHost.For<Program>(builder =>
            {
                builder.UseSetting("environment", "Testing");
                foreach (var (key, value) in Settings()) builder.UseSetting(key, value);
                builder.ConfigureServices(services =>
                {
                    services.AddSingleton<ILoggerProvider>(Warnings);
                    // One node per test process runs the projections; a second host would apply every event again.
                    if (RunsProjections) services.RunWolverineInSoloMode();
                    else services.ConfigureWolverine(options => options.Durability.Mode = DurabilityMode.MediatorOnly);
                    services.DisableAllExternalWolverineTransports();
                });
            });
        }
        finally
        {
            foreach (var (key, value) in before) Environment.SetEnvironmentVariable(key, value);
        }
    }

    /// <summary>
    /// Environment variables a derived fixture sets (or overrides) for its host, read by Program as the host is built:
    /// connection strings, Sharding:Databases.
    /// </summary>
    protected virtual Task<IReadOnlyList<(string Key, string? Value)>> HostEnvironmentAsync() =>
        Task.FromResult<IReadOnlyList<(string Key, string? Value)>>([]);

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
