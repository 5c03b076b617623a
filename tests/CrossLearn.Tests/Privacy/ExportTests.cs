using System.Text.Json;
using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Privacy;

public sealed class ExportTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task Export_holds_everything_about_the_user_and_nothing_about_others()
    {
        var (user, other) = (NewUser("exp"), NewUser("other"));
        var turn = await App.PostTurnAsync(user, "I prefer tea. My name is Ana.", "Hello Ana");
        await App.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = true }, App.TokenFor(user), 204);
        await App.PostTurnAsync(other, "I prefer other-users-secret.");

        var body = (await App.GetAsync("/api/me/export", App.TokenFor(user))).ReadAsText();
        var export = JsonDocument.Parse(body).RootElement;

        Assert.Equal(user, export.GetProperty("userId").GetString());
        Assert.Equal(1, export.GetProperty("profile").GetProperty("interactionCount").GetInt32());
        var memories = export.GetProperty("memories").EnumerateArray().ToList();
        Assert.Equal(2, memories.Count);
        var source = Assert.Single(memories[0].GetProperty("sources").EnumerateArray());
        Assert.Equal("I prefer tea. My name is Ana.", source.GetProperty("userMessage").GetString());
        Assert.Equal("Hello Ana", export.GetProperty("conversations")[0].GetProperty("turns")[0].GetProperty("aiResponse").GetString());
        Assert.True(Assert.Single(export.GetProperty("feedback").EnumerateArray()).GetProperty("success").GetBoolean());
        Assert.Equal(2, export.GetProperty("analytics").GetProperty("memoryCount").GetInt32());
        Assert.DoesNotContain("other-users-secret", body);
        Assert.DoesNotContain(other, body);
    }
}
