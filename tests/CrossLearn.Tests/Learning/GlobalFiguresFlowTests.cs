using Microsoft.Extensions.DependencyInjection;
using CrossLearn.Features.Learning;
using CrossLearn.Platform.Sharding;
using CrossLearn.Tests.Infrastructure;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;

namespace CrossLearn.Tests.Learning;

/// <summary>
/// The exact global counts through the real service (docs/scaling.md): the shard reports its pattern figures, the
/// global store keeps the latest per (pattern, shard) and sums them.
/// </summary>
public sealed class GlobalFiguresFlowTests(AppFixture app) : IntegrationTest(app)
{
    private async Task<GlobalPatternFigures?> GlobalAsync(string type, string key)
    {
        await using var session = Global.QuerySession();
        return await session.LoadAsync<GlobalPatternFigures>(GlobalPatternFigures.IdFor(type, key));
    }

    [Fact]
    public async Task Turns_ratings_and_erasures_reach_the_global_figures()
    {
        var users = Enumerable.Range(0, 3).Select(_ => NewUser()).ToList();
        await App.TeachAsync(users[0], "I prefer quokka mode.", true, true);
        await App.TeachAsync(users[1], "I prefer quokka mode.", false);
        await App.TeachAsync(users[2], "I prefer quokka mode.");
        await SettleAsync();

        var global = await GlobalAsync("preference", "quokka mode");
        Assert.NotNull(global);
        Assert.Equal(("quokka mode", 3, 3, 2), (global.Key, global.Holders, global.RatedTurns, global.SuccessfulTurns));
        var part = Assert.Single(global.Shards);
        Assert.Equal(ShardSettings.DefaultShardId, part.Key);
        // The single-database set-up: the global store in the shard's database, under a schema of its own.
        await using (var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync()))
        {
            await connection.OpenAsync();
            await using var where = new NpgsqlCommand(
                $"SELECT count(*) FROM information_schema.tables WHERE table_name = 'mt_doc_globalpatternfigures' AND table_schema = '{GlobalStore.Schema}'", connection);
            Assert.Equal(1L, await where.ExecuteScalarAsync());
        }

        await App.EraseMeAsync(users[0]);
        await SettleAsync();
        global = await GlobalAsync("preference", "quokka mode");
        Assert.Equal((2, 1, 0), (global!.Holders, global.RatedTurns, global.SuccessfulTurns));

