using CrossLearn.Features.Learning;
using CrossLearn.Platform.Storage;
using Marten;
using Wolverine;
using CrossLearn.Platform.Agents;

namespace CrossLearn.Features.Experiments;

/// <summary>Judge these experiments if they reached their horizon, and decide their patterns' promotion on the verdict.</summary>
public sealed record ConcludeExperiments(IReadOnlyList<Guid> ExperimentIds);

public static class ConcludeExperimentsHandler
{
    public static async Task<int> Handle(
        ConcludeExperiments command, IDocumentSession session, ExperimentOutcomes outcomesOfAll, GlobalFiguresReader globalFigures,
        ExperimentSettings settings, LearningSettings learning, TimeProvider time, CancellationToken ct)
    {
        // The knowledge stream, locked until this commit: verdicts and the promotions they decide are taken one at a time.
        var stream = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        var book = stream.Aggregate ?? new KnowledgeBook();
        var now = time.GetUtcNow();
        var concluded = new List<ExperimentConcluded>();
        var experiments = await session.LoadManyAsync<Experiment>(ct, command.ExperimentIds);
        var outcomes = (await outcomesOfAll.OfAsync(experiments.Select(e => e.Id).ToList(), ct)).ToLookup(o => o.ExperimentId);
        foreach (var experiment in experiments)
            if (ExperimentDecider.Conclude(experiment, outcomes[experiment.Id].ToList(), settings, now) is { } verdict) concluded.Add(verdict);

        if (concluded.Count == 0) return 0;
        stream.AppendMany(concluded);

        // The verdict may decide the pattern now (policy "experiment"): judged as the promotion watcher would, with it.
        var verdicts = new Dictionary<string, string>(book.Verdicts);
        foreach (var c in concluded) verdicts[Pattern.IdFor(c.Type, c.Key)] = c.Verdict;
        var ids = concluded.Select(c => Pattern.IdFor(c.Type, c.Key)).ToList();
        // Judged on the figures over all shards, as the promotion watcher judges.
        var figures = (await globalFigures.OfPatternsAsync(ids, ct)).Values
            .Select(f => new Promotion.Figures(f.Type, f.Key, f.Holders, f.RatedTurns, f.SuccessfulTurns));
        stream.AppendMany(Promotion.Decide(figures, ids.Where(book.Promoted.ContainsKey).ToHashSet(), learning, now, verdicts,
            Promotion.FailingOfLate(book, learning)));
        return concluded.Count;
    }
}

/// <summary>
/// Concludes experiments on its own: polls the running ones and sends those at their horizon to
/// <see cref="ConcludeExperimentsHandler"/>, which judges again under the knowledge stream's lock (so looking twice, or
/// from two nodes, concludes once). One instance in the cluster, placed by Wolverine as the promotion watcher is.
/// </summary>
public sealed class ExperimentWatcher(
    IDocumentStore store, ExperimentOutcomes outcomesOfAll, IServiceProvider services, ExperimentSettings settings, ILogger<ExperimentWatcher> logger)
    : PollingAgent("crosslearn-experiments", logger)
{
    protected override TimeSpan Period => TimeSpan.FromMilliseconds(settings.CheckMilliseconds);

    protected override async Task TickAsync(CancellationToken ct)
    {
        var due = await AtHorizonAsync(ct);
        if (due.Count == 0) return;
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<int>(new ConcludeExperiments(due), ct);
    }

    private async Task<IReadOnlyList<Guid>> AtHorizonAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var running = await session.Query<Experiment>().Where(e => e.Status == ExperimentStatuses.Running).Select(e => e.Id).ToListAsync(ct);
        if (running.Count == 0) return [];
        var outcomes = await outcomesOfAll.OfAsync(running, ct);
        return outcomes.GroupBy(o => o.ExperimentId)
            .Where(g => ExperimentDecider.HorizonReached(ExperimentDecider.Compare(g), settings))
            .Select(g => g.Key).ToList();
    }
}
