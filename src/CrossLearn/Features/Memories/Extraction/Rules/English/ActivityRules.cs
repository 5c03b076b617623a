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
    // Before All: static fields are set in the order they are written.
    private static readonly string LeisurePlaces = AnyOf("leisure-places");

    public static readonly CueRule[] All =
    [
        // A lookahead: the verb belongs to the value ("play the cello").
        new("activity", AtSubject, 600,
            I + ADV + @"(?=\s+(?:play|watch|read|collect|listen\s+to|eat|drink|cook|bake|paint|draw|knit|sew|hike|swim|surf|ski|fish|hunt|sing|dance|volunteer|ride|build|write|run|garden|go\s+\w+ing|(?:go|head)\s+to\s+(?:the\s+)?" + LeisurePlaces + @"|(?:try\s+to\s+)?hit\s+the\s+gym)\b)",
            Activity) { Also = LikelyLiked },
        new("do-practice", AtSubject, 601, I + ADV + @"\s+(?:do|practi[cs]e|train\s+in|compete\s+in|take\s+part\s+in|participate\s+in|coach|teach)\s+(?=\w)",
            c => Pastime(c.Value)),
        new("able-to", AtSubject, 602,
            "(?:" + I + ADV + @"\s+(?:know\s+how\s+to|can|learned\s+(?:how\s+)?to|taught\s+myself\s+(?:how\s+)?to)(?=\s+(?:speak|play|cook|bake|sing|dance|swim|draw|paint|knit|sew|crochet|code|program|ski|surf|ride|skate|juggle|fish|sail|fly|build|fix|write)\b)|"
            + IM + ADV + @"\s+(?:really\s+|pretty\s+|very\s+)?(?:good|great|skilled|talented|decent)\s+at)",
            c => Pastime(c.Value)),
        new("spend-time", AtSubject, 603,
            I + ADV + @"\s+(?:spend|spent|pass)\s+(?:my|most\s+of\s+my|a\s+lot\s+of|all\s+my|much\s+of\s+my|lots\s+of)?\s*(?:free\s+|spare\s+|extra\s+|weekend\s+|leisure\s+)?(?:time|days|weekends|evenings|summers|afternoons)\s+(?=\w)",
            c => Pastime(c.Value)),
        new("busy-with", AtSubject, 604,
            IM + ADV + @"(?=\s+(?:traveling|travelling|backpacking|touring|working\s+towards?|saving\s+(?:up\s+)?for|building|renovating|writing\s+a|recording|competing\s+in)\b)",
            c => Pastime(c.Value)),
    ];

    /// <summary>A pastime one keeps doing is, most likely, one one likes: a preference too, read indirectly.</summary>
    private static ExtractedMemory? LikelyLiked(CueContext c, ExtractedMemory? done) =>
        done is not null ? done with { Type = MemoryTypes.Preference } : null;

    /// <summary>Something the user does (rather than likes): an interest, keyed by the thing.</summary>
    private static ExtractedMemory? Pastime(string value) =>
        You().IsMatch(value) ? null : Thing(MemoryTypes.Interest, value, IndirectConfidence);

    [GeneratedRegex(@"\b(?:you|your|yours|you're|u|ur)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex You();

    private static readonly Regex GoesTo = new(@"^(?:(?:go|head)\s+to|(?:try\s+to\s+)?hit)\s+(?:the\s+)?(?<place>" + LeisurePlaces + @")\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled);

    /// <summary>How often: a habit, not one visit ("I went to the gym yesterday").</summary>
    [GeneratedRegex(@"\b(?:every|all\s+the\s+time|regularly|a\s+lot|often|daily|weekly|usually|always|most\s+(?:days|weekends|nights|mornings)|on\s+(?:weekends|sundays|saturdays)|whenever|as\s+often\s+as|\d+\s+times\s+a)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Often();

    /// <summary>The verbs the activity cue reads; a later item of a list ("I play the violin and the guitar") has none.</summary>
    private static readonly HashSet<string> ActivityVerbs =
        ["play", "watch", "read", "collect", "listen", "eat", "drink", "cook", "bake", "paint", "draw", "knit", "sew", "hike", "swim", "surf",
         "ski", "fish", "hunt", "sing", "dance", "volunteer", "ride", "build", "write", "run", "garden", "go"];

    private static ExtractedMemory? Activity(CueContext c)
    {
        var value = c.Value;
        // "I go to the gym all the time", "I hit the gym": a place one goes to for a pastime, often (not one visit).
        if (GoesTo.Match(value) is { Success: true } place)
            return Often().IsMatch(c.Sentence) ? Pastime(place.Groups["place"].Value) : null;
        // "I watch you", "I read your answer": about the assistant, not a pastime.
        if (You().IsMatch(value)) return null;
        var verb = FirstWord(value);
        var rest = value[verb.Length..].TrimStart();
        // Alone, only a verb that names a pastime by itself counts: "I swim", not "I play".
        if (rest.Length == 0 && verb is not ("swim" or "surf" or "ski" or "hike" or "knit" or "sew" or "paint" or "draw" or "bake" or "cook" or "dance" or "sing" or "garden" or "fish" or "hunt" or "run" or "volunteer")) return null;
        if (rest.Length > 0 && BadFirstWords.Contains(FirstWord(rest)) && FirstWord(rest) is not ("a" or "an" or "the")) return null;
        // Doing a thing says the user does it, not that they like it ("I run" is an interest, not a preference); the
        // activity is named by its -ing form, as "I love running" names it.
        return Thing(MemoryTypes.Interest, value, IndirectConfidence, startsWithVerb: ActivityVerbs.Contains(verb.ToLowerInvariant()));
    }
}
