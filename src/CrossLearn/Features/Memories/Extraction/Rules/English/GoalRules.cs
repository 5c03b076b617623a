using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Goals and interests: "I want to become X", "my goal is to X", "I'm learning X", "I have a degree in X", "my hobby is X".</summary>
internal static class GoalRules
{
    public static readonly CueRule[] All =
    [
        new("becomegoal", AtSubject, 300,
            "(?:" + I + ADV + @"\s+(?:want|hope|plan|aspire|dream|intend)\s+to|" + ID + @"\s+(?:like|love)\s+to|"
            + IM + ADV + @"\s+(?:going|studying|training|planning|hoping|working|in\s+(?:college|school|university))\s+to|"
            + I + @"\s+have\s+a\s+dream\s+to|" + MY + @"\s+(?:life\s+)?(?:goal|dream|ambition|plan)\s+is\s+to)\s+(?:be|become)(?:\s+an?)?(?=\s+\w)",
            BecomeGoal),
        // What the user means to do: "I want to travel to Japan", "I hope to run a marathon", "I'm looking forward to retiring".
        new("want-to", AtSubject, 305,
            // Not "I'd love to ...": a wish, like "if" and "wish", is not a memory.
            "(?:" + I + ADV + @"\s+(?:want|hope|plan|intend|aim|long|yearn)\s+to|" + I + ADV + @"\s+plan\s+on|"
            + IM + ADV + @"\s+(?:planning|hoping|aiming|saving\s+up)\s+to|" + IM + ADV + @"\s+looking\s+forward\s+to)(?=\s+\w)",
            WantTo),
        new("goal", AtSubject, 310,
            MY + @"\s+(?:main\s+|big\s+|current\s+|life\s+|biggest\s+)?(?:goal|dream|ambition)\s+is\s+to\b|" + I + ADV + @"\s+(?:dream|fantasi[sz]e|daydream)\s+(?:of|about)\b",
            c => Goal(c, c.Level)),
        new("interest", AtSubject, 320,
            IM + ADV + @"\s+(?:working\s+on|interested\s+in|learning|studying|passionate\s+about|fascinated\s+by|curious\s+about|practi[cs]ing|getting\s+into|trying\s+to\s+learn|teaching\s+myself|training\s+for|preparing\s+for|majoring\s+in|taking\s+(?:a\s+|some\s+)?(?:class|classes|course|courses|lessons)\s+(?:in|on)|into\s+learning)\b"
            + "|" + IVE + ADV + @"\s+(?:working\s+on|interested\s+in|learning|studying|practi[cs]ing|teaching\s+myself)\b"
            + "|" + I + ADV + @"\s+(?:study|want\s+to\s+learn|majored\s+in)\b|" + MY + @"\s+(?:college\s+)?major\s+(?:is|was)(?:\s+in)?\b",
            c => Thing(Interest, c.Value, c.Level, dropHowTo: true)),
        new("degree", AtSubject, 330,
            I + ADV + @"\s+(?:have|hold|got|earned|finished|completed)\s+(?:a|an|my)\s+(?:\w+'?s?\s+)?(?:degree|masters?|master's|bachelors?|bachelor's|phd|doctorate|diploma)\s+in\b",
            c => Thing(Interest, c.Value, IndirectConfidence)),
        new("hobby", AtSubject, 340, MY + @"\s+(?:main\s+|favou?rite\s+|big(?:gest)?\s+)?(?:hobby|hobbies|passion|passions)\s+(?:is|are|include|includes)\b",
            c => Thing(Interest, c.Value, c.Level, dropHowTo: true)) { Also = (_, hobby) => hobby is null ? null : hobby with { Type = Preference, Confidence = IndirectConfidence } },
        // "I've been traveling a lot", "I just got back from a hike": what the user has been doing, when it is a pastime.
        new("been-doing", AtSubject, 325,
            IVE + ADV + @"(?=\s+[a-z]+ing\b)|" + I + ADV + @"\s+(?:just\s+)?(?:came|got)\s+(?:back|home)\s+from\b",
            Pastime),
        new("been-doing-start", SentenceStart, 127,
            SentenceLead + @"(?:(?:just|i)\s+)?(?:been(?=\s+[a-z]+ing\b)|(?:came|got)\s+(?:back|home)\s+from\b)",
            Pastime),
        // "I spend my free time hiking", "I spend most of my spare time playing chess": a pastime, and a liking.
        new("spend-time", AtSubject, 345,
            I + ADV + @"\s+spend\s+(?:most\s+(?:of\s+)?|all\s+(?:of\s+)?|a\s+lot\s+of\s+|much\s+of\s+)?my\s+(?:free|spare|past|leisure|extra|down|off)\s*time\b",
            c => Thing(Interest, c.Value, ExplicitConfidence)) { Also = (_, pastime) => pastime is null ? null : pastime with { Type = Preference, Confidence = IndirectConfidence } },
    ];

    /// <summary>Things one says one wants to do out of politeness or in passing, not goals ("I want to go to bed").</summary>
    private static readonly HashSet<string> NotGoals = ["go", "sleep", "rest", "leave", "stop", "start", "try", "do", "eat", "have", "make", "take", "keep", "let", "help", "talk", "chat", "share", "thank", "apologize", "apologise", "buy", "order", "check", "change", "cancel", "hear", "listen", "watch",
        "continuing", "going", "doing", "getting", "being", "staying", "keeping", "having", "making", "taking"];

    /// <summary>A pastime the user has been at: an interest, only when the thing is a known pastime ("been feeling sick", "back from the store" are none).</summary>
    private static ExtractedMemory? Pastime(CueContext c) =>
        Thing(Interest, c.Value, IndirectConfidence) is { Category: "activity" or "sport" or "music" or "media" or "travel" } pastime ? pastime : null;

    private static ExtractedMemory? WantTo(CueContext c) => NotGoals.Contains(FirstWord(c.Value)) ? null : Goal(c, IndirectConfidence);

    /// <summary>A goal is an interest in what it is about; an activity is named by its -ing form, as every other memory of it
    /// is ("I want to ride a horse" and "riding horses is my thing": `riding horse`).</summary>
    private static ExtractedMemory? Goal(CueContext c, double confidence)
    {
        // "run a marathon" and "run the marathon" are one goal.
        // The cue's "to" goes with the value, which is then read as a verb ("to ride a horse"; not "forward to the trip").
        var toVerb = EndsWithWord(c.CueText, "to") && !c.CueText.Contains("forward", StringComparison.OrdinalIgnoreCase);
        return Thing(Interest, toVerb ? "to " + c.Value : c.Value, confidence, dropHowTo: true) is { } goal
            ? goal with { Key = string.Join(' ', goal.Key.Split(' ').Where(w => w is not ("a" or "an" or "the"))) }
            : null;
    }

    /// <summary>"I want to become a vet at the zoo": the interest "become vet".</summary>
    private static ExtractedMemory? BecomeGoal(CueContext c)
    {
        var goal = Thing(Interest, CutAt(c.Value, PersonalRules.OccupationEnd()), c.Level);
        return goal is null ? null : goal with { Key = Cap("become " + goal.Key, MaxKeyLength) };
    }
}
