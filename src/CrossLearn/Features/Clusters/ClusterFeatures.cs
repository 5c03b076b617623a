using CrossLearn.Features.Memories;

namespace CrossLearn.Features.Clusters;

/// <summary>One thing a user taught, as clustering sees it.</summary>
public sealed record TaughtItem(string Type, string Key, string? Category);

/// <summary>
/// What a user is clustered by: the non-personal memories they taught, as tokens (type and canonical key, and the
/// key's category). Personal info never takes part: it would group people by who they are, not by what they like.
/// </summary>
public static class ClusterFeatures
{
    public static IReadOnlySet<string> Tokens(IEnumerable<TaughtItem> taught)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in taught.Where(t => t.Type != MemoryTypes.PersonalInfo))
        {
            tokens.Add($"{item.Type}\u001f{item.Key}");
            if (!string.IsNullOrEmpty(item.Category)) tokens.Add($"category\u001f{item.Type}\u001f{item.Category}");
        }

        return tokens;
    }
}
