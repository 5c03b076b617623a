using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Learning;

public sealed class AnalyticsTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task Percentiles_count_the_users_strictly_below_on_a_known_population()
    {
        // a: 1 memory, 2 turns, 1/1 success.  b: 2 memories, 3 turns, 0/1.  c: 3 memories, 3 turns, unrated.
        var (a, b, c) = (NewUser("a"), NewUser("b"), NewUser("c"));
        await App.TeachAsync(a, "I prefer tea.", true);
        await App.TeachAsync(b, "I prefer tea. I like jazz.", false);
        await App.PostTurnAsync(b, "Hello");
        await App.PostTurnAsync(c, "I prefer tea. I like jazz. I love chess.");
        await App.PostTurnAsync(c, "Hello");
        await App.PostTurnAsync(c, "Hello again");

        var forA = await App.GetJsonAsync<AnalyticsDto>("/api/me/analytics", App.TokenFor(a));
        Assert.Equal((1, 2, 1.0, 3), (forA.MemoryCount, forA.InteractionCount, forA.SuccessRate, forA.Population));
        Assert.Equal(new PercentilesDto(0, 0, 50), forA.Percentiles);

        var forB = await App.GetJsonAsync<AnalyticsDto>("/api/me/analytics", App.TokenFor(b));
        Assert.Equal((2, 3, 0.0), (forB.MemoryCount, forB.InteractionCount, forB.SuccessRate));
        Assert.Equal(new PercentilesDto(33.3, 33.3, 0), forB.Percentiles);

        var forC = await App.GetJsonAsync<AnalyticsDto>("/api/me/analytics", App.TokenFor(c));
        Assert.Equal(new PercentilesDto(66.7, 33.3, null), forC.Percentiles);
        Assert.Null(forC.SuccessRate);

        // An admin sees the same for one user on purpose, and distributions for all.
        var viaAdmin = await App.GetJsonAsync<AnalyticsDto>($"/api/admin/users/{c}/analytics", App.TokenFor("boss", "admin"));
        Assert.Equal(forC.Percentiles, viaAdmin.Percentiles);

        var population = await App.GetAsync("/api/admin/analytics", App.TokenFor("boss", "admin"));
        var json = System.Text.Json.JsonDocument.Parse(population.ReadAsText()).RootElement;
        Assert.Equal(3, json.GetProperty("population").GetInt32());
        Assert.Equal(2, json.GetProperty("ratedPopulation").GetInt32());
        Assert.Equal(2.0, json.GetProperty("memoryCount").GetProperty("p50").GetDouble());
        Assert.DoesNotContain(a, population.ReadAsText());
    }

    /// <summary>The admin's distributions are computed over every shard's users in the service: they must be PostgreSQL's.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(250)]
    public async Task Population_percentiles_are_those_of_postgresqls_percentile_cont(int count)
    {
        var random = new Random(count);
        var values = Enumerable.Range(0, count).Select(_ => random.Next(4) == 0 ? random.Next(0, 5) : Math.Round(random.NextDouble() * 100, 3)).Order().ToArray();
        double[] fractions = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99];
        await using var connection = new Npgsql.NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT percentile_cont($1::float8[]) WITHIN GROUP (ORDER BY v) FROM unnest($2::float8[]) v", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = fractions });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = values });
        var expected = (double[])(await command.ExecuteScalarAsync())!;

        var actual = fractions.Select(f => Features.Analytics.PopulationAnalytics.PercentileOfSorted(values, f)).ToArray();
        Assert.Equal(expected.Select(e => Math.Round(e, 9)), actual.Select(a => Math.Round(a, 9)));
    }

    [Theory]
    [InlineData(new[] { 1, 2, 2, 3 }, 2, 1)]
    [InlineData(new[] { 1, 2, 2, 3 }, 0, 0)]
    [InlineData(new[] { 1, 2, 2, 3 }, 4, 4)]
    [InlineData(new int[0], 5, 0)]
    public void Below_counts_strictly_lower_values(int[] sorted, int value, int expected) =>
        Assert.Equal(expected, Features.Analytics.PopulationRanks.Distribution.Below(sorted, value));

    [Fact]
    public async Task A_user_with_no_turns_gets_zeros()
    {
        var analytics = await App.GetJsonAsync<AnalyticsDto>("/api/me/analytics", App.TokenFor(NewUser()));
        Assert.Equal((0, 0, 0), (analytics.MemoryCount, analytics.InteractionCount, analytics.Population));
        Assert.Null(analytics.Percentiles.SuccessRate);
    }
}
