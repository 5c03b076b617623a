using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Api;

public sealed class MemoriesTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task Saying_it_again_reinforces_the_memory()
    {
        var user = NewUser();
        var first = await App.PostTurnAsync(user, "I prefer tea.");
        var second = await App.PostTurnAsync(user, "I prefer tea!");

        var memory = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
        Assert.Equal(2, memory.TimesSeen);
        Assert.True(memory.Confidence > first.Learned[0].Confidence);
        Assert.Equal(memory.Confidence, second.Learned[0].Confidence);
        Assert.Equal([first.TurnId, second.TurnId], memory.SourceTurnIds);
    }

    [Fact]
    public async Task Memories_come_strongest_first()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I think I prefer coffee.");
        await App.PostTurnAsync(user, "I prefer tea.");

        var memories = await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user));
        Assert.Equal(["tea", "coffee"], memories.Select(m => m.Key));
        Assert.True(memories[1].Confidence < 0.7);
    }

    [Fact]
    public async Task A_later_negative_retracts_the_positive_and_the_reverse()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I like coffee.");
        await App.PostTurnAsync(user, "I hate coffee.");
        var memories = await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user));
        Assert.Equal([("negative_preference", "coffee")], memories.Select(m => (m.Type, m.Key)));

        await App.PostTurnAsync(user, "I like coffee.");
        memories = await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user));
        Assert.Equal([("preference", "coffee")], memories.Select(m => (m.Type, m.Key)));
        Assert.Equal(1, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).MemoryCount);
    }

    [Fact]
    public async Task A_new_name_replaces_the_old_one()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "My name is Ana.");
        await App.PostTurnAsync(user, "My name is Joana.");
        var memory = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
        Assert.Equal(("personal_info", "name", "Joana", 1), (memory.Type, memory.Key, memory.Value, memory.TimesSeen));
    }

    [Fact]
    public async Task The_user_erases_a_memory_and_saying_it_again_learns_it_again()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tea.");
        await App.PostTurnAsync(user, "I prefer tea.");

        await App.DeleteAsync("/api/me/memories/preference/tea", App.TokenFor(user), 204);
        Assert.Empty(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
        Assert.Equal(0, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).MemoryCount);
        (await App.DeleteAsync("/api/me/memories/preference/tea", App.TokenFor(user), 404)).Problem();

        await App.PostTurnAsync(user, "I prefer tea.");
        var memory = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
        Assert.Equal(1, memory.TimesSeen);
    }

    [Fact]
    public async Task Keys_with_spaces_and_slashes_can_be_erased()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tabs/spaces mixed.");
        var key = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user))).Key;
        await App.DeleteAsync($"/api/me/memories/preference/{Uri.EscapeDataString(key)}", App.TokenFor(user), 204);
        Assert.Empty(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
    }

    [Fact]
    public async Task A_user_cannot_erase_or_see_another_users_memory()
    {
        var (owner, stranger) = (NewUser(), NewUser());
        await App.PostTurnAsync(owner, "I prefer tea.");

        await App.DeleteAsync("/api/me/memories/preference/tea", App.TokenFor(stranger), 404);
        Assert.Empty(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(stranger)));
        Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(owner)));
    }
}
