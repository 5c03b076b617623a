using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.ReliabilityTests.Infrastructure;

/// <summary>
/// The service as a process of its own (the solution build's dll, which this project's reference makes the build
/// produce) on the run's PostgreSQL, as the role that owns nothing, in Production.
/// </summary>
public static class ReliabilityService
{
    public const string SigningKey = "reliability-signing-key-0123456789-0123456789-abcdef";

    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = await ReliabilityDatabase.RuntimeConnectionStringAsync(),
            ["ConnectionStrings__MartenOwner"] = await ReliabilityDatabase.ConnectionStringAsync(),
            ["Auth__SigningKey"] = SigningKey,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) settings[key] = value;
        return await ServiceProcess.StartAsync(new ServiceOptions { Environment = settings });
    }

    /// <summary>A token the service started here accepts.</summary>
    public static string Token(this ServiceProcess service, string userId, string role = Roles.User) =>
        TokenIssuer.Issue(new AuthSettings { SigningKey = SigningKey }, userId, role, TimeSpan.FromHours(2), DateTimeOffset.UtcNow);
}
