using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// Work and school beyond "I work as X": "I have a job at X", "I work with X", "X is my job", "I'm an employee at X",
/// "I volunteer at X", "I just retired", "I quit my job", "I graduated from X", "I dropped out of X", "I'm in college",
/// "I go to X university", "I got my degree from X".
/// </summary>
internal static class WorkRules
{
    private const string Schools =
        @"college|university|uni|school|high\s+school|grad(?:uate)?\s+school|law\s+school|med(?:ical)?\s+school|"
        + @"community\s+college|business\s+school|art\s+school|culinary\s+school|middle\s+school|kindergarten|academy|the\s+university|a\s+university|the\s+academy|"
        + @"(?:elementary|primary|grade|secondary|boarding|trade|vet|dental|beauty|film|technical|cooking|flight|nursing|pharmacy)\s+school";

    public static readonly CueRule[] All =
    [
        new("job-at", AtSubject, 276,
            I + ADV + @"\s+(?:have|got|found|started|landed)\s+(?:a|my)\s+(?:new\s+|first\s+|part[\s-]time\s+|full[\s-]time\s+|summer\s+|second\s+)?job\s+(?:working\s+)?(?:at|in|with|for)\b",
            c => Personal(PersonalInfoKeys.Workplace, c.Value, ExplicitConfidence)),
        new("work-with", AtSubject, 277,
            I + ADV + @"\s+work(?:ed)?\s+(?:a\s+lot\s+|mostly\s+|mainly\s+|full[\s-]time\s+|part[\s-]time\s+|nights\s+|remotely\s+)?(?:with|from|on)\b",
            // "I work with my mom": whom the user works with, not where.
            c => c.CueText.EndsWith("with", StringComparison.OrdinalIgnoreCase) && StartsWithWord(c.Value, "my") ? null : Personal(PersonalInfoKeys.Workplace, c.Value, IndirectConfidence)),
        // Not "with": "a waitress with long brown hair" says what she looks like.
        new("employee", AtSubject, 278,
            IM + ADV + @"\s+(?:an?\s+)?(?:employee|worker|intern|staff\s+member|contractor|manager|cashier|waiter|waitress|server|assistant|teacher|nurse)\s+(?:at|for|in)\b",
            c => Personal(PersonalInfoKeys.Workplace, c.Value, ExplicitConfidence)),
        new("volunteer", AtSubject, 279, I + ADV + @"\s+(?:volunteer|volunteered)(?:\s+(?:my\s+time|a\s+lot|weekly|regularly))?\s+(?:at|for|with|in)\b",
            c => Keyed(MemoryTypes.Interest, "volunteering", "activity", "volunteering " + c.Value, IndirectConfidence)),
        // A lookahead: the verb stays in the value ("graduated from MIT").
        new("job-change", AtSubject, 280,
            I + ADV + @"(?=\s+(?:retired|quit\s+my\s+job|quit\s+work|left\s+my\s+job|lost\s+my\s+job|got\s+laid\s+off|was\s+laid\s+off|got\s+fired|was\s+fired|got\s+promoted|started\s+a\s+new\s+job|changed\s+careers)\b)",
            c => Slot("job status", "work", c.Value, IndirectConfidence)),
        new("school-change", AtSubject, 281,
            I + ADV + @"(?=\s+(?:graduated|dropped\s+out|got\s+(?:accepted|admitted)\s+(?:to|into)|enrolled\s+in|transferred\s+to|finished\s+(?:school|college|university|high\s+school))\b)"
            // "I'm done with law school", "I'm out of college".
            + "|" + IM + ADV + @"(?=\s+(?:done\s+with|finished\s+with|out\s+of)\s+(?:" + Schools + @")\b)",
            c => Slot("education", "education", c.Value, IndirectConfidence)),
        new("in-school", AtSubject, 282,
            "(?:" + IM + ADV + @"\s+(?:in|at|attending|going\s+to|starting|back\s+in|enrolled\s+in|finishing)|" + I + ADV + @"\s+(?:go|went|attend|attended)\s+to)\s+(?=(?:" + Schools + @")\b)",
            c => Slot("education", "education", c.Value, ExplicitConfidence)),
        new("study-at", AtSubject, 283, I + ADV + @"\s+(?:study|studied|am\s+studying|'m\s+studying)\s+at\b",
            c => Slot("education", "education", c.Value, ExplicitConfidence)),
        new("degree-from", AtSubject, 284,
            I + ADV + @"\s+(?:got|have|earned|received|hold|finished)\s+(?:my|a|an)\s+(?:\w+'?s?\s+)?(?:degree|diploma|masters?|bachelors?|phd|doctorate|mba)\s+(?:from|at)\b",
            c => Slot("education", "education", c.Value, ExplicitConfidence)),
        // "my marketing degree", "my degree in nursing", "my major is history": what the user studied.
        new("my-degree", Mention, 130,
            // "my major" only as a field of study ("my major in college", "my major is"), not "my major concern".
            MY + @"\s+(?<thing>(?:[a-z]+\s+){0,2}(?:degree|diploma|masters|master's|phd|bachelors|bachelor's|major(?=\s+(?:in|is|was)\b))(?:\s+in\s+(?!(?:college|school|university|high\s+school)\b)[a-z]+)?)\b",
            c => Slot("education", "education", c.Value, IndirectConfidence)) { ValueGroup = "thing" },
        // "I'm in the army", "I am military", "I'm a marine".
        new("military", AtSubject, 275,
            IM + ADV + @"\s+(?:in\s+the\s+|serving\s+in\s+the\s+|an?\s+)?(?<thing>military|army|navy|air\s+force|marines?|coast\s+guard|national\s+guard|soldier|sailor)\b(?!\s+(?:brat|base|movie|film|history|fan|biologist|biology|engineer|life|park|animal|corps)s?\b)",
            c => Personal(PersonalInfoKeys.Workplace, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        // "Target is where I work": the place before the cue.
        new("thing-is-where-i-work", ThingFirst, 131,
            @"\s+(?:(?:is|was)\s+)?where\s+i\s+(?:work|worked|am\s+working)\b",
            c => NounPhrases.Last(c.Value, 4) is { Length: > 0 } place ? Personal(PersonalInfoKeys.Workplace, place, ExplicitConfidence) : null) { OnlyWith = ["where i"] },
        // "I spent a decade working in the human services field".
        new("spent-working", AtSubject, 274,
            "(?:" + I + ADV + @"\s+spent|" + IHAVE + ADV + @"\s+spent)\s+(?:a\s+decade|decades|years|a\s+year|\w+\s+years|most\s+of\s+my\s+(?:life|career))\s+working\s+(?:in|at|for|with|on)\b",
            c => Personal(PersonalInfoKeys.Workplace, c.Value, IndirectConfidence)),
        new("thing-is-my-job", ThingFirst, 130,
            @"\s+(?:is|was)\s+(?:my|our)\s+(?:job|profession|career|day\s+job|trade|line\s+of\s+work|occupation)\b",
            c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 4
                ? Personal(PersonalInfoKeys.Occupation, TrimPunctuation(c.Value), ExplicitConfidence)
                : null),
    ];
}
