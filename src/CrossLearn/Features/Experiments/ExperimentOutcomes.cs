using CrossLearn.Platform.Sharding;
using Marten;

namespace CrossLearn.Features.Experiments;

/// <summary>
/// The outcomes of experiments from every shard database: an outcome is one user's, written inline by their stream in
/// their database, while the experiments themselves are no user's (the first database).
/// </summary>
public sealed class ExperimentOutcomes(ShardSessions sessions)
{
    public async Task<IReadOnlyList<ExperimentOutcome>> OfAsync(IReadOnlyCollection<Guid> experimentIds, CancellationToken ct)
    {
        if (experimentIds.Count == 0) return [];
        var ids = experimentIds.ToArray();
        var outcomes = new List<ExperimentOutcome>();
        foreach (var database in sessions.Map.Databases)
        {
            await using var session = sessions.Query(database);
            outcomes.AddRange(await session.Query<ExperimentOutcome>().Where(o => o.ExperimentId.IsOneOf(ids)).ToListAsync(ct));
        }

        return outcomes;
    }
}
