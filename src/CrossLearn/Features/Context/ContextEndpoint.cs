using System.Security.Claims;
using CrossLearn.Features.Analytics;
using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CrossLearn.Features.Context;

/// <summary>
/// What an answer is given with. <see cref="ContextId"/> names exactly these items at these versions: sent back with
/// the turn (<c>POST /api/turns</c>), it records them as the turn's exposures, and the turn's ratings become their outcomes.
/// </summary>
public sealed record ContextView(
    string ContextId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt,
    IReadOnlyList<MemoryView> Memories, IReadOnlyList<KnowledgeView> Knowledge, IReadOnlyList<ContextExperiment> Experiments,
    IReadOnlyList<Clusters.RecommendationView> Recommendations, IReadOnlyList<Clusters.ClusterKnowledgeView> ClusterKnowledge);

/// <summary>An experiment this user takes part in, and their arm: in treatment its pattern is among the knowledge, in control it is withheld.</summary>
public sealed record ContextExperiment(Guid ExperimentId, string Type, string Key, string Arm);

/// <summary>What the chat app asks before it answers a user: their memories and the global knowledge that fits them.</summary>
public static class ContextEndpoint
{
    // The user's data is read through UserScopedReads, in their shard database; the session reads what is shared
    // (knowledge, experiments, cluster knowledge), in the first database.
    [WolverineGet("/api/me/context")]
    [NotTenanted]
    [Authorize(Policy = Policies.SignedIn)]
    public static Task<ContextView> Get(
        ClaimsPrincipal principal, UserScopedReads reads, IQuerySession session, ContextIds ids, ContextSettings settings, KnowledgeRanking ranking,
        Clusters.RecommendationReader recommender, PopulationRanks ranks, TimeProvider time, CancellationToken ct) =>
        ForUserAsync(Caller.From(principal).UserId, reads, session, ids, settings, ranking, recommender, ranks, time, ct);

    /// <summary>The same for a named user: for the chat app's service token (which answers for its users) and admins.</summary>
    [WolverineGet("/api/users/{userId}/context")]
    [NotTenanted]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType<ContextView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public static async Task<IResult> GetForUser(
        string userId, ClaimsPrincipal principal, UserScopedReads reads, IQuerySession session, ContextIds ids, ContextSettings settings,
        KnowledgeRanking ranking, Clusters.RecommendationReader recommender, PopulationRanks ranks, TimeProvider time, CancellationToken ct)
    {
        if (Caller.From(principal).RefusalToRead(userId, "context") is { } refusal) return refusal;
        return Results.Ok(await ForUserAsync(userId, reads, session, ids, settings, ranking, recommender, ranks, time, ct));
    }

