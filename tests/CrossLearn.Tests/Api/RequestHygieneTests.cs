using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Api;

public sealed class RequestHygieneTests(AppFixture app) : IntegrationTest(app)
{
    private async Task<HttpResponseMessage> PostTurnAsync(string user, string contentType, Encoding encoding)
    {
        using var client = Host.Server.CreateClient();
        var content = new ByteArrayContent(encoding.GetBytes("""{"userMessage":"I prefer media tea.","aiResponse":"Noted."}"""));
        // Set without validation, exactly as a client sends it.
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/turns") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", App.TokenFor(user));
        return await client.SendAsync(request);
    }

    [Theory]
    [InlineData("Application/JSON")]
    [InlineData("APPLICATION/JSON; Charset=UTF-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/vnd.crosslearn+json")]
    public async Task Media_types_and_charsets_are_case_insensitive(string contentType)
    {
        var user = NewUser();
        using var response = await PostTurnAsync(user, contentType, Encoding.UTF8);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);
    }

    [Theory]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task Json_in_a_charset_other_than_utf8_is_a_clear_415_and_records_nothing(string contentType)
    {
        var user = NewUser();
        using var response = await PostTurnAsync(user, contentType, contentType.Contains("16") ? Encoding.Unicode : Encoding.Latin1);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("UTF-8", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_problem_json()
    {
        using var response = await PostTurnAsync(NewUser(), "text/plain", Encoding.UTF8);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/me/memories/preference/../..", true)]
    [InlineData("/api/me/memories/preference/%2E%2E/%2e%2e", true)]
    [InlineData("/api/me/./memories", true)]
    [InlineData("/api/me/memories/preference/..?x=1", true)]
    [InlineData("/api/me/memories/preference/tea", false)]
    [InlineData("/api/me/memories/preference/a..b", false)]
    [InlineData("/api/me/memories/preference/...", false)]
    [InlineData("/api/me/memories?path=../..", false)]
    [InlineData(null, false)]
    public void Dot_segments_are_found_as_sent_or_percent_encoded(string? rawTarget, bool found) =>
        Assert.Equal(found, RequestHygiene.HasDotSegment(rawTarget));
}
