using System.Net.Http.Json;
using System.Text.Json;
using Alba;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Tests.Infrastructure;

/// <summary>Small helpers over Alba for calling the API as a given user.</summary>
public static class ApiClient
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public static Task<IScenarioResult> PostJsonAsync(this AppFixture app, string url, object body, string? token, int expectedStatus) =>
        app.Host.Scenario(s =>
        {
            s.Post.Json(body).ToUrl(url);
            if (token != null) s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.StatusCodeShouldBe(expectedStatus);
        });

    public static Task<IScenarioResult> GetAsync(this AppFixture app, string url, string? token, int expectedStatus = 200) =>
        app.Host.Scenario(s =>
        {
            s.Get.Url(url);
            if (token != null) s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.StatusCodeShouldBe(expectedStatus);
        });

    public static Task<IScenarioResult> DeleteAsync(this AppFixture app, string url, string? token, int expectedStatus) =>
        app.Host.Scenario(s =>
        {
            s.Delete.Url(url);
            if (token != null) s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.StatusCodeShouldBe(expectedStatus);
        });

    /// <summary>DELETE with a JSON body (an erasure carries its confirmation).</summary>
    public static Task<IScenarioResult> DeleteJsonAsync(this AppFixture app, string url, object body, string? token, int expectedStatus) =>
        app.Host.Scenario(s =>
        {
            s.Delete.Json(body).ToUrl(url);
            if (token != null) s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.StatusCodeShouldBe(expectedStatus);
        });

    /// <summary>The user erases their own account, confirming with their id.</summary>
    public static Task<IScenarioResult> EraseMeAsync(this AppFixture app, string userId, int expectedStatus = 204) =>
        app.DeleteJsonAsync("/api/me", new { confirm = userId }, app.TokenFor(userId), expectedStatus);

    /// <summary>An admin (or a caller of <paramref name="role"/>) erases a user, confirming with their id.</summary>
    public static Task<IScenarioResult> EraseUserAsync(this AppFixture app, string userId, int expectedStatus = 204, string role = Roles.Admin) =>
        app.DeleteJsonAsync($"/api/admin/users/{Uri.EscapeDataString(userId)}", new { confirm = userId }, app.TokenFor("boss", role), expectedStatus);

    public static async Task<TurnResult> PostTurnAsync(this AppFixture app, string userId, string userMessage,
        string aiResponse = "Noted.", string? conversationId = null, Guid? turnId = null)
    {
        var result = await app.PostJsonAsync("/api/turns",
            new { userMessage, aiResponse, conversationId, turnId }, app.TokenFor(userId), 201);
        return result.ReadAsJson<TurnResult>()!;
    }

    public static async Task<T> GetJsonAsync<T>(this AppFixture app, string url, string token) =>
        (await app.GetAsync(url, token)).ReadAsJson<T>()!;

    /// <summary>The problem+json body of an error response, checked for its content type.</summary>
    public static JsonElement Problem(this IScenarioResult result)
    {
        Assert.Equal("application/problem+json", result.Context.Response.ContentType?.Split(';')[0]);
        return JsonDocument.Parse(result.ReadAsText()).RootElement;
    }
}

public sealed record LearnedDto(string Type, string Key, string Value, double Confidence);
public sealed record TurnResult(Guid TurnId, string ConversationId, List<LearnedDto> Learned);
public sealed record MemoryDto(string Type, string Key, string Value, double Confidence, DateTimeOffset FirstLearnedAt,
    DateTimeOffset LastSeenAt, int TimesSeen, List<Guid> SourceTurnIds, string Id = "", long Version = 0);
public sealed record MeDto(string UserId, string Role, int MemoryCount, int InteractionCount, DateTimeOffset? FirstSeenAt, DateTimeOffset? LastSeenAt);
public sealed record TurnViewDto(Guid TurnId, string UserMessage, string AiResponse, DateTimeOffset RecordedAt, bool? Success, GivenContextDto? GivenWith = null);
public sealed record ExposureDto(string Id, string Kind, string Type, string Key, long Version, string? Arm);
public sealed record GivenContextDto(DateTimeOffset IssuedAt, List<ExposureDto> Items);
public sealed record ConversationDto(string ConversationId, DateTimeOffset StartedAt, DateTimeOffset LastTurnAt, int TurnCount, List<TurnViewDto> Turns);

public sealed record PatternDto(string Type, string Key, int UserCount, double? SuccessRate);
public sealed record KnowledgeDto(string Type, string Key, int UserCount, double? SuccessRate, DateTimeOffset PromotedAt, string Id = "", long Version = 0,
    double? PredictedSuccess = null);
public sealed record PercentilesDto(double MemoryCount, double InteractionCount, double? SuccessRate);
public sealed record AnalyticsDto(int MemoryCount, int InteractionCount, double? SuccessRate, PercentilesDto Percentiles, int Population, DateTimeOffset CalculatedAt);
public sealed record ContextDto(List<MemoryDto> Memories, List<KnowledgeDto> Knowledge, string ContextId = "", DateTimeOffset IssuedAt = default, DateTimeOffset ExpiresAt = default);
public sealed record AggregationDto(string RequestedBy, int Patterns, int GlobalPatterns, int Knowledge, int Promoted, int Demoted, int Drifted);
