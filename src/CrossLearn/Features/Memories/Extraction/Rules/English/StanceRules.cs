using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// Attitudes told as a thing one has or does: "I have a strong aversion to X", "I have a soft spot for X", "I refuse
/// to X", "I try to avoid X", "I only use X", "I stick to X", "I find X boring", "X is not for me", "X bores me".
/// </summary>
internal static partial class StanceRules
{
    /// <summary>Words that grade the attitude: "a strong aversion", "a deep-seated fear", "an extremely low tolerance".</summary>
    private const string Grade =
        @"(?:\s+(?:strong|stronger|deep|deep-seated|intense|severe|firm|real|huge|big|major|serious|absolute|complete|total|strict|extreme|"
        + @"general|personal|ethical|moral|natural|long-standing|lifelong|growing|particular|definite|clear|slight|mild|genuine|certain|"
        + @"irrational|overwhelming|healthy|great|special|extremely|very|really|quite|somewhat|bit\s+of\s+an?))*";

    private const string Have = @"\s+(?:have|got|feel|harbou?r|hold|developed)\s+";

    // Before All: static fields are set in the order they are written.
    private static readonly List<string> JudgedWell = Lexicon.Entries("en", "judged-well");
    private static readonly List<string> JudgedBadly = Lexicon.Entries("en", "judged-badly");

