using CrossLearn.Platform.Storage;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CrossLearn.Platform.Http;

/// <summary>The <c>RateLimits</c> section. <c>RateLimits__Enabled=false</c> turns limiting off (benchmarks).</summary>
public sealed class RateLimitSettings
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Writes per minute for one user token.</summary>
    public int UserWritesPerMinute { get; set; } = 120;

    /// <summary>Writes per minute for one service token: a chat app posts for all its users from one token.</summary>
    public int ServiceWritesPerMinute { get; set; } = 60_000;

    /// <summary>Requests per minute from one address without a valid token (including failed sign-ins).</summary>
    public int AnonymousRequestsPerMinute { get; set; } = 120;
}

/// <summary>
/// Token buckets: per user token and per service/admin token for writes, per IP address for anonymous calls.
/// A rejected call gets 429 problem+json with Retry-After.
/// </summary>
public static class RateLimits
{
    public static void AddCrossLearnRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<RateLimitSettings>(builder.Configuration.GetSection(RateLimitSettings.Section));
        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(Partition);
            options.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString();
                await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"Slow down: retry after {seconds} s.");
            };
        });
    }

    private static RateLimitPartition<string> Partition(HttpContext context)
    {
        var settings = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitSettings>>().CurrentValue;
        if (!settings.Enabled) return RateLimitPartition.GetNoLimiter("off");

        var subject = context.User.FindFirstValue(JwtRegisteredClaimNames.Sub);
        if (context.User.Identity?.IsAuthenticated != true || subject == null)
            return Bucket($"ip:{context.Connection.RemoteIpAddress}", settings.AnonymousRequestsPerMinute);

        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            return RateLimitPartition.GetNoLimiter("reads");

        var role = context.User.FindFirstValue(Caller.RoleClaim);
        return role is Roles.Service or Roles.Admin
            ? Bucket($"{role}:{subject}", settings.ServiceWritesPerMinute)
            : Bucket($"user:{subject}", settings.UserWritesPerMinute);
    }

    /// <summary>A bucket of a minute's permits that refills steadily, so bursts are allowed but not floods.</summary>
    private static RateLimitPartition<string> Bucket(string key, int perMinute)
    {
        perMinute = Math.Max(1, perMinute);
        var (period, tokens) = perMinute >= 60 ? (TimeSpan.FromSeconds(1), perMinute / 60) : (TimeSpan.FromSeconds(60.0 / perMinute), 1);
        return RateLimitPartition.GetTokenBucketLimiter($"{key}:{perMinute}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute, TokensPerPeriod = tokens, ReplenishmentPeriod = period, QueueLimit = 0, AutoReplenishment = true
        });
    }
}
