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
        foreach (var data in events.Select(e => e.Data))
        {
            switch (data)
            {
                case MemoryLearned e:
                    var learned = projection.Create(e);
                    memories[learned.Id] = learned;
                    break;
                case MemoryReinforced e when memories.TryGetValue(Memory.IdFor(e.UserId, e.Type, e.Key), out var memory):
                    projection.Apply(e, memory);
                    break;
                case MemoryReplaced e when memories.TryGetValue(Memory.IdFor(e.UserId, e.Type, e.Key), out var memory):
                    projection.Apply(e, memory);
                    break;
                case MemoryRetracted e:
                    memories.Remove(Memory.IdFor(e.UserId, e.Type, e.Key));
                    break;
            }
        }

        return memories.Values.ToList();
    }
}
