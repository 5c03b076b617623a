using JasperFx.Events;

namespace CrossLearn.Features.Memories;

/// <summary>
/// A user's memories as they stood after some of their events (point-in-time reads for audits), folded
/// with the same projection code that keeps the live read model.
/// </summary>
public static class MemoryHistory
{
    public static IReadOnlyList<Memory> Fold(IEnumerable<IEvent> events)
    {
        var projection = new MemoryProjection();
        var memories = new Dictionary<string, Memory>();
        foreach (var e in events)
        {
            foreach (var id in MemoryProjection.IdsOf(e.Data))
            {
                if (projection.Evolve(memories.GetValueOrDefault(id), id, e) is { } memory) memories[id] = memory;
                else memories.Remove(id);
            }
        }

        return memories.Values.ToList();
    }
}
