using System.Text.RegularExpressions;
using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Favourites: "my favourite colour is X", "Mine is X" (answering a favourite question), "X is my favourite", "X is not my thing".</summary>
internal static partial class FavouriteRules
{
    public static readonly CueRule[] All =
    [
        new("favorite", AtSubject, 400,
            // Up to three words before the first verb. Not a lazy {0,3}? loop: .NET 10's compiled regex let one of those run
            // past its bound (it matched "my favorite book to read on vacation is"); a greedy loop that stops at the verb does not.
            MY + @"\s+(?:all[\s-]time\s+|absolute\s+)?fav(?:ou?rite|e)?\b(?:\s+(?!(?:is|are|has|would)\b)[a-z]+){0,3}\s+(?:is|are|has\s+to\s+be|would\s+be)\b",
            c => Thing(Preference, c.Value, ExplicitConfidence)),
        // "Mine is X" only counts once a favourite was talked about earlier in the message.
        new("mine", SentenceStart, 110,
            SentenceLead + @"(?:(?:and|oh|well|ok|okay|haha|lol|hmm)[\s,]+){0,2}mine(?:\s+is|\s+are|'s|\s+would\s+be|\s+has\s+to\s+be)\b",
            c => c.SaidEarlier("fav") ? Thing(Preference, c.Value, IndirectConfidence) : null),
        new("thing-first", ThingFirst, 100,
            @"\s+(?:is|are|was|'s)\s+(?:definitely\s+|probably\s+|also\s+|really\s+|totally\s+|still\s+|just\s+)?"
            + @"(?:(?<pos>(?:my|our)\s+(?:all[\s-]time\s+|absolute\s+|very\s+|personal\s+|most\s+|new\s+)?(?:fav(?:ou?rite|e)?|preferred)\b)"
            + @"|(?<int>my\s+(?:passion|hobby|hobbies|obsession)\b)"
            + @"|(?<neg>(?:my\s+)?least\s+fav(?:ou?rite|e)?\b|not\s+(?:really\s+)?(?:my\s+thing|for\s+me|my\s+cup\s+of\s+tea|my\s+forte|my\s+fav(?:ou?rite|e)?)\b))",
            ThingBeforeCue) { MaxThingLength = 80 },
    ];

    [GeneratedRegex(@"^(?:(?:yes|yeah|yep|yup|well|oh|i\s+think|i\s+guess|i\s+believe|i\s+suppose|honestly|definitely|and|but|so|also|ok|okay|lol|haha|hmm|wow|i\s+know|i\s+mean|because|cause|though|although|since|now|then|plus|actually|really|for\s+me|personally|probably|maybe|perhaps|i\s+would\s+say|i'd\s+say)\b[\s,]*)+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingDiscourse();

    /// <summary>A pronoun or question word makes the "thing" a clause or a person ("what we eat", "you"), not a thing.</summary>
    [GeneratedRegex(@"\b(?:i|i'm|im|you|he|she|we|they|there|here|what|which|who)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectWord();

    /// <summary>"Sushi is my favourite": a preference; "... is my passion": an interest; "... is not my thing": a dislike.</summary>
    private static ExtractedMemory? ThingBeforeCue(CueContext c)
    {
        var thing = LeadingDiscourse().Replace(TrimPunctuation(c.Value), "");
        if (thing.Length == 0 || SubjectWord().IsMatch(thing) || thing.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 6) return null;
        var type = c.Cue.Groups["neg"].Success ? NegativePreference
            : c.Cue.Groups["int"].Success ? Interest : Preference;
        return Thing(type, thing, ExplicitConfidence);
    }
}
