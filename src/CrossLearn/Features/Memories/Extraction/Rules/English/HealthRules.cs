using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// Health and diet: "I'm allergic to X", "I have a peanut allergy", "I'm lactose intolerant", "I follow a keto diet",
/// "I'm vegan", "I have asthma", "my ocd", "I had knee surgery", "I'm diabetic". What the user may not eat is also a
/// dislike an assistant must respect; the condition itself is personal info and never leaves its owner.
/// </summary>
internal static class HealthRules
{
    private const string Health = "health";
    private const string Diet = "diet";

    /// <summary>After "I'm" or "I've been": "(a strict) vegan" (written out after each, so the cue index sees its first words).</summary>
    private const string DietIdentity = ADV + @"\s+(?:an?\s+)?(?:strict\s+|full\s+|lifelong\s+|committed\s+|proud\s+|practicing\s+)?(?<thing>vegan|vegetarian|pescatarian|pescetarian|flexitarian|keto|paleo|kosher|halal)\b";

    private static readonly string Conditions = AnyOf("health-conditions", plurals: false);

    private const string Diets =
        @"vegan|vegetarian|pescatarian|pescetarian|plant-based|plant\s+based|keto|ketogenic|paleo|kosher|halal|gluten-free|gluten\s+free|"
        + @"dairy-free|dairy\s+free|low-carb|low\s+carb|low-fat|low\s+fat|low-sodium|low\s+sodium|sugar-free|sugar\s+free|raw\s+food|"
        + @"flexitarian|mediterranean|whole\s+food|whole-food|carnivore|fodmap|low-fodmap|diabetic|heart-healthy|high-protein|high\s+protein|"
        + @"nut-free|lactose-free|intermittent\s+fasting";

    public static readonly CueRule[] All =
    [
        new("allergic-to", AtSubject, 255, IM + ADV + @"\s+(?:severely\s+|highly\s+|very\s+|deathly\s+|mildly\s+)?allergic\s+to\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)) { Also = (c, _) => Fact(Health, c.Value + " allergy", "allergic to " + c.Value, ExplicitConfidence) },
        new("allergy", AtSubject, 256,
            I + ADV + @"\s+(?:have|got|suffer\s+from)\s+(?:an?\s+)?(?:severe\s+|mild\s+|serious\s+|bad\s+|life-threatening\s+|deadly\s+|strong\s+)?(?<thing>[a-z-]+(?:\s+[a-z-]+)?)\s+allerg(?:y|ies)\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)) { ValueGroup = "thing", Also = (c, _) => Fact(Health, c.Value + " allergy", c.Value + " allergy", ExplicitConfidence) },
        new("intolerant", AtSubject, 257,
            IM + ADV + @"\s+(?<thing>lactose|gluten|dairy|wheat|fructose|caffeine|histamine|soy|egg|shellfish)\s+intolerant\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)) { ValueGroup = "thing", Also = (c, _) => Fact(Health, c.Value + " intolerance", c.Value + " intolerant", ExplicitConfidence) },
        new("diet", AtSubject, 258,
            @"(?:" + I + ADV + @"\s+(?:follow|keep|maintain|adhere\s+to|stick\s+to|eat|observe|live\s+on)|" + IM + ADV + @"\s+on)\s+(?:an?\s+|my\s+)?(?:strict(?:ly)?\s+|mostly\s+|fully\s+|completely\s+)?(?<thing>" + Diets + @")\s+(?:diet|lifestyle|eating\s+plan)\b",
            DietMemory) { ValueGroup = "thing", Also = DietFact },
        new("diet-identity", AtSubject, 259,
            "(?:" + IM + DietIdentity + "|" + IVE + DietIdentity + ")",
            DietMemory) { ValueGroup = "thing", Also = DietFact },
        // "I'm on a diet", "I'm dieting": the diet slot, without saying which.
        new("on-a-diet", AtSubject, 261, IM + ADV + @"\s+(?<thing>on\s+a\s+diet|dieting|watching\s+my\s+weight|counting\s+calories)\b",
            c => Slot("diet", Diet, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("condition", AtSubject, 260,
            I + ADV + @"\s+(?:have|got|suffer\s+from|live\s+with|was\s+diagnosed\s+with|am\s+diagnosed\s+with|struggle\s+with|deal\s+with|battle|fight)\s+(?:with\s+)?(?:an?\s+)?(?:severe\s+|chronic\s+|bad\s+|mild\s+|terrible\s+|really\s+bad\s+)?(?<thing>" + Conditions + @")\b"
            // "a cold beer": "cold" before a noun describes it; a cold the user has ends the phrase.
            + @"(?!(?<=cold)\s+(?!(?:and|but|so|because|since|for|from|right|today|lately|again|too|now|at|in|all|this|last|or|with|after|before|i|my|the|a)\b)[a-z])",
            c => Fact(Health, c.Value, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("my-condition", Mention, 120, MY + @"\s+(?:severe\s+|chronic\s+|bad\s+)?(?<thing>" + Conditions + @")\b",
            c => Fact(Health, c.Value, c.Value, IndirectConfidence)) { ValueGroup = "thing" },
        new("surgery", AtSubject, 262,
            // Not "I got back from a run": coming back is no back.
            I + ADV + @"\s+(?:had|have\s+had|got|am\s+recovering\s+from|'m\s+recovering\s+from|just\s+had|broke|have\s+broken)(?!\s+(?:back|home)\s+(?:from|to|home|in|on|at|into)\b)\s+(?:an?\s+|my\s+)?(?<thing>(?:[a-z]+\s+)?(?:surgery|transplant|operation|stroke|heart\s+attack|arm|leg|ankle|wrist|hip|back|neck|knee)(?:\s+surgery)?)\b",
            c => Fact(Health, c.Value, c.Value, IndirectConfidence)) { ValueGroup = "thing" },
        // "I'm expecting twins", "I am expecting a baby in May".
        new("expecting", AtSubject, 254,
            IM + ADV + @"\s+(?<thing>expecting\s+(?:a\s+baby|a\s+child|twins|triplets|a\s+(?:boy|girl)|my\s+(?:first|second|third)\s+(?:child|baby)|our\s+(?:first|second|third)\s+(?:child|baby)))\b",
            c => Fact(Health, "pregnancy", c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        new("health-identity", AtSubject, 263,
            IM + ADV + @"\s+(?:an?\s+)?(?<thing>diabetic|asthmatic|epileptic|deaf|blind|disabled|handicapped|paralyzed|paralysed|autistic|dyslexic|colou?rblind|in\s+a\s+wheelchair|wheelchair[\s-]bound|pregnant|sober|in\s+recovery|celiac|coeliac|hard\s+of\s+hearing|an\s+amputee|anemic|anaemic)\b",
            c => Fact(Health, c.Value, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
    ];

    /// <summary>A diet is a preference other users can share ("vegan diet"), keyed the same whichever way it was said.</summary>
    private static ExtractedMemory? DietMemory(CueContext c) =>
        Keyed(Preference, DietName(c.Value) + " diet", Diet, c.Value, ExplicitConfidence);

    private static ExtractedMemory? DietFact(CueContext c, ExtractedMemory? _) => Slot("diet", Diet, DietName(c.Value), ExplicitConfidence);

    private static string DietName(string value) => value.ToLowerInvariant().Replace(' ', '-') switch
    {
        "pescetarian" => "pescatarian",
        "ketogenic" => "keto",
        "plant-based" or "plant based" => "plant-based",
        var other => other
    };
}
