using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// Who the user is beyond work and family: faith ("I'm Catholic"), gender ("I'm a woman"), heritage ("I'm Italian"),
/// being an only child, groups they belong to ("I'm in a band") and places they have been ("I've been to Mexico", "I
/// studied abroad"). Personal info: it never leaves its owner.
/// </summary>
internal static partial class IdentityRules
{
    private static readonly string Religions = AnyOf("religions", plurals: false);

    // Before All: static fields are set in the order they are written.

    private static readonly string Heritages = AnyOf("heritages", plurals: false);

    public static readonly CueRule[] All =
    [
        new("religion", AtSubject, 286,
            IM + ADV + @"\s+(?:an?\s+)?(?:devout\s+|practicing\s+|practising\s+|born[\s-]again\s+|lapsed\s+|non-practicing\s+)?(?<thing>" + Religions + @")(?!\s+(?:music|food|school|church|book|song)s?\b)\b",
            c => Slot("religion", "belief", c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("not-religious", AtSubject, 285, IM + ADV + @"\s+(?<thing>not\s+(?:very\s+|that\s+|really\s+|particularly\s+)?religious)\b",
            c => Slot("religion", "belief", c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("gender", AtSubject, 287,
            IM + ADV + @"\s+(?:an?\s+)?(?:single\s+|young\s+|old\s+|older\s+|strong\s+|grown\s+)?(?<thing>male|female|man|woman|guy|girl|boy|lady|dude|gentleman|non-binary|nonbinary|trans\s+(?:man|woman))\b(?!\s+of\b)",
            c => Slot("gender", "gender", c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("only-child", AtSubject, 288, IM + ADV + @"\s+(?:an?\s+)?(?<thing>only\s+(?:child|sibling|kid))\b",
            c => Fact("family", "sibling", "no siblings (an only child)", ExplicitConfidence)) { ValueGroup = "thing" },
        new("been-to", AtSubject, 289,
            I + ADV + @"\s+(?:have|'ve)\s+(?:been|travell?ed)\s+to(?=\s+\w)|" + IVE + ADV + @"\s+to(?=\s+\w)",
            c => BeenTo(c)),
        // "I went to Mexico four times", "I visited Japan": only a place the lexicon knows ("I went to Walmart" is no trip).
        new("went-to", AtSubject, 290,
            "(?:" + I + ADV + @"\s+(?:went|travell?ed|flew|backpacked)|" + IHAVE + ADV + @"\s+gone)\s+(?:to|around|through|across)(?=\s+(?:" + Places + @")\b)"
            + "|" + I + ADV + @"\s+(?:visited|toured|explored)(?=\s+(?:" + Places + @")\b)"
            + "|" + I + ADV + @"\s+(?:studied|lived|worked)(?=\s+abroad\b)",
            c => BeenTo(c, namedOnly: true)),
        // "I'm Italian", "I am half Korean", "I'm native american and live in Oklahoma" (not "I'm Italian food's biggest fan").
        new("heritage", AtSubject, 291,
            IM + ADV + @"\s+(?:half\s+|part\s+|partly\s+|full\s+|proudly\s+)?(?<thing>" + Heritages + @")(?:\s+american)?"
            + @"(?=\s*(?:[,.!?;]|$)|\s+(?:and|but|so|by|from|too|descent|heritage|myself|born|living|though)\b)",
            c => Slot("heritage", "heritage", c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        // "I'm in a band", "I'm on the city council", "I'm a member of the chess club", "I sing in a choir".
        new("member-of", AtSubject, 292,
            "(?:" + IM + ADV + @"\s+(?:in|on|part\s+of|a\s+member\s+of|a\s+part\s+of)|" + I + ADV + @"\s+(?:play|sing|dance|belong|perform|row|compete)\s+(?:in|on|to|with))"
            // The article stays in the thing: after one, "book" in "a book club" is no verb.
            + @"\s+(?<thing>(?:a|an|the|our|my)\s+(?:[a-z]+\s+){0,2}(?:band|choir|team|club|league|council|committee|orchestra|union|church|congregation|troupe|society|fraternity|sorority|guild|squad|ensemble|quartet|group))\b",
            c => Fact("membership", c.Value, c.Value, ExplicitConfidence))
        {
            ValueGroup = "thing",
            // "I sing in a choir": besides belonging (private), a pastime others can share.
            Also = (c, _) => Played().IsMatch(c.Cue.Value) ? Thing(MemoryTypes.Interest, c.Value, IndirectConfidence) : null,
        },
        new("my-membership", Mention, 135, MY + @"\s+(?<thing>band|choir|church|congregation|fraternity|sorority|troupe|orchestra)\b(?!\s+(?:shirt|t-shirt|poster|music|song|songs|of\s+choice)\b)",
            c => Fact("membership", c.Value, c.Value, IndirectConfidence)) { ValueGroup = "thing" },
    ];

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:play|sing|dance|perform|row|compete)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Played();

    private static readonly HashSet<string> PlaceNames = Lexicon.Load("en", "place-names", StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// "I've been to Peru": a place with a name (a capital, or one the lexicon knows), not "the dentist"; with
    /// <paramref name="namedOnly"/>, one the lexicon knows. "I studied abroad" is a trip without a place: "abroad".
    /// </summary>
    private static ExtractedMemory? BeenTo(CueContext c, bool namedOnly = false)
    {
        var place = ObjectSpans.TrimPunctuation(c.Value);
        if (StartsWithWord(place, "abroad")) place = "abroad";
        var known = PlaceNames.Contains(place) || PlaceNames.Contains(place.Split(' ')[0]) || PlaceNames.Any(p => place.StartsWith(p + " ", StringComparison.OrdinalIgnoreCase));
        var named = place == "abroad" || known || (!namedOnly && place.Length > 0 && char.IsUpper(place[0]));
        if (!named) return null;
        // The place's own name is the key ("new york" keeps its "new"); how often or when is not part of it.
        var key = PlaceEnd().Split(place.ToLowerInvariant())[0].Trim();
        return key.Length == 0 ? null : new ExtractedMemory(MemoryTypes.PersonalInfo, Cap(key, MaxKeyLength), Cap(place, MaxValueLength), ExplicitConfidence, "travel");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+(?:twice|once|before|already|many|several|a\s+few|a\s+couple|a\s+lot|\d+|one|two|three|four|five|six|seven|eight|nine|ten|last|this|then|when|where|while|after|since|until|with|for|on|because|as|and\s+(?:loved|liked|hated|it))\b|[,;]")]
    private static partial System.Text.RegularExpressions.Regex PlaceEnd();
}
