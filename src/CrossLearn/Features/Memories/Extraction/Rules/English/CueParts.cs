namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Building blocks of the English cue patterns (matched ignoring case).</summary>
internal static class CueParts
{
    public const string I = @"(?<![\w'])i";
    public const string IM = @"(?<![\w'])(?:i'm|im|i\s+am)";
    public const string ID = @"(?<![\w'])(?:i'd|i\s+would)";
    public const string IVE = @"(?<![\w'])(?:i've|ive|i\s+have)\s+been";
    /// <summary>"I'll", "I will".</summary>
    public const string ILL = @"(?<![\w'])i(?:'ll|\s+will)";
    /// <summary>"I've", "Ive", "I have" (not followed by "been": that is <see cref="IVE"/>).</summary>
    public const string IHAVE = @"(?<![\w'])(?:i've|ive|i\s+have)";
    public const string MY = @"(?<![\w'])my";
    /// <summary>"we": the user among others ("we love camping"), read less surely than "I".</summary>
    public const string WE = @"(?<![\w'])we";
    /// <summary>"and" or "but" standing for the speaker before a second verb ("I dislike X and prefer Y", "I'm a nurse but love painting").</summary>
    public const string AND = @"(?<![\w'])(?:and|but)";

    // Alphabetical on purpose: the regex compiler merges neighbouring alternatives with a common first letter and then
    // branches on that letter, so a word is checked against a handful of adverbs instead of all of them.
    private const string AdvWords =
        @"absolutely|actually|adamantly|already|also|always|both|certainly|completely|currently|deeply|definitely|do|"
        + @"entirely|especially|even|exclusively|finally|firmly|generally|genuinely|greatly|honestly|intensely|just|kind\s+of|"
        + @"kinda|mainly|maybe|more|mostly|much|normally|now|occasionally|often|only|particularly|passionately|perhaps|"
        + @"personally|possibly|pretty|probably|quite|really|recently|seriously|simply|so|sometimes|somewhat|sort\s+of|sorta|"
        + @"steadfastly|still|strictly|strongly|too|totally|truly|typically|usually|utterly|vehemently|very\s+much";

    /// <summary>Up to four adverbs between the subject and the verb: "I really just love".</summary>
    public const string ADV = @"(?:\s+(?:" + AdvWords + @")){0,4}";

    /// <summary>Adverbs before "always": a shorter list than <see cref="ADV"/>, which holds "always" itself.</summary>
    public const string AdvNoAlways =
        @"(?:\s+(?:really|truly|definitely|absolutely|just|also|still|almost|nearly|pretty\s+much|basically|literally|honestly|actually|generally|usually|mostly|personally)){0,3}";

    /// <summary>
    /// Every word the subject parts (<see cref="IM"/>, <see cref="ID"/>, <see cref="IVE"/>, <see cref="IHAVE"/>, <see cref="ILL"/>) and the adverbs (<see cref="ADV"/>,
    /// <see cref="AdvNoAlways"/>) can match after the subject word: a cue's own first word comes after them. A few more
    /// are harmless.
    /// </summary>
    public static readonly IReadOnlySet<string> WordsBeforeTheCue =
        System.Text.RegularExpressions.Regex.Matches(AdvWords + "|" + AdvNoAlways, "[a-z]+").Select(m => m.Value)
            .Concat(["'m", "am", "'d", "would", "'ve", "have", "been", "'ll", "will"]).ToHashSet(StringComparer.Ordinal);

    /// <summary>One adverb after the negation: "I don't really like".</summary>
    public const string AdvAfterNot = @"(?:\s+(?:really|just|even|particularly|especially|actually|ever|much|like))?";

    public const string NOT = @"(?:do\s+not|don't|dont|don\s+t|do\s+n't)";

    /// <summary>List markers and softeners before an instruction: "- ", "1. ", "please", "from now on", "remember to".</summary>
    public const string InstructionLead =
        @"[\s\-*•>#\d.)]*(?:(?:please|pls|plz|and|also|but|so|oh|ok|okay|btw|just|kindly|remember|note|reminder|again|from\s+now\s+on|going\s+forward|in\s+future|in\s+the\s+future)\b[\s,:]*){0,3}(?:to\s+)?";

    /// <summary>Places with a name the lexicon knows (continents, countries, states), as an alternation.</summary>
    public static readonly string Places = AnyOf("place-names", plurals: false);

    /// <summary>Blanks and commas before a sentence-start cue.</summary>
    public const string SentenceLead = @"[\s,]*";

    /// <summary>
    /// An alternation of lexicon entries for a cue pattern, longest first, each also in its plural ("sister",
    /// "sisters"; "child" also matches "children" through the list itself): one word list, one place.
    /// Do not put a lazy quantifier right before one (<c>(?:\w+\s+){0,2}?</c> + AnyOf): .NET 10's compiled regex
    /// then threw IndexOutOfRangeException inside its generated matcher on ordinary input; a greedy one works.
    /// </summary>
    public static string AnyOf(IEnumerable<string> entries, bool plurals = true) =>
        "(?:" + string.Join('|', entries.Distinct().OrderByDescending(e => e.Length)
            .Select(e => System.Text.RegularExpressions.Regex.Escape(e).Replace(@"\ ", @"\s+") + (plurals ? "(?:s|es)?" : ""))) + ")";

    /// <summary>A lexicon list as an alternation (see <see cref="AnyOf"/>).</summary>
    public static string AnyOf(string lexicon, bool plurals = true) => AnyOf(Lexicon.Entries("en", lexicon), plurals);
}