        await App.EraseMeAsync(users[1]);
        await App.EraseMeAsync(users[2]);
        await SettleAsync();
        global = await GlobalAsync("preference", "quokka mode");
        // Held by nobody: the figures are zero and the key's text is gone; the report number stays.
        Assert.Equal(("", 0), (global!.Key, global.Holders));
        Assert.True(global.Shards[ShardSettings.DefaultShardId].Sequence > part.Value.Sequence);
    }

    [Fact]
    public async Task Shards_reporting_one_pattern_at_once_give_exact_sums()
    {
        var shards = Enumerable.Range(1, 4).Select(i => $"shard-test-{i}").ToList();
        await Task.WhenAll(shards.Select(shard => Task.Run(async () =>
        {
            // Each shard's reports in a shuffled order, one of them twice: its latest (number 20) must win.
            var order = Enumerable.Range(1, 20).OrderBy(_ => Random.Shared.Next()).Append(7);
            foreach (var sequence in order)
                await GlobalFiguresWriter.ApplyAsync(Global,
                    new ShardPatternFiguresReported(shard, sequence, [new PatternFigures("interest", "ferrets", sequence, sequence * 2, sequence)]),
                    CancellationToken.None);
        })));

        var global = await GlobalAsync("interest", "ferrets");
        Assert.Equal((80, 160, 80), (global!.Holders, global.RatedTurns, global.SuccessfulTurns));
        Assert.Equal(shards.Order(), global.Shards.Keys.Order());
    }

    [Fact]
    public async Task After_a_rebuild_the_shard_reports_every_figure_again_and_the_sums_are_as_before()
    {
        foreach (var (user, message) in new[] { (NewUser(), "I prefer quokka mode."), (NewUser(), "I prefer quokka mode. I love jazz."), (NewUser(), "I love jazz.") })
            await App.TeachAsync(user, message, true);
        await SettleAsync();
        var before = await AllGlobalAsync();

        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);
        await SettleAsync();
        var after = await AllGlobalAsync();

        Assert.Equal(before.Select(g => (g.Id, g.Key, g.Holders, g.RatedTurns, g.SuccessfulTurns)), after.Select(g => (g.Id, g.Key, g.Holders, g.RatedTurns, g.SuccessfulTurns)));
        Assert.Equal(2, after.Count(g => g.Holders > 0));
        // Every pattern was reported anew, under a later report number.
        Assert.All(before.Zip(after), pair =>
            Assert.True(pair.Second.Shards[ShardSettings.DefaultShardId].Sequence > pair.First.Shards[ShardSettings.DefaultShardId].Sequence));
    }

    [Fact]
    public async Task A_global_store_that_lost_its_data_gets_every_figure_again()
    {
        foreach (var user in new[] { NewUser(), NewUser() }) await App.TeachAsync(user, "I prefer quokka mode.", true);
        await SettleAsync();
        var before = await AllGlobalAsync();
        Assert.Single(before, g => g.Holders == 2);

        // As if the global database were replaced by an empty one (or restored from an old backup).
        await using (var session = Global.LightweightSession())
        {
            session.DeleteWhere<GlobalPatternFigures>(_ => true);
            session.DeleteWhere<ShardReceipt>(_ => true);
            await session.SaveChangesAsync();
        }

        // The shard's record still says "reported": its next full look finds the global store short and sends all again.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<GlobalPatternFigures> after;
        while ((after = await AllGlobalAsync()).Count < before.Count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(before.Select(g => (g.Id, g.Key, g.Holders, g.RatedTurns, g.SuccessfulTurns)), after.Select(g => (g.Id, g.Key, g.Holders, g.RatedTurns, g.SuccessfulTurns)));
    }

    [Fact]
    public async Task Knowledge_without_global_figures_yet_is_kept_and_knowledge_the_shards_report_unheld_is_demoted()
    {
        // Knowledge: five holders, twenty successful ratings.
        foreach (var user in Enumerable.Range(0, 5).Select(_ => NewUser()))
            for (var i = 0; i < 4; i++) await App.TeachAsync(user, "I prefer wombat mode.", true);
        await SettleAsync();
        var id = GlobalPatternFigures.IdFor("preference", "wombat mode");
        Assert.Contains(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor("reader")), k => k.Key == "wombat mode");
        var bus = Host.Services.GetRequiredService<Wolverine.IMessageBus>();

        // No figures at all, as just after an aggregation promoted it before the shards' next report: nothing is decided.
        await using (var session = Global.LightweightSession())
        {
            session.Delete<GlobalPatternFigures>(id);
            await session.SaveChangesAsync();
        }

        Assert.Equal(new EvaluationResult(0, 0), await bus.InvokeAsync<EvaluationResult>(new EvaluatePatterns([id])));

        // The shards say nobody holds it: demoted.
        await using (var session = Global.LightweightSession())
        {
            session.Store(new GlobalPatternFigures { Id = id, Holders = 0 });
            await session.SaveChangesAsync();
        }

        Assert.Equal(new EvaluationResult(0, 1), await bus.InvokeAsync<EvaluationResult>(new EvaluatePatterns([id])));
    }

    private async Task<List<GlobalPatternFigures>> AllGlobalAsync()
    {
        await using var session = Global.QuerySession();
        return (await session.Query<GlobalPatternFigures>().ToListAsync()).OrderBy(g => g.Id, StringComparer.Ordinal).ToList();
    }
}
