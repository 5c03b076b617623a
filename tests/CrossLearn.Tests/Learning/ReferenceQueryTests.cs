using CrossLearn.Features.Learning;
using CrossLearn.Platform.Http;
using Marten;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Npgsql;

namespace CrossLearn.Tests.Learning;

/// <summary>
/// The live pattern counters must equal the seed's reference GROUP BY, run over a plain copy of the memory
/// read model, for random populations (teaching, hedging, contradicting, erasing, rating).
/// </summary>
public sealed class ReferenceQueryTests(AppFixture app) : IntegrationTest(app)
{
    private static readonly string[] Topics = ["tea", "coffee", "dark mode", "vim", "python", "tabs", "jazz"];

    [Theory]
    [InlineData(11)]
    [InlineData(23)]
    [InlineData(47)]
    public async Task Global_patterns_equal_the_reference_query_for_a_random_population(int seed)
    {
        var random = new Random(seed);
        var users = Enumerable.Range(0, 30).Select(i => $"ref{seed}-{i}").ToList();
        var plans = users.Select(u => (User: u, Steps: Enumerable.Range(0, random.Next(1, 7)).Select(_ => NextStep(random)).ToList())).ToList();

        await plans.InParallelAsync(6, async plan =>
        {
            foreach (var (kind, topic, success) in plan.Steps)
            {
                switch (kind)
                {
                    case "erase":
                        await Host.Scenario(s =>
                        {
                            s.Delete.Url($"/api/me/memories/preference/{Uri.EscapeDataString(topic)}");
                            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor(plan.User)}");
                            s.IgnoreStatusCode();
                        });
                        break;
                    case "rate":
                        await App.TeachAsync(plan.User, "Thanks", success);
                        break;
                    default:
                        await App.PostTurnAsync(plan.User, string.Format(kind, topic));
                        break;
                }
            }
        });
        await SettleAsync();

        var expected = await ReferenceAsync();
        var actual = (await App.GetJsonAsync<List<PatternDto>>("/api/patterns", App.TokenFor("observer")))
            .Select(p => (p.Key, p.Type, p.UserCount, p.SuccessRate))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Type, StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);

        // The global store's sums of the shard's reports give the same (docs/scaling.md).
        var global = await GlobalFiguresAsync(expected);
        Assert.Equal(expected, global);
    }

    /// <summary>The global store's patterns of 2+ holders, once they equal <paramref name="expected"/> or after 10 s.</summary>
    private async Task<List<(string Key, string Type, int UserCount, double? SuccessRate)>> GlobalFiguresAsync(
        List<(string Key, string Type, int UserCount, double? SuccessRate)> expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var session = Global.QuerySession();
            var global = (await session.Query<GlobalPatternFigures>().Where(g => g.Holders >= 2).ToListAsync())
                .Select(g => (g.Key, g.Type, UserCount: g.Holders, SuccessRate: g.SuccessRate is { } rate ? Math.Round(rate, 4) : (double?)null))
                .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Type, StringComparer.Ordinal)
                .ToList();
            if (global.SequenceEqual(expected) || DateTime.UtcNow > deadline) return global;
            await Task.Delay(50);
        }
    }

    private static (string Kind, string Topic, bool Success) NextStep(Random random)
    {
        var topic = Topics[random.Next(Topics.Length)];
        var kinds = new[] { "I prefer {0}.", "I prefer {0}.", "I love {0}!", "I think I prefer {0}.", "I hate {0}.", "My name is {0}.", "erase", "rate", "rate" };
        return (kinds[random.Next(kinds.Length)], topic, random.Next(4) > 0);
    }

    /// <summary>The seed's query on a plain table, plus the holders' summed success rate.</summary>
    private async Task<List<(string Key, string Type, int UserCount, double? SuccessRate)>> ReferenceAsync()
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using (var copy = new NpgsqlCommand($"""
            CREATE TEMP TABLE memories AS SELECT user_id, type, key, confidence FROM {EventStore.Schema}.mt_doc_memory;
            CREATE TEMP TABLE ratings AS SELECT id AS user_id, rated_turns AS rated, successful_turns AS successful FROM {EventStore.Schema}.mt_doc_userprofile;
            """, connection))
            await copy.ExecuteNonQueryAsync();

        await using var query = new NpgsqlCommand("""
            WITH patterns AS (
              SELECT key, type, COUNT(DISTINCT user_id) AS users FROM memories
              WHERE confidence >= 0.7 AND type <> 'personal_info' GROUP BY key, type HAVING COUNT(DISTINCT user_id) >= 2)
            SELECT p.key, p.type, p.users::int,
                   CASE WHEN sum(r.rated) > 0 THEN round(sum(r.successful)::numeric / sum(r.rated), 4)::float8 END
            FROM patterns p
            JOIN memories m ON m.key = p.key AND m.type = p.type AND m.confidence >= 0.7
            LEFT JOIN ratings r ON r.user_id = m.user_id
            GROUP BY p.key, p.type, p.users
            ORDER BY p.key, p.type
            """, connection);
        await using var reader = await query.ExecuteReaderAsync();
        var rows = new List<(string, string, int, double?)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetDouble(3)));
        return rows.OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal).ToList();
    }
}