    public static async Task<ContextView> ForUserAsync(
        string userId, UserScopedReads reads, IQuerySession session, ContextIds ids, ContextSettings settings, KnowledgeRanking ranking,
        Clusters.RecommendationReader recommender, PopulationRanks ranks, TimeProvider time, CancellationToken ct)
    {
        IReadOnlyList<MemoryView> taught;
        UserProfile? profile;
        Clusters.ClusterMembership? membership;
        await using (var scope = await reads.OpenAsync(userId, ct))
        {
            // The user's memories, profile and cluster in one round trip.
            var batch = scope.Session.CreateBatchQuery();
            var loadedMemories = batch.Query<Memory>().Where(m => m.UserId == userId).ToList();
            var loadedProfile = batch.Load<UserProfile>(userId);
            var loadedMembership = batch.Load<Clusters.ClusterMembership>(userId);
            await batch.Execute(ct);
            (taught, profile, membership) = (MemoryView.StrongestFirst(await loadedMemories), await loadedProfile, await loadedMembership);
        }

        var memories = taught.Take(settings.MaxMemories).ToList();
        // Knowledge a user said the opposite of is left out: ask for as many more as they have preferences to oppose it.
        var opposing = taught.Count(m => m.Type is MemoryTypes.Preference or MemoryTypes.NegativePreference);
        var knowledge = (await LearningEndpoints.TopKnowledgeAsync(session, ranking, settings.MaxKnowledge + opposing, ct))
            .Where(k => !Contradicts(k, taught)).Take(settings.MaxKnowledge).ToList();
        // Running experiments split this user; concluded ones measured their pattern's lift (the prediction). One query.
        var judged = await session.Query<Experiment>().Where(e => e.Status != ExperimentStatuses.Stopped).ToListAsync(ct);
        // An experiment asks what the pattern does for those who have not taught it: its holders, and users who said the
        // opposite, are not in it. Of the rest, a user is in the longest running few (chosen without looking at arms).
        var experiments = judged.Where(e => e.Status == ExperimentStatuses.Running)
            .Where(e => !taught.Any(m => m.Key == e.Key && (m.Type == e.Type || Opposite(m.Type, e.Type))))
            .OrderBy(e => e.StartedAt).ThenBy(e => e.Id).Take(settings.MaxExperiments).ToList();
        var tested = new Dictionary<string, Pattern>();
        var promotedTested = new Dictionary<string, KnowledgeView>();
        if (experiments.Count > 0)
        {
            var patternIds = experiments.Select(e => e.PatternId).ToList();
            tested = (await session.LoadManyAsync<Pattern>(ct, patternIds)).ToDictionary(p => p.Id);
            // Tested knowledge beyond the highest ranked: a treatment arm still gets it as it is.
            var beyond = patternIds.Where(id => knowledge.All(k => Pattern.IdFor(k.Type, k.Key) != id)).ToList();
            if (beyond.Count > 0)
                promotedTested = (await LearningEndpoints.ViewsAsync(session, ranking.Figures, beyond, ct))
                    .ToDictionary(k => Pattern.IdFor(k.Type, k.Key));
        }

        var items = memories.Select(m => new Exposure(ContextItemKinds.Memory, m.Type, m.Key, m.Version)).ToList();
        var arms = new List<ContextExperiment>();
        var withheld = new List<Exposure>();
        foreach (var experiment in experiments.OrderBy(e => e.Id))
        {
            var arm = ExperimentArms.Of(experiment.Id.ToString(), userId, experiment.TreatmentShare);
            var exposure = new Exposure(ContextItemKinds.Knowledge, experiment.Type, experiment.Key, experiment.StartedAtVersion, arm, experiment.Id);
            var promoted = knowledge.FindIndex(k => k.Type == experiment.Type && k.Key == experiment.Key);
            if (arm == ExperimentArms.Treatment)
            {
                var pattern = tested.GetValueOrDefault(experiment.PatternId);
                var given = promoted >= 0 ? knowledge[promoted]
                    : promotedTested.GetValueOrDefault(experiment.PatternId)
                      ?? new KnowledgeView(experiment.Type, experiment.Key, pattern?.UserCount ?? 0, pattern?.SuccessRate, null, experiment.StartedAtVersion);
                var trial = given with { ExperimentId = experiment.Id, Arm = arm, Version = experiment.StartedAtVersion };
                if (promoted >= 0) knowledge[promoted] = trial;
                else knowledge.Add(trial);
            }
            else
            {
                if (promoted >= 0) knowledge.RemoveAt(promoted);
                withheld.Add(exposure);
            }

            arms.Add(new ContextExperiment(experiment.Id, experiment.Type, experiment.Key, arm));
        }

        // What each item is predicted to do for this user: the population, the user's own ratings, and the item's lift
        // where an experiment measured it (given against withheld, the latest concluded one of its pattern).
        var population = await ranks.CurrentAsync(ct);
        var global = new Evidence(population.RatedTurns, population.SuccessfulTurns);
        var user = new Evidence(profile?.RatedTurns ?? 0, profile?.SuccessfulTurns ?? 0);
        var measured = judged.Where(e => e.Status == ExperimentStatuses.Concluded)
            .GroupBy(e => e.PatternId).ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.ConcludedAt).First().Result!);
        for (var i = 0; i < knowledge.Count; i++)
        {
            var lift = measured.GetValueOrDefault(Pattern.IdFor(knowledge[i].Type, knowledge[i].Key));
            var predicted = SuccessPrediction.Predict(global, user,
                lift == null ? null : new Evidence(lift.Treatment.RatedTurns, lift.Treatment.Successes),
                lift == null ? null : new Evidence(lift.Control.RatedTurns, lift.Control.Successes));
            knowledge[i] = knowledge[i] with { PredictedSuccess = Math.Round(predicted, 4) };
        }

        items.AddRange(knowledge.Select(k => new Exposure(ContextItemKinds.Knowledge, k.Type, k.Key, k.Version, k.Arm, k.ExperimentId)));
        items.AddRange(withheld);
        var recommended = settings.MaxRecommendations == 0 ? []
            : (await recommender.ForUserAsync(userId, ct)).Items.Take(settings.MaxRecommendations).ToList();
        items.AddRange(recommended.Select(r => new Exposure(ContextItemKinds.Recommendation, r.Type, r.Key, 0)));
        // The cluster's own knowledge: what the global knowledge (and the experiments' arms) already decided is not repeated.
        var decided = knowledge.Select(k => Pattern.IdFor(k.Type, k.Key)).Concat(experiments.Select(e => e.PatternId)).ToHashSet();
        var clusterKnowledge = membership == null || settings.MaxClusterKnowledge == 0 ? []
            : (await Clusters.ClusterKnowledgeEndpoints.OfClusterAsync(session, membership.ClusterId, settings.MaxClusterKnowledge + opposing + decided.Count, ct))
            .Select(k => Clusters.ClusterKnowledgeView.Of(k, rounded: true))
            .Where(k => !decided.Contains(Pattern.IdFor(k.Type, k.Key)) && !taught.Any(m => m.Key == k.Key && Opposite(m.Type, k.Type)))
            .Take(settings.MaxClusterKnowledge).ToList();
        items.AddRange(clusterKnowledge.Select(k => new Exposure(ContextItemKinds.ClusterKnowledge, k.Type, k.Key, k.Version)));

        var now = time.GetUtcNow();
        // Milliseconds are what the id keeps; the view says the same moment.
        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var contextId = ids.Issue(new IssuedContext(userId, issuedAt, items));
        return new ContextView(contextId, issuedAt, issuedAt + ids.Lifetime, memories, knowledge, arms, recommended, clusterKnowledge);
    }

    private static bool Opposite(string a, string b) =>
        (a, b) is (MemoryTypes.NegativePreference, MemoryTypes.Preference) or (MemoryTypes.Preference, MemoryTypes.NegativePreference);

    /// <summary>A user who said "never X" is not told "users prefer X", and the reverse.</summary>
    public static bool Contradicts(KnowledgeView knowledge, IEnumerable<MemoryView> memories) =>
        memories.Any(m => m.Key == knowledge.Key && Opposite(m.Type, knowledge.Type));
}
