using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// Who and what the user lives with: "I have two cats", "my older sister", "I have no kids", "I'm married", "I drive a
/// truck", "I own a bakery", "my red hair", "I grew up on a farm", "I just turned 30". Personal info, keyed by the
/// thing itself (cat, sister, truck) or by a slot (marital status, age), never shared with other users.
/// </summary>
internal static partial class HouseholdRules
{
    private static readonly string Family = AnyOf("categories.family");
    private static readonly string Pets = AnyOf("categories.animal");
    private static readonly string Vehicles = AnyOf("categories.vehicle");
    private static readonly string Household = "(?:" + Family + "|" + Pets + "|" + Vehicles + "|children|grandchildren|stepchildren)";

    private const string Quantity =
        @"(?:(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}|several|many|a\s+few|a\s+couple\s+of|some|lots\s+of|a\s+lot\s+of|my\s+own)\s+)?";

    private const string Describing =
        @"(?:(?:little|big|older|younger|old|young|baby|adult|twin|step|new|sweet|cute|lovely|beautiful|rescue|rescued|pet|grown|adopted|teenage|"
        + @"eldest|oldest|youngest|late|ex|red|black|white|brown|grey|gray|orange|golden|fluffy|lazy|crazy|[a-z]+-year-old|\d+\s+year\s+old)\s+){0,2}";

    private const string Looks =
        @"(?:(?:long|short|curly|straight|wavy|red|blonde|blond|brown|black|dark|grey|gray|white|bright|natural|green|blue|hazel|big|thick|thin|pink|purple|dyed|bald|shaved)\s+){1,3}(?:hair|eyes|beard|skin|freckles)";

