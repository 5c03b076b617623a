using CrossLearn.Features.Experiments;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CrossLearn.Features.Learning;

/// <summary>The cross-user decisions as they stood at a moment, folded from the knowledge stream (an audit's view).</summary>
public sealed record KnowledgeAtView(
    DateTimeOffset At, IReadOnlyList<KnowledgeItem> Knowledge, IReadOnlyList<Experiment> Experiments, PatternsAged? LatestAging, long StreamVersion);

public static class KnowledgeHistory
{
    /// <summary>The knowledge, experiments and latest aging after <paramref name="events"/> (the knowledge stream, in order), with the projections' own Evolve.</summary>
    public static KnowledgeAtView Fold(IReadOnlyList<IEvent> events, DateTimeOffset at)
    {
        var knowledge = new Dictionary<string, KnowledgeItem>();
        var experiments = new Dictionary<Guid, Experiment>();
        var knowledgeProjection = new KnowledgeProjection();
        var experimentProjection = new ExperimentProjection();
        PatternsAged? aging = null;
        foreach (var e in events)
        {
            foreach (var id in KnowledgeProjection.IdsOf(e.Data))
                if (knowledgeProjection.Evolve(knowledge.GetValueOrDefault(id), id, e) is { } item) knowledge[id] = item;
                else knowledge.Remove(id);
            foreach (var id in ExperimentProjection.IdsOf(e.Data))
                if (experimentProjection.Evolve(experiments.GetValueOrDefault(id), id, e) is { } experiment) experiments[id] = experiment;
            if (e.Data is PatternsAged aged) aging = aged;
        }

        return new KnowledgeAtView(at, [.. knowledge.Values.OrderByDescending(k => k.PromotedAt)], [.. experiments.Values.OrderByDescending(x => x.StartedAt)],
            aging, events.Count == 0 ? 0 : events[^1].Version);
    }
}

public static class KnowledgeHistoryEndpoint
{
    [WolverineGet("/api/admin/knowledge")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<KnowledgeAtView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Get(string? at, IQuerySession session, TimeProvider time, CancellationToken ct)
    {
        var (moment, invalid) = StreamHistory.Moment(at, time.GetUtcNow());
        if (invalid != null) return invalid;
        var (events, unreadable) = await StreamHistory.FetchAsync(session, KnowledgeStream.Key, moment!.Value, "The knowledge stream's events", ct);
        return unreadable ?? Results.Ok(KnowledgeHistory.Fold(events!, moment.Value));
    }
}
