using CrossLearn.Platform.Sharding;
using Microsoft.Extensions.Configuration;

namespace CrossLearn.Tests.Units;

/// <summary>Which database holds each bucket (Sharding:Databases): every bucket exactly once, or the service does not start.</summary>
public sealed class ShardMapTests
{
    private static ShardDatabase Db(string name, string buckets) => new() { Name = name, ConnectionString = $"Host=h;Database={name}", Buckets = buckets };

    [Fact]
    public void Without_configuration_one_database_holds_every_bucket()
    {
        var map = ShardMap.Load(new ConfigurationBuilder().Build(), "shard-0", "Host=h;Database=main", "Host=h;Database=main;Username=owner");

        var only = Assert.Single(map.Databases);
        Assert.Equal(("shard-0", "Host=h;Database=main", "Host=h;Database=main;Username=owner"), (only.Name, only.ConnectionString, only.OwnerConnectionString));
        Assert.Equal(Buckets.Count, map.BucketNamesOf(only).Count);
        Assert.Same(only, map.DatabaseOfUser("alice"));
    }

    [Fact]
    public void Ranges_place_buckets_and_users_follow_their_bucket()
    {
        var map = new ShardMap([Db("one", "0-99, 200-1023"), Db("two", "100-199")]);

        Assert.Equal("one", map.DatabaseOf(0).Name);
        Assert.Equal("two", map.DatabaseOf(100).Name);
        Assert.Equal("two", map.DatabaseOf(199).Name);
        Assert.Equal("one", map.DatabaseOf(1023).Name);
        Assert.Equal(100, map.BucketNamesOf(map.Databases[1]).Count);
        Assert.Equal("b0100", map.BucketNamesOf(map.Databases[1])[0]);
        foreach (var user in Enumerable.Range(0, 500).Select(i => $"user-{i}"))
            Assert.Same(map.DatabaseOf(Buckets.Of(user)), map.DatabaseOfUser(user));
    }

    [Fact]
    public void The_pool_is_read_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sharding:Databases:0:Name"] = "east", ["Sharding:Databases:0:ConnectionString"] = "Host=e", ["Sharding:Databases:0:Buckets"] = "0-511",
            ["Sharding:Databases:1:Name"] = "west", ["Sharding:Databases:1:ConnectionString"] = "Host=w", ["Sharding:Databases:1:Buckets"] = "512-1023",
        }).Build();

        var map = ShardMap.Load(configuration, "shard-0", "Host=main", "Host=main");

        Assert.Equal(["east", "west"], map.Databases.Select(d => d.Name));
        Assert.Equal("west", map.DatabaseOf(512).Name);
    }

    [Theory]
    [InlineData("0-1022", "leaves 1 bucket(s) without a database, the first 1023")]
    [InlineData("0-1023,5", "Bucket 5 is given to both")]
    [InlineData("0-1024", "is not a bucket or a range")]
    [InlineData("10-5", "is not a bucket or a range")]
    [InlineData("all", "is not a bucket or a range")]
    [InlineData("", "has no Buckets")]
    public void A_pool_that_does_not_place_every_bucket_exactly_once_is_refused(string buckets, string expected)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => new ShardMap([Db("one", buckets)]));
        Assert.Contains(expected, refused.Message);
    }

    [Fact]
    public void Names_must_be_distinct_and_not_look_like_buckets()
    {
        Assert.Contains("twice", Assert.Throws<InvalidOperationException>(() => new ShardMap([Db("one", "0-511"), Db("one", "512-1023")])).Message);
        Assert.Contains("not a bucket's name", Assert.Throws<InvalidOperationException>(() => new ShardMap([Db("b0001", "0-1023")])).Message);
        Assert.Contains("no ConnectionString", Assert.Throws<InvalidOperationException>(
            () => new ShardMap([new ShardDatabase { Name = "one", Buckets = "0-1023" }])).Message);
    }

    [Fact]
    public void Two_databases_told_apart_by_their_ports_alone_are_refused()
    {
        ShardDatabase On(string name, string connection, string buckets) => new() { Name = name, ConnectionString = connection, Buckets = buckets };

        var refused = Assert.Throws<InvalidOperationException>(() => new ShardMap(
            [On("east", "Host=db;Port=5432;Database=crosslearn", "0-511"), On("west", "Host=DB;Port=5433;Database=crosslearn", "512-1023")]));
        Assert.Contains("east and west are both database crosslearn on host db", refused.Message);
        // Another host, or another database name on the same host, is a database of its own.
        Assert.Equal(2, new ShardMap([On("east", "Host=db1;Database=crosslearn", "0-511"), On("west", "Host=db2;Database=crosslearn", "512-1023")]).Databases.Count);
        Assert.Equal(2, new ShardMap([On("east", "Host=db;Database=east", "0-511"), On("west", "Host=db;Port=5433;Database=west", "512-1023")]).Databases.Count);
    }
}
