using System.Text.RegularExpressions;
using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Things the user does: "I play the cello", "I go hiking".</summary>
internal static partial class ActivityRules
{
    public static readonly CueRule[] All =
    [
        // A lookahead: the verb belongs to the value ("play the cello").
        new("activity", AtSubject, 600,
            I + ADV + @"(?=\s+(?:play|watch|read|collect|listen\s+to|eat|drink|cook|bake|paint|draw|knit|sew|hike|swim|surf|ski|fish|hunt|sing|dance|volunteer|ride|build|write|run|garden|go\s+\w+ing)\b)",
            Activity),
    ];

    [GeneratedRegex(@"\b(?:you|your|yours|you're|u|ur)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex You();

    private static ExtractedMemory? Activity(CueContext c)
    {
        var value = c.Value;
        // "I watch you", "I read your answer": about the assistant, not a pastime.
        if (You().IsMatch(value)) return null;
        var verb = FirstWord(value);
        var rest = value[verb.Length..].TrimStart();
        // Alone, only a verb that names a pastime by itself counts: "I swim", not "I play".
        if (rest.Length == 0 && verb is not ("swim" or "surf" or "ski" or "hike" or "knit" or "sew" or "paint" or "draw" or "bake" or "cook" or "dance" or "sing" or "garden" or "fish" or "hunt" or "run" or "volunteer")) return null;
        if (rest.Length > 0 && BadFirstWords.Contains(FirstWord(rest)) && FirstWord(rest) is not ("a" or "an" or "the")) return null;
        return Thing(MemoryTypes.Preference, value, IndirectConfidence);
    }
}
