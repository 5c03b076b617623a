using CrossLearn.Features.Learning;
using CrossLearn.Platform.Storage;
using CrossLearn.ReliabilityTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace CrossLearn.ReliabilityTests;

/// <summary>
/// The global store on a PostgreSQL of its own (docs/scaling.md) goes down for 4 s under load: turns and ratings go on
/// in the shard (no 503, nothing unexpected), and once it is back the global figures equal the shard's patterns
/// exactly, with nothing acknowledged lost.
/// </summary>
public sealed class GlobalOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ingest_goes_on_while_the_global_database_is_down_and_the_global_figures_catch_up_exactly()
    {
        var seed = Environment.TickCount;
        var users = Enumerable.Range(0, 60).Select(i => $"globaldown-{seed}-{i:000}").ToList();
        // Stopped when the test ends (the run's exit stops the shared cluster; a second one was left running there).
        await using var global = await ReliabilityGlobalDatabase.ServerAsync();
        await using var service = await ReliabilityService.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings__Global"] = await global.RuntimeConnectionStringAsync(),
            ["ConnectionStrings__GlobalOwner"] = global.ConnectionString(),
        });

        var ledger = new Ledger();
        using var stop = new CancellationTokenSource();
        var load = new LoadClients(service, users, ledger, seed).RunAsync(stop.Token);
        await Task.Delay(2000);
        await GlobalFiguresEqualTheShardsAsync(global.ConnectionString(), TimeSpan.FromSeconds(30));

        var acknowledgedBefore = ledger.Turns.Count;
        await global.RestartAsync(TimeSpan.FromSeconds(4));
        var acknowledgedDuring = ledger.Turns.Count - acknowledgedBefore;
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(2000);
        stop.Cancel();
        await load;

        Assert.True(ledger.Unexpected.IsEmpty, $"unexpected: {string.Join("; ", ledger.Unexpected)}\nservice log (end):\n{service.Log[^Math.Min(6000, service.Log.Length)..]}");
        Assert.Equal(0, ledger.Unavailable);
        Assert.True(acknowledgedDuring > 0, "no turn was recorded while the global database was down");

        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(10));
        var caughtUp = await GlobalFiguresEqualTheShardsAsync(global.ConnectionString(), TimeSpan.FromSeconds(30));
        var figures = await Verification.NothingLostOrDoubledAsync(ledger);
        RunFigures.Record(output, $"global database down 4 s: {acknowledgedDuring} turns recorded meanwhile, global figures equal the shard's " +
                                  $"{caughtUp.TotalSeconds:0.0} s after the load stopped; turns checked {figures.TurnsChecked}, lost {figures.Lost}, duplicated {figures.Duplicated}");
    }

    /// <summary>Waits until every pattern of the shard has the same figures in the global store, and nothing more is there.</summary>
    private static async Task<TimeSpan> GlobalFiguresEqualTheShardsAsync(string globalConnection, TimeSpan limit)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var shard = await RowsAsync(await ReliabilityDatabase.ConnectionStringAsync(),
                $"SELECT data->>'Type', data->>'Key', user_count, (data->>'RatedTurns')::int, (data->>'SuccessfulTurns')::int FROM {EventStore.Schema}.mt_doc_pattern");
            var summed = await RowsAsync(globalConnection,
                $"SELECT data->>'Type', data->>'Key', holders, (data->>'RatedTurns')::int, (data->>'SuccessfulTurns')::int FROM {GlobalStore.Schema}.mt_doc_globalpatternfigures WHERE holders > 0");
            if (shard.Count > 0 && shard.SetEquals(summed)) return watch.Elapsed;
            if (watch.Elapsed > limit)
                throw new TimeoutException($"After {limit.TotalSeconds} s the global figures differ from the shard's: only in the shard " +
                                           $"[{string.Join("; ", shard.Except(summed).Take(5))}], only in the global store [{string.Join("; ", summed.Except(shard).Take(5))}]");
            await Task.Delay(100);
        }
    }

    private static async Task<HashSet<string>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new HashSet<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i).ToString())));
        return rows;
    }
}
