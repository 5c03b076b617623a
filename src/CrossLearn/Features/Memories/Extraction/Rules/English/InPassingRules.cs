using System.Text.RegularExpressions;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// Likings told in passing, with no "I like" of their own: a participle ("despite loving Seattle so much", "also
/// despising my boss") and a thing seen or played again and again ("I have seen Titanic ten times", "watching Dirty
/// Harry for the 200th time").
/// </summary>
internal static partial class InPassingRules
{
    /// <summary>The thing: a few words, up to a degree phrase, a clause mark or a conjunction.</summary>
    private const string ShortThing =
        @"(?<thing>(?:my\s+|the\s+)?[a-z0-9][a-z0-9'-]*(?:\s+[a-z0-9][a-z0-9'-]*){0,3}?)";

    private const string Counted =
        @"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|a\s+hundred|hundreds\s+of|"
        + @"a\s+thousand|a\s+million|a\s+dozen|dozens\s+of|so\s+many|countless|many|multiple)\s+times";

    private const string Nth = @"for\s+the\s+(?:\d+(?:st|nd|rd|th)|third|fourth|fifth|sixth|tenth|twentieth|hundredth|thousandth|millionth|umpteenth|nth)\s+time";

    public static readonly CueRule[] All =
    [
        new("participle", Mention, 160,
            @"\b(?:despite|also|besides|while)\s+(?:(?:really|truly|absolutely|totally|secretly)\s+)?"
            + @"(?:(?<pos>loving|liking|enjoying|adoring)|(?<neg>hating|despising|disliking|detesting|loathing))\s+" + ShortThing
            + @"(?=\s+(?:so\s+much|a\s+lot|very\s+much|so|too)\b|\s*(?:[,.!?;]|$)|\s+(?:and|but|because|since|when)\b)",
            c => OwnStatement(c) ? Thing(c.Cue.Groups["neg"].Success ? NegativePreference : Preference, c.Value, IndirectConfidence) : null)
            { ValueGroup = "thing", OnlyWith = ["loving", "liking", "enjoying", "adoring", "hating", "despising", "disliking", "detesting", "loathing"] },
        new("again-and-again", Mention, 161,
            @"\b(?:seen|watched|watching|rewatched|rewatching|read|reading|reread|played|playing|listened\s+to|listening\s+to)\s+"
            + @"(?:the\s+(?:movie|film|show|series|book|novel|song|album|game|musical|play)\s+)?" + ShortThing
            + @"\s+(?:(?:over|about|probably|like|at\s+least|almost|maybe|more\s+than|nearly|well\s+over)\s+)?(?:" + Counted + "|" + Nth + @")\b",
            c => !OwnStatement(c) ? null
                // "Titanic. I have seen it ten times.": the pronoun stands for the name said alone just before.
                : EnglishRules.RefersBack(c.Value) ? (NameSaidAlone(c) is { } name ? Thing(Preference, name, IndirectConfidence) is { } seen && !KindAlone(seen.Key) ? seen : null : null)
                : Thing(Preference, c.Value, IndirectConfidence))
            { ValueGroup = "thing", OnlyWith = ["times", " time"] },
    ];

    /// <summary>
    /// Said of the user: no one else is the subject before the cue ("my son has seen Frozen 50 times", "My brother
    /// stayed, despite hating it"): the user speaks ("I", "we") or the sentence has no subject ("also despising my
    /// boss"); and the thing is no pronoun ("seen it ten times": what it stands for is not read here) and not about the
    /// assistant.
    /// </summary>
    private static bool OwnStatement(CueContext c)
    {
        var before = c.Sentence.AsSpan(0, c.Cue.Index);
        if (SomeoneElse().IsMatch(before) || (NotAThing().IsMatch(c.Value) && !EnglishRules.RefersBack(c.Value))) return false;
        return Speaker().IsMatch(before) || !OtherSubject().IsMatch(before);
    }

    /// <summary>The sentence before this one, when it is a name said alone ("Pretty Woman."): one to four words, no verb or pronoun.</summary>
    private static string? NameSaidAlone(CueContext c)
    {
        var before = c.Message.AsSpan(0, c.SentenceStart).TrimEnd().TrimEnd(".!?".AsSpan()).TrimEnd();
        var start = before.LastIndexOfAny('.', '!', '?') + 1;
        var fragment = before[start..].Trim().ToString();
        var words = fragment.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 4 || words.Any(w => !w.All(ch => char.IsLetterOrDigit(ch) || ch is '\'' or '-'))) return null;
        return NotAName().IsMatch(fragment) || words.Any(w => Keys.KeyCanonicalizer.IsKnownVerb(w)) ? null : fragment;
    }

    /// <summary>A kind alone ("Great movie. I have seen it ten times."): no name.</summary>
    private static bool KindAlone(string key) => Keys.KeyLexicon.English.KindNouns.LongestAt(key.Split(' '), 0).Length == key.Split(' ').Length;


    [GeneratedRegex(@"\b(?:i|i'm|im|you|he|she|we|they|it|this|that|is|are|was|were|am|do|does|did|have|has|had|not|no|yes|yeah|yep|ok|okay|lol|haha|hi|hello|hey|thanks|thank|wow|cool|nice|sure|oh|well|really|so|too|me|my|your)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotAName();

    [GeneratedRegex(@"\b(?:i|i'm|im|i've|ive|we|we're|we've)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Speaker();

    [GeneratedRegex(@"^\W*(?:my|our|the|a|an|this|that)\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OtherSubject();

    [GeneratedRegex(@"\b(?:he|she|they|you|u|his|her|their|your|[a-z]+\s+(?:is|are|was|were|has|had))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SomeoneElse();

    [GeneratedRegex(@"^(?:it|them|that|this|those|these|him|her|you|u|one|some|all|everything|anything|something)\b|\b(?:you|your)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotAThing();
}
