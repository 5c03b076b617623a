using CrossLearn.Features.Live;

namespace CrossLearn.Tests.Units;

/// <summary>The live stream's event id: a position in each shard database's feed, the plain feed id with one database.</summary>
public sealed class FeedPositionTests
{
    [Fact]
    public void One_database_keeps_the_plain_feed_id_of_before_the_pool()
    {
        var position = FeedPosition.TryParse("1234", databases: 1)!;
        Assert.True(position.Advance(new LiveNotification(1235, null, "pattern.changed", "{}")));
        Assert.Equal("1235", position.ToString());
    }

    [Fact]
    public void A_pool_moves_each_database_on_its_own_and_skips_what_it_saw()
    {
        var position = FeedPosition.TryParse("10.7", databases: 2)!;

        Assert.True(position.Advance(new LiveNotification(8, "u", "memory.learned", "{}", Database: 1)));
        Assert.False(position.Advance(new LiveNotification(8, "u", "memory.learned", "{}", Database: 1)));
        Assert.False(position.Advance(new LiveNotification(9, "u", "memory.learned", "{}", Database: 0)));
        Assert.True(position.Advance(new LiveNotification(11, "u", "memory.learned", "{}", Database: 0)));
        Assert.Equal("11.8", position.ToString());
        Assert.Equal((11, 8), (position[0], position[1]));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("", 1)]
    [InlineData("12", 2)]
    [InlineData("1.2", 1)]
    [InlineData("1.x", 2)]
    [InlineData("-1", 1)]
    [InlineData("1..2", 2)]
    public void What_is_not_a_position_in_this_pool_is_none(string? text, int databases) =>
        Assert.Null(FeedPosition.TryParse(text, databases));
}