    public static readonly CueRule[] All =
    [
        new("have-none", AtSubject, 145,
            I + ADV + @"\s+(?:have\s+no\s+|own\s+no\s+|have\s+not\s+got\s+(?:any\s+)?|haven't\s+got\s+(?:any\s+)?|(?:don't|do\s+not|dont)\s+(?:have|own)\s+(?:any\s+|an?\s+)?|never\s+had\s+(?:any\s+)?)(?<thing>" + Household + @")\b",
            c => Fact(CategoryOf(c.Value), c.Value, "no " + c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("have-household", AtSubject, 264,
            I + ADV + @"\s+(?:have|got|own|raise|adopted|rescued|foster|am\s+raising|'m\s+raising)\s+(?<thing>" + Quantity + Describing + "(?<noun>" + Household + @"))\b",
            c => Fact(CategoryOf(Noun(c)), KeyWords(c), c.Value, ExplicitConfidence)) { ValueGroup = "thing", Also = LikesThePet },
        new("marital", AtSubject, 265,
            IM + ADV + @"\s+(?:happily\s+|recently\s+|newly\s+|currently\s+)?(?<thing>single|married|divorced|widowed|engaged|separated|a\s+widow|a\s+widower|in\s+a\s+relationship)\b",
            c => Slot("marital status", "family", c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("drive", AtSubject, 266, I + ADV + @"\s+(?:drive|ride|have|own|bought|got)\s+(?:an?|my|the|two|three|\d+)\s+(?<thing>(?:[a-z0-9]+\s+){0,2}" + Vehicles + @")\b",
            c => Fact("vehicle", c.Value, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("own", AtSubject, 267, I + ADV + @"\s+(?:own|owned)\s+(?:an?|my\s+own|my|two|\d+)\s+(?=\w)",
            c => Fact("possession", c.Value, c.Value, IndirectConfidence)),
        // "I don't own a television": a possession the user does without.
        new("own-none", AtSubject, 146, I + ADV + @"\s+" + NOT + @"\s+own\s+(?:an?|any)\s+(?<thing>[a-z]+(?:\s+[a-z]+)?)\b",
            c => Fact("possession", c.Value, "no " + c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        // "I am a mother of five kids", "I'm a dad of two boys".
        new("parent-of", AtSubject, 253,
            IM + ADV + @"\s+(?:a\s+)?(?:proud\s+|single\s+|busy\s+|working\s+|stay[\s-]at[\s-]home\s+)?(?:mother|father|mom|mum|dad|parent)\s+of\s+(?<thing>" + Quantity + Describing + "(?<noun>" + Household + @"))\b",
            c => Fact(CategoryOf(Noun(c)), KeyWords(c), c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("grew-up", AtSubject, 268, I + ADV + @"\s+(?:grew\s+up|was\s+born|was\s+raised)\s+(?:in|on|near|at|around|outside(?:\s+of)?)\b",
            c => Personal(PersonalInfoKeys.Origin, CutAt(c.Value, PersonalRules.PlaceEnd()), ExplicitConfidence)),
        new("turned", AtSubject, 269, I + ADV + @"\s+(?:just\s+|recently\s+)?turned\s+(?<n>\d{1,3})\b",
            c => int.TryParse(c.Value, out var age) && age is > 0 and < 120 ? Slot(PersonalInfoKeys.Age, "age", c.Value, ExplicitConfidence) : null) { ValueGroup = "n" },
        // "I am tall", "I'm 5 foot 2", "I'm quite short" (not "short on time", "big on tea").
        new("build", AtSubject, 271,
            IM + ADV + @"\s+(?:(?:very|quite|super|kinda|kind\s+of|a\s+bit|a\s+little|fairly|rather|really|pretty)\s+)?"
            + @"(?<thing>tall|short|petite|skinny|slim|thin|overweight|chubby|obese|muscular|athletic|stocky|curvy|plus[\s-]size|bald|blonde|blond|brunette|a\s+redhead|a\s+brunette|a\s+blonde|"
            + @"(?<height>(?:\d|five|six|seven|four)\s*(?:foot|feet|ft|')(?:\s*\d{1,2}(?:\s*(?:inches|in|""))?)?(?:\s+tall)?))(?![\w-])"
            + @"(?!\s+(?:on|of|with|for|to|about|in|at|and\s+sweet|enough|staffed|tempered|sighted|handed)\b)",
            c => Fact("appearance", c.Cue.Groups["height"].Success ? "height" : c.Value, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        // "I have lots of tattoos", "I wear glasses", "I've got braces".
        new("marks", AtSubject, 272,
            "(?:" + I + ADV + @"\s+(?:have|got|have\s+got)|" + IHAVE + ADV + @"\s+got)\s+(?:an?\s+|lots\s+of\s+|a\s+lot\s+of\s+|many\s+|some\s+|several\s+|a\s+few\s+|two\s+|three\s+|\d+\s+)?(?:[a-z]+\s+)?"
            + @"(?<thing>tattoos?|piercings?|freckles|braces|dimples|glasses|hearing\s+aids?|a\s+beard|beard|mustache|moustache|dreadlocks|dreads)\b(?!\s+(?:of|for|on\s+the\s+table)\b)"
            // Contacts only worn: "I have some contacts in the industry" are people.
            + "|" + I + ADV + @"\s+wear\s+(?:an?\s+|two\s+)?(?:[a-z]+\s+)?(?<thing>tattoos?|piercings?|braces|glasses|contacts|contact\s+lenses|hearing\s+aids?|a\s+beard|dreadlocks|dreads)\b(?!\s+(?:of|for)\b)",
            c => Fact("appearance", c.Value, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        // "I just bought a house", "I rent an apartment", "I live in a trailer": the user's home.
        new("home", AtSubject, 273,
            I + ADV + @"\s+(?:bought|got|rent|own|share|moved\s+into|live\s+in)\s+(?:an?|my\s+(?:first|own|new)|our\s+(?:first|own|new)|a\s+new|my|our)\s+(?:own\s+)?(?<thing>(?:[a-z]+\s+)?(?:house|home|apartment|flat|condo|townhouse|trailer|cabin|farmhouse|studio|loft|bungalow|mobile\s+home|tiny\s+house|dorm))\b",
            c => Fact("home", c.Value, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("my-home", Mention, 115, MY + @"\s+(?<thing>apartment|condo|townhouse|trailer|dorm(?:\s+room)?)\b",
            c => Fact("home", c.Value, c.Value, IndirectConfidence)) { ValueGroup = "thing" },
        new("appearance", AtSubject, 270,
            I + ADV + @"\s+have\s+(?<thing>" + Looks + @")\b",
            c => Fact("appearance", LastWord(c.Value), c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("my-household", Mention, 100, MY + @"\s+(?<thing>" + Quantity + Describing + "(?<noun>" + Household + @"))\b",
            c => PartnerLeft(c) ? Separated(c) : Fact(CategoryOf(Noun(c)), KeyWords(c), IsOver(c.Sentence) ? WhatHappened(c) : c.Value, IndirectConfidence)) { ValueGroup = "thing", Also = LikesThePet },
        new("my-appearance", Mention, 110, MY + @"\s+(?<thing>" + Looks + @")\b",
            c => Fact("appearance", LastWord(c.Value), c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
    ];

    /// <summary>
    /// Someone who keeps a dog likes dogs: the pet is a personal fact (never shared), the liking a preference that can
    /// meet other users' ("I love dogs") in a cross-user pattern. Read less surely than a liking said outright.
    /// </summary>
    private static ExtractedMemory? LikesThePet(CueContext c, ExtractedMemory? _) =>
        CategoryOf(Noun(c)) == "pet" && Thing(MemoryTypes.Preference, Noun(c), IndirectConfidence) is { } liking
            ? liking with { Value = c.Value } : null;

    /// <summary>"my wife passed away", "I broke up with my girlfriend": the mention alone would state a fact about now.</summary>
    private static bool IsOver(string sentence) => Over().IsMatch(sentence);

    /// <summary>
    /// "I broke up with my girlfriend", "my wife divorced me": a partner the user no longer has is no fact about them now,
    /// their marital status is (a relative who died stays, with what happened: the loss is).
    /// </summary>
    private static bool PartnerLeft(CueContext c) => Partners.Contains(LastWord(c.Value).ToLowerInvariant()) && BrokeUp().IsMatch(c.Sentence);

    /// <summary>What the user's status is now: divorced, or apart from the partner named.</summary>
    private static ExtractedMemory? Separated(CueContext c) =>
        Slot("marital status", "family", c.Sentence.Contains("divorce", StringComparison.OrdinalIgnoreCase) ? "divorced" : "separated from " + LastWord(c.Value).ToLowerInvariant(), IndirectConfidence);

    private static readonly HashSet<string> Partners = ["girlfriend", "boyfriend", "wife", "husband", "partner", "spouse", "fiance", "fiancee", "fiancé", "fiancée", "gf", "bf"];

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:divorced|broke\s+up|break\s+up|breakup|broken\s+up|split\s+up|dumped\s+me|left\s+me|cheated\s+on\s+me|separated)\b",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex BrokeUp();

    /// <summary>The value says what happened ("my parents died two years ago"), so nobody reads the relative as still there.</summary>
    private static string WhatHappened(CueContext c) => Cap(TrimPunctuation(c.Sentence), MaxValueLength);

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:died|passed\s+away|divorced|broke\s+up\s+with|split\s+up\s+with)\b",
        System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Over();

    /// <summary>The pet, relative or vehicle itself, without the words describing it ("my sweet old dog": dog).</summary>
    private static string Noun(CueContext c) => c.Cue.Groups["noun"].Value;

    /// <summary>A pet is keyed by the animal ("my old dog": dog); a relative keeps the words that say who ("twin brother", "step mom").</summary>
    private static string KeyWords(CueContext c) => CategoryOf(Noun(c)) == "pet" ? Noun(c) : c.Value;

    private static readonly HashSet<string> PetWords = Lexicon.Load("en", "categories.animal");

    /// <summary>Family, a pet or a vehicle, by what the key names.</summary>
    private static string CategoryOf(string value) => Categories.GetOrAdd(value.ToLowerInvariant(), CategoryOfNew);

    /// <summary>Categories worked out: the values are the family, pet and vehicle words of the lexicon (a closed set) and their phrases.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Categories = new(StringComparer.Ordinal);

    private static string CategoryOfNew(string value) =>
        Keys.KeyCanonicalizer.Canonicalize(value) switch
        {
            { Category: "family" } => "family",
            { Category: "vehicle" } => "vehicle",
            { Category: "animal" } => "pet",
            var other when PetWords.Contains(other.Key) => "pet",
            _ => "family"
        };

    private static string LastWord(string value) => TrimPunctuation(value).Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1];
}
