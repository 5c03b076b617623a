using System.Security.Claims;
using CrossLearn.Features.Analytics;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace CrossLearn.Features.Privacy;

public sealed record SourceTurn(Guid TurnId, string UserMessage, DateTimeOffset RecordedAt);

public sealed record ExportedMemory(
    string Type, string Key, string Value, double Confidence, DateTimeOffset FirstLearnedAt, DateTimeOffset LastSeenAt,
    int TimesSeen, IReadOnlyList<SourceTurn> Sources);

public sealed record ExportedFeedback(Guid TurnId, bool Success);

public sealed record UserExport(
    string UserId, DateTimeOffset ExportedAt, MeResponse Profile, IReadOnlyList<ExportedMemory> Memories,
    IReadOnlyList<ConversationView> Conversations, IReadOnlyList<ExportedFeedback> Feedback, AnalyticsView Analytics);

/// <summary>Everything held about the caller, in one JSON document.</summary>
public static class ExportEndpoint
{
    [WolverineGet("/api/me/export")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task<UserExport> Get(
        ClaimsPrincipal principal, UserScopedReads reads, PopulationRanks ranks, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        await using var scope = await reads.OpenAsync(caller.UserId, ct);
        var session = scope.Session;
        var profile = await session.LoadAsync<UserProfile>(caller.UserId, ct);
        var memories = await session.Query<Memory>().Where(m => m.UserId == caller.UserId).ToListAsync(ct);
        var conversations = await GetConversationsEndpoint.ForUserAsync(session, caller.UserId, int.MaxValue, ct);
        var turns = conversations.SelectMany(c => c.Turns).ToDictionary(t => t.TurnId);

        return new UserExport(
            caller.UserId,
            time.GetUtcNow(),
            MeResponse.From(caller, profile),
            memories.OrderByDescending(m => m.Confidence).Select(m => new ExportedMemory(
                m.Type, m.Key, m.Value, m.Confidence, m.FirstLearnedAt, m.LastSeenAt, m.TimesSeen,
                m.SourceTurnIds.Where(turns.ContainsKey).Select(id => new SourceTurn(id, turns[id].UserMessage, turns[id].RecordedAt)).ToList()))
                .ToList(),
            conversations,
            turns.Values.Where(t => t.Success != null).OrderBy(t => t.RecordedAt).Select(t => new ExportedFeedback(t.TurnId, t.Success!.Value)).ToList(),
            await UserAnalytics.ForUserAsync(session, ranks, caller.UserId, ct));
    }
}