    public static readonly CueRule[] All =
    [
        new("aversion", AtSubject, 101,
            I + ADV + Have + @"(?:an?|some)?" + Grade
            + @"\s+(?:aversion|dislike|distaste|hatred|disdain|contempt|objection|intolerance|loathing|disgust|fear|phobia|dread|terror|allergy)\s+(?:to|for|of|towards?|against|about|with)\b",
            c => Thing(NegativePreference, c.Value, Graded(c))),
        new("fondness", AtSubject, 102,
            I + ADV + Have + @"(?:an?|some|this|such\s+a)" + Grade
            + @"\s+(?:preference|liking|love|passion|fondness|soft\s+spot|weakness|appreciation|affinity|taste|craving|enthusiasm|thing|fetish|addiction|obsession)\s+(?:for|of|towards?)\b",
            c => Thing(Preference, c.Value, Graded(c))),
        new("no-patience", AtSubject, 103,
            I + ADV + @"\s+(?:have|got)\s+(?:no|zero|little|very\s+little)\s+(?:interest|patience|tolerance|time|use|love|desire|appetite)\s+(?:in|for)\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)),
        new("interest-in", AtSubject, 104,
            I + ADV + Have + @"(?:an?|some)?" + Grade + @"\s+interest\s+in\b",
            c => Thing(Interest, c.Value, ExplicitConfidence)),
        new("refuse", AtSubject, 105, I + ADV + @"\s+(?:refuse|decline)\s+to\b", c => Thing(NegativePreference, c.Value, EmphaticConfidence)),
        new("try-to-avoid", AtSubject, 106,
            I + ADV + @"\s+(?:try|tend|prefer|choose|want|like|aim|need|have)\s+to\s+(?:avoid|stay\s+away\s+from|steer\s+clear\s+of|limit|minimi[sz]e|cut\s+out|cut\s+down\s+on|skip)\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)),
        new("stay-away", AtSubject, 107,
            I + ADV + @"\s+(?:stay\s+away\s+from|steer\s+clear\s+of|keep\s+away\s+from|(?:can't|cannot|can\s+not|cant)\s+(?:eat|drink|tolerate|handle|digest|deal\s+with|bear))\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)),
        new("not-interested", AtSubject, 131,
            IM + ADV + @"\s+not" + ADV + @"\s+(?:interested\s+in|comfortable\s+with|a\s+(?:big\s+|huge\s+)?(?:lover|supporter)\s+of|excited\s+about|enthusiastic\s+about)\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)),
        // "I usually have a cold beer after work": a habit of eating or drinking something (not "I usually have meetings").
        new("usually-have", AtSubject, 189,
            I + @"(?:\s+(?:only|usually|always|often|normally|generally|typically|regularly|mostly|mainly))+(?=\s+(?:have|grab|order)\b)",
            c => Thing(Preference, c.Value, ExplicitConfidence) is { Category: "food" or "drink" } habit ? habit : null),
        // A lookahead: the verb is part of the thing and dropped by the key ("only use X": X).
        new("only", AtSubject, 191,
            I + @"(?:\s+(?:only|exclusively|mostly|mainly|strictly|always|usually|generally))+"
            + @"(?=\s+(?:use|eat|drink|wear|buy|read|watch|listen\s+to|play|drive|stay\s+in|stay\s+at|book|shop\s+at|travel\s+by|fly|cook\s+with|choose|pick|order)\b)",
            c => Thing(Preference, c.Value, ExplicitConfidence)),
        new("stick-to", AtSubject, 192,
            I + ADV + @"\s+(?:stick\s+(?:to|with)|swear\s+by|rely\s+on|opt\s+for|lean\s+towards?|gravitate\s+towards?|go\s+for|look\s+for|seek\s+out|value)\b"
            // "I'll stick with tea": a choice said for now.
            + "|" + ILL + ADV + @"\s+(?:stick\s+(?:to|with)|opt\s+for)\b",
            c => Thing(Preference, c.Value, IndirectConfidence)),
        new("learn-best", AtSubject, 193,
            I + ADV + @"\s+(?:learn|work|study|focus|sleep|think|concentrate|relax)\s+(?:best|better|most\s+effectively)\s+(?:with|through|by|in|when)\b",
            c => Thing(Preference, c.Value, ExplicitConfidence)),
        new("find-it", AtSubject, 194,
            I + ADV + @"\s+find\s+(?<thing>[^,;:.!?]{2,60}?)\s+(?:really\s+|very\s+|so\s+|quite\s+|pretty\s+|extremely\s+|rather\s+|incredibly\s+|too\s+|way\s+too\s+|overly\s+|a\s+bit\s+|somewhat\s+|deeply\s+)?"
            + @"(?:(?<neg>boring|annoying|tedious|overwhelming|stressful|unpleasant|uncomfortable|distracting|childish|demotivating|pointless|"
            + @"exhausting|disgusting|gross|frustrating|irritating|off-putting|unbearable|intimidating|confusing|draining|dull|repetitive|overrated|useless|"
            + @"distressing|unsettling|upsetting|disturbing|scary|frightening|depressing|tiring|awkward|painful|unappealing|unenjoyable|uninteresting|nauseating|tedious|"
            + @"uncomfortable|overstimulating|claustrophobic|stuffy|pretentious|cheesy|tacky|bland|greasy|(?:too|overly)\s+[a-z-]+)"
            + @"|(?<pos>relaxing|fun|enjoyable|interesting|fascinating|calming|soothing|helpful|useful|motivating|inspiring|rewarding|satisfying|"
            + @"delicious|comforting|therapeutic|refreshing|energi[sz]ing|engaging|exciting))\b",
            c => Thing(c.Cue.Groups["neg"].Success ? NegativePreference : Preference, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },

        new("thing-bothers-me", ThingFirst, 110,
            @"\s+(?:really\s+|always\s+|just\s+)?"
            + @"(?<neg>(?:bores|bore|annoys|annoy|scares|scare|disgusts|disgust|terrifies|terrify|bothers|bother|overwhelms|overwhelm|stresses|stress)\s+me"
            + @"|(?:makes?|gives?)\s+me\s+(?:feel\s+)?(?:sick|nauseous|queasy|uncomfortable|anxious|nervous|motion\s+sickness|headaches?|a\s+headache|migraines?|nausea|anxiety|the\s+creeps)"
            + @"|(?:is|are)\s+(?:just\s+|really\s+|definitely\s+)?(?:not\s+for\s+me|a\s+no-go\s+for\s+me|a\s+deal[\s-]breaker|my\s+pet\s+peeve|the\s+worst))\b",
            c => ThingOf(c, NegativePreference)),
        // "my math class, which I despise", "fast food, which I hate", "jazz, which I love": the thing is the noun phrase before.
        new("which-i-feel", ThingFirst, 140,
            @",?\s+(?:which|that)\s+i\s+(?:really\s+|truly\s+|just\s+|absolutely\s+|honestly\s+)?"
            + @"(?:(?<neg>(?:do\s+not|don't|dont)\s+(?:really\s+)?(?:like|enjoy)|hate|despise|detest|loathe|dislike|(?:can't|cannot)\s+stand)|(?<pos>love|adore|enjoy|like))\b(?!\s+(?:to|about|how|when|that)\b)",
            c => NounPhrases.Last(c.Value) is { Length: > 0 } thing ? Thing(c.Cue.Groups["neg"].Success ? NegativePreference : Preference, thing, ExplicitConfidence) : null)
            { MaxThingLength = 80 },
        new("thing-is-the-best", ThingFirst, 120,
            @"\s+(?:is|are)\s+(?:just\s+|really\s+|definitely\s+|totally\s+|truly\s+|simply\s+)?"
            + @"(?<pos>the\s+best|my\s+(?:jam|life|go-to|thing|comfort\s+food|guilty\s+pleasure|weakness)|a\s+must\s+for\s+me|everything\s+to\s+me)\b",
            c => Judged(c, Preference)),
        // "Caffeine is terrible", "Sunsets are amazing", "Cher is my hero": said of a thing, a judgement of it.
        new("thing-is-judged", ThingFirst, 125,
            @"\s+(?:is|are)\s+(?:(?:just|really|definitely|totally|truly|simply|so|very|pretty|super|absolutely|honestly|kinda|quite)\s+){0,2}"
            + @"(?:(?<pos>" + AnyOf(JudgedWell, plurals: false) + @")\b(?!\s+(?:for|to|at|with|when|if|because|that|who)\b)"
            + @"|(?<neg>" + AnyOf(JudgedBadly, plurals: false) + @")\b(?!\s+(?:for|to|at|with|when|if|because)\b))",
            c => Judged(c, c.Cue.Groups["neg"].Success ? NegativePreference : Preference))
            { OnlyWith = [.. JudgedWell.Concat(JudgedBadly).Select(w => w.Split(' ')[^1])] },
    ];

    /// <summary>A judgement of a thing, not of a person close to the user ("my kids are amazing" is no preference).</summary>
    private static ExtractedMemory? Judged(CueContext c, string type) =>
        !Possessive().IsMatch(c.Value) && ThingOf(c, type) is { } memory && memory.Category != "family" && !People.Contains(memory.Key.Split(' ')[^1]) ? memory : null;

    /// <summary>"my view is awful", "my kids are amazing": about the user's own life, not a taste.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^\W*(?:my|our|his|her|their|your)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Possessive();



    /// <summary>A strong word makes the statement emphatic: "a strong aversion", "a deep love".</summary>
    private static double Graded(CueContext c) => StrongWord().IsMatch(c.CueText) ? EmphaticConfidence : ExplicitConfidence;

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:strong|deep|intense|severe|firm|absolute|extreme|huge|real|genuine)",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex StrongWord();

    /// <summary>The thing before the cue: its last few words, not a clause with a subject of its own.</summary>
    private static ExtractedMemory? ThingOf(CueContext c, string type)
    {
        var thing = TrimPunctuation(c.Value);
        var words = thing.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 6 || words.Any(w => w is "i" or "you" or "he" or "she" or "we" or "they" or "it" or "that" or "this" or "what" or "which" or "who"))
            return null;
        return Thing(type, thing, ExplicitConfidence);
    }
}
