using System.Linq.Expressions;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using Marten;
using Marten.Schema;

namespace CrossLearn.Hosting;

/// <summary>
/// Document members copied into real columns for our SQL, without the index Marten's <c>Duplicate</c> adds to each.
/// </summary>
/// <remarks>
/// The aggregation (<c>AggregateLearnings</c>), population analytics and the rank snapshot read these columns in
/// whole-table scans; nothing filters or sorts by one of them, so their indexes were never read. They were written
/// on every turn, though: the profile's five indexes on every turn (interaction_count changes, so no HOT update),
/// the memory's three on every memory event (docs/benchmarks.md, "Profile").
/// </remarks>
public static class UnindexedColumns
{
    public static void Add(StoreOptions options) =>
        options.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType == typeof(Memory))
                Duplicate<Memory>(mapping, m => m.Type, m => m.Key, m => m.Confidence);
            else if (mapping.DocumentType == typeof(UserProfile))
                Duplicate<UserProfile>(mapping, p => p.MemoryCount, p => p.InteractionCount, p => p.SuccessRate,
                    p => p.RatedTurns, p => p.SuccessfulTurns);
        });

    private static void Duplicate<T>(DocumentMapping mapping, params Expression<Func<T, object?>>[] members)
    {
        foreach (var member in members)
        {
            var body = member.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : member.Body;
            mapping.DuplicateField([((MemberExpression)body).Member]);
        }
    }
}
