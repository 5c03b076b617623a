using System.Security.Claims;
using System.Text.Json.Nodes;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Microsoft.AspNetCore.Authorization;
using CrossLearn.Platform.Sharding;
using Wolverine.Http;

namespace CrossLearn.Features.Live;

/// <summary>
/// GET /api/stream: server-sent events. A user hears their own memory, conversation and analytics events and the
/// global ones; an admin hears everything, each user's frame naming its user (`userId`). The event id is the position in
/// every shard database's feed (<see cref="FeedPosition"/>; the feed row id with one database): reconnecting with
/// Last-Event-ID replays what was missed (up to an hour back).
/// </summary>
public static class StreamEndpoint
{
    /// <summary>Comment lines at this interval keep proxies from closing an idle stream.</summary>
    public static TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    [WolverineGet("/api/stream")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task Get(HttpContext http, ClaimsPrincipal principal, LiveFeedHub hub, ShardMap map, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        var everything = caller.Role == Roles.Admin;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";

        var (id, subscriber) = hub.Subscribe(caller.UserId, everything);
        try
        {
            // Subscribe first, then replay: nothing falls between the two; duplicates are skipped by id.
            var position = FeedPosition.TryParse(http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["lastEventId"].FirstOrDefault(), map.Databases.Count)
                           ?? await hub.NewestAsync(ct);
            await response.WriteAsync($"retry: 2000\n: connected\n\n", ct);
            foreach (var missed in await hub.MissedAsync(position, caller.UserId, everything, 10_000, ct))
                await WriteAsync(response, missed, position, everything, ct);
            await response.Body.FlushAsync(ct);

            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(Heartbeat);
                try
                {
                    var next = await subscriber.Notifications.Reader.ReadAsync(wait.Token);
                    await WriteAsync(response, next, position, everything, ct);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await response.WriteAsync(": heartbeat\n\n", ct);
                }

                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            hub.Unsubscribe(id);
        }
    }

    private static async Task WriteAsync(HttpResponse response, LiveNotification n, FeedPosition position, bool everything, CancellationToken ct)
    {
        if (!position.Advance(n)) return;
        await response.WriteAsync($"id: {position}\nevent: {n.Type}\ndata: {(everything ? ForAdmin(n) : n.Payload)}\n\n", ct);
    }

    /// <summary>An admin hears every user: a user's frame says whose it is, so a page watching one user keeps only theirs.</summary>
    private static string ForAdmin(LiveNotification n)
    {
        if (n.UserId == null || JsonNode.Parse(n.Payload) is not JsonObject payload) return n.Payload;
        payload["userId"] = n.UserId;
        return payload.ToJsonString();
    }
}
