using System.Text.RegularExpressions;
using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Facts about the user: name, where they live and come from, occupation, workplace, age.</summary>
internal static partial class PersonalRules
{
    public static readonly CueRule[] All =
    [
        new("name", AtSubject, 200, MY + @"\s+(?:first\s+|full\s+)?name\s+is\b|" + MY + @"\s+names?'?s\b|" + IM + @"\s+called\b|" + I + @"\s+go\s+by\b",
            c => Personal(PersonalInfoKeys.Name, NameValue(c.Value), ExplicitConfidence)),
        new("location", AtSubject, 210,
            I + ADV + @"\s+(?:live|reside)\s+(?:in|on)\b|" + IM + ADV + @"\s+(?:living|based|residing)\s+(?:in|on)\b|" + I + ADV + @"\s+(?:moved|relocated)\s+to\b",
            Location),
        new("in-place", AtSubject, 212, IM + ADV + @"\s+(?:in|over\s+in|out\s+in|down\s+in|up\s+in)(?=\s+(?:" + Places + @")\b(?!\s+(?:food|time|style|cuisine)\b))",
            c => Personal(PersonalInfoKeys.Location, CutAt(c.Value, PlaceEnd()), IndirectConfidence)),

        new("here-in", Mention, 140,  @"(?<![\w'])(?:here|over\s+here)\s+in\s+(?<thing>" + Places + @")\b",
            c => Personal(PersonalInfoKeys.Location, c.Value, IndirectConfidence)) { ValueGroup = "thing", OnlyWith = ["here"] },
        new("origin", AtSubject, 220, IM + ADV + @"\s+(?:originally\s+)?from\b|" + I + ADV + @"\s+(?:originally\s+)?(?:come|hail)\s+from\b",
            c => Personal(PersonalInfoKeys.Origin, CutAt(c.Value, PlaceEnd()), IndirectConfidence)),
        new("occupation", AtSubject, 230,
            I + ADV + @"\s+work(?:ing)?\s+as\b|" + IM + ADV + @"\s+(?:working|employed)\s+as\b|" + MY + @"\s+(?:job|profession|occupation)\s+is\b",
            Occupation),
        // A lookahead: the status itself ("retired", "a college student") is the value.
        new("jobstatus", AtSubject, 240,
            IM + ADV + @"(?=\s+(?:retired|unemployed|self[\s-]employed|a\s+stay[\s-]at[\s-]home\s+(?:mom|dad|mother|father|parent)|a\s+(?:full[\s-]time\s+|part[\s-]time\s+)?(?:college|university|high\s+school|grad|graduate|phd|medical|law)\s+student)\b)",
            c => Personal(PersonalInfoKeys.Occupation, CutAt(DropArticle(c.Value), OccupationEnd()), IndirectConfidence)),
        // "I'm looking for a new job", "I'm out of work".
        new("job-search", AtSubject, 245,
            IM + ADV + @"(?=\s+(?:(?:looking|searching|hunting)\s+for\s+(?:a\s+|another\s+)?(?:new\s+|better\s+)?(?:job|work)|out\s+of\s+work|between\s+jobs|job\s+hunting)\b)",
            c => Slot("job status", "work", c.Value, ExplicitConfidence)),
        new("workplace", AtSubject, 250,
            I + ADV + @"\s+work(?:ed)?(?:\s+(?:a\s+lot|mostly|mainly|full[\s-]time|part[\s-]time|nights|days|long\s+hours|weekends|now|another\s+job|a\s+second\s+job|two\s+jobs))?\s+(?:at|for|in)\b|"
            + IM + ADV + @"\s+(?:working|employed)(?:\s+(?:a\s+lot|mostly|mainly|full[\s-]time|part[\s-]time|nights|now))?\s+(?:at|for|in)\b",
            c => Personal(PersonalInfoKeys.Workplace, CutAt(c.Value, PlaceEnd()), IndirectConfidence)),

        // "I'm a/an X" and "I'm X" are the broadest cues: they come after every more specific "I'm ..." (see EnglishRules).
        new("age", AtSubject, 500,
            IM + @"\s+(?:an?\s+)?(?<age>\d{1,3})(?:\s*(?:[\s-]years?[\s-]old|\s*yrs?\s+old|\s+years?\s+of\s+age|\s*y/?o)\b|(?=\s*(?:[,.!;]|$|\s+(?:and|so|now|but|this|next|going|turning)\b)))",
            Age) { ValueGroup = "age" },
        new("iama", AtSubject, 510, IM + ADV + @"\s+an?\b", IAmA),
        new("intro", AtSubject, 700, IM + @"(?=\s+[a-z][a-z'-]{1,20}\b)", Introduction),
    ];

