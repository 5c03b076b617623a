using System.Text;
using CrossLearn.Features.Context;

namespace CrossLearn.Tests.Units;

public sealed class ContextIdsTests
{
    private static readonly DateTimeOffset IssuedAt = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly ContextIds Ids = new(Encoding.UTF8.GetBytes("a-secret-of-at-least-thirty-two-bytes!!"), TimeSpan.FromMinutes(60));

    private static readonly IssuedContext Context = new("alice", IssuedAt,
    [
        new Exposure(ContextItemKinds.Memory, "preference", "dark mode", 3),
        new Exposure(ContextItemKinds.Memory, "personal_info", "name", 12),
        new Exposure(ContextItemKinds.Knowledge, "preference", "c#: async/await · ünïcode", 40_000_000_000, Arm: "treatment")
    ]);

    [Fact]
    public void An_issued_id_reads_back_as_the_same_context_within_its_lifetime()
    {
        var id = Ids.Issue(Context);

        var valid = Assert.IsType<ContextReading.Valid>(Ids.Read(id, "alice", IssuedAt.AddMinutes(59)));
        Assert.Equal(Context.UserId, valid.Context.UserId);
        Assert.Equal(Context.IssuedAt, valid.Context.IssuedAt);
        Assert.Equal(Context.Items, valid.Context.Items);
        Assert.Equal("knowledge:preference:c#: async/await · ünïcode", valid.Context.Items[2].Id);
    }

    [Fact]
    public void An_empty_context_has_an_id_too()
    {
        var valid = Assert.IsType<ContextReading.Valid>(Ids.Read(Ids.Issue(Context with { Items = [] }), "alice", IssuedAt));
        Assert.Empty(valid.Context.Items);
    }

    [Fact]
    public void Another_users_turn_cannot_use_it() =>
        Assert.IsType<ContextReading.Foreign>(Ids.Read(Ids.Issue(Context), "bob", IssuedAt));

    [Fact]
    public void After_its_lifetime_it_has_expired()
    {
        var expired = Assert.IsType<ContextReading.Expired>(Ids.Read(Ids.Issue(Context), "alice", IssuedAt.AddMinutes(60).AddMilliseconds(1)));
        Assert.Equal(IssuedAt.AddMinutes(60), expired.ExpiredAt);
    }

    [Fact]
    public void One_issued_far_in_the_future_is_not_ours() =>
        Assert.IsType<ContextReading.Unknown>(Ids.Read(Ids.Issue(Context), "alice", IssuedAt.AddMinutes(-5)));

    [Fact]
    public void An_altered_id_is_unknown()
    {
        var id = Ids.Issue(Context);
        // Not the last character: some of its bits may be padding, which decoding drops.
        for (var i = 0; i < id.Length - 1; i += 7)
        {
            var altered = id[..i] + (id[i] == 'A' ? 'B' : 'A') + id[(i + 1)..];
            Assert.IsType<ContextReading.Unknown>(Ids.Read(altered, "alice", IssuedAt));
        }

        Assert.IsType<ContextReading.Unknown>(Ids.Read(id[..^1], "alice", IssuedAt));
        Assert.IsType<ContextReading.Unknown>(Ids.Read(id + "A", "alice", IssuedAt));
    }

    [Fact]
    public void An_id_signed_with_another_secret_is_unknown()
    {
        var other = new ContextIds(Encoding.UTF8.GetBytes("another-secret-of-at-least-thirty-two-bytes"), TimeSpan.FromMinutes(60));
        Assert.IsType<ContextReading.Unknown>(Ids.Read(other.Issue(Context), "alice", IssuedAt));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64url!")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Garbage_is_unknown(string id) =>
        Assert.IsType<ContextReading.Unknown>(Ids.Read(id, "alice", IssuedAt));
}
