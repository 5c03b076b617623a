using CrossLearn.Features.Live;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Npgsql;

namespace CrossLearn.Tests.Live;

/// <summary>
/// Streams follow the feed by id. If a later id could become visible while an earlier one was still uncommitted, a
/// reader would move past the earlier one and never deliver it (the full benchmark lost 2 of 133 that way).
/// </summary>
public sealed class LiveFeedOrderTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task A_notification_cannot_become_visible_before_one_still_being_written()
    {
        var runtime = await TestDatabase.RuntimeConnectionStringAsync();
        var marker = Guid.NewGuid().ToString("N");
        await using var first = new NpgsqlConnection(runtime);
        await first.OpenAsync();
        await using var slow = await first.BeginTransactionAsync();
        await LiveFeed.PublishAsync(first, null, "order.test", new { marker, n = 1 }, default);

        // A second writer, while the first has not committed.
        var second = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(runtime);
            await connection.OpenAsync();
            await LiveFeed.PublishAsync(connection, null, "order.test", new { marker, n = 2 }, default);
        });

        // It waits for the first writer's commit (PostgreSQL shows it waiting on the advisory lock) ...
        await WaitUntilAsync(async () => await WaitingOnAdvisoryLockAsync() > 0);
        Assert.False(second.IsCompleted);
        Assert.Empty(await RowsAsync(marker));

        // ... and only then gets its id, after the first one's.
        await slow.CommitAsync();
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], (await RowsAsync(marker)).Select(r => r.N));
    }

    private static async Task<int> WaitingOnAdvisoryLockAsync()
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = {WriteLocks.Space} AND objid = {WriteLocks.LiveFeedOrderKey}",
            connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync());
    }

    private static async Task<List<(long Id, int N)>> RowsAsync(string marker)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT id, (payload->>'n')::int FROM {EventStore.Schema}.live_feed WHERE payload->>'marker' = @marker ORDER BY id", connection);
        command.Parameters.AddWithValue("marker", marker);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, int)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0), reader.GetInt32(1)));
        return rows;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the second writer never waited");
            await Task.Delay(20);
        }
    }
}
