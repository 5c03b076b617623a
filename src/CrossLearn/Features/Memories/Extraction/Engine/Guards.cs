using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction;

/// <summary>Whether a cue is the user speaking for themselves, and how sure they sound.</summary>
internal static partial class Guards
{
    private static readonly HashSet<string> GuardWords = Lexicon.Load("en", "guard-words", StringComparer.OrdinalIgnoreCase);

    /// <summary>Conditional or hypothetical context earlier in the sentence: "if I like it", "whether I prefer".</summary>
    [GeneratedRegex(@"\b(?:if|unless|whether|in\s+case|suppose|supposing|imagine|pretend|wish)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConditionalRegex();

    /// <summary>A conditional or hypothetical word anywhere in <paramref name="text"/>: a thing said before its cue may be inside it.</summary>
    public static bool MentionsCondition(ReadOnlySpan<char> text) => ConditionalRegex().IsMatch(text);

    /// <summary>"I wish I was taller but I love basketball": a "but" and a new subject end what a wish or an "if" covers.</summary>
    [GeneratedRegex(@"\bbut\s+(?=i\b|i'm\b|i've\b|im\b|my\b|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ButClauseRegex();

    /// <summary>Whether a conditional or hypothetical word earlier in the clause covers what follows <paramref name="before"/>.</summary>
    public static bool IsConditional(ReadOnlySpan<char> before)
    {
        var start = 0;
        foreach (var m in ButClauseRegex().EnumerateMatches(before)) start = m.Index + m.Length;
        return ConditionalRegex().IsMatch(before[start..]);
    }

    /// <summary>Reported speech or somebody else's belief right before the "I": "she said I love jazz", "they think I hate it".</summary>
    [GeneratedRegex(
        @"\b(?:said|says|say|told|tells|tell|asked|asks|ask|claims?|claimed|insists?|insisted|thinks|thought|believes|believed|wrote|writes|mentioned|mentions|assumes?|assumed|knows|knew|heard|hears|pretends?|pretended)\b(?:\s+(?:me|him|her|us|them|you|everyone|everybody))?(?:\s+that)?[\s,:""']*$"
        + @"|(?<![\w'])(?!i\b)[\w']+\s+(?:think|believe|guess|suppose|feel|reckon)(?:\s+that)?[\s,]*$"
        + @"|\b(?:don't|do\s+not|dont|didn't|did\s+not)\s+(?:think|believe|feel)(?:\s+that|\s+like)?[\s,]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReportedRegex();

    [GeneratedRegex(
        @"\b(?:maybe|perhaps|sometimes|probably|possibly|occasionally|kind\s+of|kinda|sort\s+of|sorta|i\s+guess|i\s+suppose|i\s+think|i\s+believe|i\s+reckon|i\s+feel\s+like|not\s+(?:really\s+|totally\s+|entirely\s+)?sure|might|somewhat|at\s+times|now\s+and\s+then|once\s+in\s+a\s+while|apparently|more\s+or\s+less|i\s+assume|i\s+imagine)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HedgeRegex();

    /// <summary>A hedge right after the thing: "I like jazz, I think".</summary>
    [GeneratedRegex(@"^[\s,;-]*(?:i\s+guess|i\s+think|i\s+suppose|i\s+believe|i\s+reckon|maybe|probably|perhaps|sometimes|kind\s+of|sort\s+of)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrailingHedgeRegex();

    [GeneratedRegex(@"\b(?:really|definitely|absolutely|truly|totally|genuinely|certainly|seriously|strongly|always|especially|particularly|so\s+much|very\s+much)\b|\bdo\s+(?!not\b|n't\b)(?=\w)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmphaticRegex();

    /// <summary>The "I" of a cue must be the speaker: not reported speech, not a question or conditional, not somebody else's belief.</summary>
    public static bool SubjectIsTheUser(string sentence, int cueStart)
    {
        // The word right before the cue.
        var p = cueStart - 1;
        while (p >= 0 && !char.IsLetterOrDigit(sentence[p]) && sentence[p] != '\'') p--;
        var e = p + 1;
        while (p >= 0 && (char.IsLetterOrDigit(sentence[p]) || sentence[p] == '\'')) p--;
        if (e > p + 1 && GuardWords.Contains(sentence.Substring(p + 1, e - p - 1))) return false;

        // Look back at most 160 characters: keeps the guards linear on long sentences.
        var from = Math.Max(0, cueStart - 160);
        var before = sentence.Substring(from, cueStart - from);
        if (IsConditional(before)) return false;
        return !ReportedRegex().IsMatch(before);
    }

    /// <summary>The text after the last clause boundary: what a hedge before a cue must be part of to count.</summary>
    public static string LastClause(string prefix)
    {
        var last = 0;
        foreach (Match m in ObjectSpans.BoundaryRegex().Matches(prefix)) last = m.Index + m.Length;
        return prefix[last..];
    }

    public static bool IsHedged(ReadOnlySpan<char> text) => HedgeRegex().IsMatch(text);

    public static bool StartsWithHedge(ReadOnlySpan<char> text) => TrailingHedgeRegex().IsMatch(text);

    public static bool IsEmphatic(string text) => EmphaticRegex().IsMatch(text);
}