    /// <summary>Head nouns read as an occupation after "I'm a/an ...".</summary>
    private static readonly HashSet<string> OccupationWords = Lexicon.Load("en", "occupations");

    private static readonly HashSet<string> NotNames = Lexicon.Load("en", "not-names", StringComparer.OrdinalIgnoreCase);

    /// <summary>Where a place ends: "in Lisbon with my wife", "in Lisbon since 2019".</summary>
    [GeneratedRegex(@"\s+(?:with|since|for|from|at\s+the\s+moment|right\s+now|now|currently|recently)\b|\s+(?:a\s+few|a\s+couple(?:\s+of)?|\d+|one|two|three|four|five|six|several|many|some)\s+(?:days?|weeks?|months?|years?)\s+ago\b|\s+(?:last|this|next)\s+(?:year|month|week|summer|winter|spring|fall|autumn)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex PlaceEnd();

    /// <summary>Where an occupation ends: "a nurse at the clinic", "a teacher for ten years".</summary>
    [GeneratedRegex(@"\s+(?:at|in|for|with|from|since|and|or|who|by|on)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex OccupationEnd();

    [GeneratedRegex(@"^(?<occ>\S.{0,80}?)\s+by\s+(?:profession|trade)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ByProfession();

    /// <summary>"I'm a big jazz fan": a preference, not an occupation.</summary>
    [GeneratedRegex(@"^(?:(?:big|huge|massive|great|real|true|die[\s-]hard|long[\s-]time)\s+)*(?<x>\S.{0,80}?)\s+(?:fan|lover|buff|enthusiast|nerd|geek|addict)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex FanSuffix();

    [GeneratedRegex(@"^[\s,.!-]*(?:(?:hi|hello|hey|hiya|howdy|greetings|yo|good\s+(?:morning|afternoon|evening)|(?:nice|pleased|glad)\s+to\s+meet\s+you(?:\s+too)?|well|so|ok|okay|oh|and|there|everyone|all|guys|folks)\b[\s,.!-]*)+$|\b(?:nice|pleased|glad)\s+to\s+meet\s+you\b[\s,.!-]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Greeting();

    private static ExtractedMemory? Location(CueContext c)
    {
        var value = c.Value;
        // "I live in a house": the kind of home, no place; "an apartment in the city": the place after it.
        if (Dwelling().Match(value) is { Success: true } dwelling)
        {
            if (!dwelling.Groups["in"].Success) return Fact("home", value, value, ExplicitConfidence);
            value = value[dwelling.Length..];
        }
        return Personal(PersonalInfoKeys.Location, CutAt(value, PlaceEnd()),
            c.CueText.Contains("moved", StringComparison.OrdinalIgnoreCase) || c.CueText.Contains("relocated", StringComparison.OrdinalIgnoreCase)
                ? IndirectConfidence : ExplicitConfidence);
    }

    [GeneratedRegex(@"^(?:an?|my|our|the)\s+(?:[a-z-]+\s+){0,2}(?:house|home|apartment|flat|condo|townhouse|trailer|cabin|farmhouse|studio|loft|bungalow|mobile\s+home|dorm|basement|mansion|shack|tent|van)\b(?:\s*$|(?<in>\s+(?:in|near|outside(?:\s+of)?|by)\s+))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Dwelling();

    private static ExtractedMemory? Occupation(CueContext c)
    {
        var occ = DropArticle(c.Value);
        var by = ByProfession().Match(occ);
        if (by.Success) occ = by.Groups["occ"].Value;
        return Personal(PersonalInfoKeys.Occupation, CutAt(occ, OccupationEnd()), ExplicitConfidence);
    }

    private static ExtractedMemory? Age(CueContext c) =>
        int.TryParse(c.Value, out var age) && age is > 0 and < 120
            ? new ExtractedMemory(MemoryTypes.PersonalInfo, PersonalInfoKeys.Age, c.Value, ExplicitConfidence)
            : null;

    /// <summary>"I'm a nurse", "I'm a teacher by trade", "I'm a big jazz fan".</summary>
    private static ExtractedMemory? IAmA(CueContext c)
    {
        var fan = FanSuffix().Match(c.Value);
        if (fan.Success) return Thing(MemoryTypes.Preference, fan.Groups["x"].Value, c.Level);
        var by = ByProfession().Match(c.Value);
        if (by.Success) return Personal(PersonalInfoKeys.Occupation, by.Groups["occ"].Value, ExplicitConfidence);
        var occ = OccupationFromNounPhrase(c.Value);
        return occ is null ? null : Personal(PersonalInfoKeys.Occupation, occ, IndirectConfidence);
    }

    /// <summary>"I'm Ana": a name only when it looks like one, capitalised or after a greeting ("hi, i'm ana").</summary>
    private static ExtractedMemory? Introduction(CueContext c)
    {
        var words = c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 2) return null;
        foreach (var w in words)
            if (NotNames.Contains(w) || !w.All(ch => char.IsLetter(ch) || ch is '\'' or '-')) return null;
        var capitalised = words.All(w => char.IsUpper(w[0]));
        if (words.Length == 2 && !capitalised) return null;
        if (!capitalised && !AfterGreeting(c)) return null;
        return Personal(PersonalInfoKeys.Name, c.Value, IndirectConfidence);
    }

    private static bool AfterGreeting(CueContext c) => c.Cue.Index <= 120 && Greeting().IsMatch(c.Sentence.AsSpan(0, c.Cue.Index));

    /// <summary>"Ana Maria, and I ...": the name, at most four words.</summary>
    private static string NameValue(string value)
    {
        var comma = value.IndexOf(',');
        if (comma >= 0) value = value[..comma];
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kept = new List<string>();
        foreach (var w in words)
        {
            var lw = w.ToLowerInvariant();
            if (kept.Count >= 4 || lw is "and" or "but" or "by" or "from" or "i" or "i'm" or "im" or "btw" or "though" or "lol" or "haha" or "so") break;
            kept.Add(w);
        }
        return string.Join(' ', kept);
    }

    /// <summary>"a pediatric nurse at the clinic": "pediatric nurse", when a known occupation heads the phrase.</summary>
    private static string? OccupationFromNounPhrase(string value)
    {
        var phrase = CutAt(value, OccupationEnd());
        var words = phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        var last = -1;
        for (var i = 0; i < Math.Min(words.Length, 4); i++)
        {
            var w = TrimPunctuation(words[i].ToLowerInvariant());
            if (w.EndsWith("'s", StringComparison.Ordinal)) break;
            if (OccupationWords.Contains(w) || w.EndsWith("ologist", StringComparison.Ordinal) || w.EndsWith("ician", StringComparison.Ordinal) || w.EndsWith("grapher", StringComparison.Ordinal))
                last = i;
        }
        if (last < 0) return null;
        // "a fan of ...", "a friend of a teacher": the occupation must be the head of the phrase, not after "of".
        for (var i = 0; i < last; i++) if (words[i].Equals("of", StringComparison.OrdinalIgnoreCase)) return null;
        return string.Join(' ', words, 0, last + 1);
    }
}
