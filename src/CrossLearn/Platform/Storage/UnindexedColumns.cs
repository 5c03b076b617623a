using CrossLearn.Platform.Http;
using System.Linq.Expressions;
using Marten;
using Marten.Schema;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Document members copied into real columns for a module's SQL, without the index Marten's <c>Duplicate</c> adds to each.
/// </summary>
/// <remarks>
/// For columns read in whole-table scans (the aggregation, population analytics, the rank snapshot): nothing filters or
/// sorts by one of them, so an index would never be read, but it would be written on every change (docs/benchmarks.md,
/// "Profile": the profile's five indexes on every turn, the memory's three on every memory event).
/// </remarks>
public static class UnindexedColumns
{
    public static void DuplicateWithoutIndex<T>(this StoreOptions options, params Expression<Func<T, object?>>[] members) =>
        options.Policies.ForAllDocuments(mapping =>
        {
            if (mapping.DocumentType != typeof(T)) return;
            foreach (var member in members)
            {
                var body = member.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : member.Body;
                mapping.DuplicateField([((MemberExpression)body).Member]);
            }
        });
}
