using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// Who the user is beyond work and family: faith ("I'm Catholic"), gender ("I'm a woman"), being an only child, and
/// places they have been ("I've been to Mexico"). Personal info: it never leaves its owner.
/// </summary>
internal static partial class IdentityRules
{
    private static readonly string Religions = AnyOf("religions", plurals: false);

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
            BeenTo),
    ];

    private static readonly HashSet<string> PlaceNames = Lexicon.Load("en", "place-names", StringComparer.OrdinalIgnoreCase);

    /// <summary>"I've been to Peru": a place with a name (a capital, or one the lexicon knows), not "the dentist".</summary>
    private static ExtractedMemory? BeenTo(CueContext c)
    {
        var place = ObjectSpans.TrimPunctuation(c.Value);
        var named = place.Length > 0 && char.IsUpper(place[0])
                    || PlaceNames.Contains(place) || PlaceNames.Contains(place.Split(' ')[0]) || PlaceNames.Any(p => place.StartsWith(p + " ", StringComparison.OrdinalIgnoreCase));
        if (!named) return null;
        // The place's own name is the key ("new york" keeps its "new"); how often or when is not part of it.
        var key = PlaceEnd().Split(place.ToLowerInvariant())[0].Trim();
        return key.Length == 0 ? null : new ExtractedMemory(MemoryTypes.PersonalInfo, Cap(key, MaxKeyLength), Cap(place, MaxValueLength), ExplicitConfidence, "travel");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+(?:twice|once|before|already|many|several|a\s+few|a\s+couple|a\s+lot|\d+|last|this|when|with|for|on|because|as|and\s+(?:loved|liked|hated|it))\b|[,;]")]
    private static partial System.Text.RegularExpressions.Regex PlaceEnd();
}
