using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction;

/// <summary>The thing a cue talks about: where it ends in the sentence, and how it is cleaned, cut and read.</summary>
internal static partial class ObjectSpans
{
    /// <summary>Where the thing a cue talks about ends: a clause joiner, a new subject, or clause punctuation.</summary>
    [GeneratedRegex(
        @"\s+(?:but|because|cause|cuz|since|although|though|while|whereas|unless|until|when|whenever|if|so\s+that|which|who|where|as\s+long\s+as|except|and\s+then|btw|whereas|plus|yet)\b"
        + @"|\s+(?:and|or)\s+(?=(?:i|i'm|im|i've|i'd|i'll|my|me|you|your|he|she|we|they|it|it's|that|this|there|never|also|then|so|now|not|always)\b)"
        // A second verb of the same speaker starts a clause of its own: "I dislike X and prefer Y".
        + @"|\s+(?:and|or)\s+(?=(?:(?:really|much|strongly|also|usually|often|rarely|only|just|would|tend\s+to|try\s+to)\s+)?(?:prefer|want|avoid|love|like|enjoy|adore|hate|dislike|detest|find|refuse|need|can't|cannot|don't|do\s+not|choose|opt|stick|stay|use|go|am|was|have|had|teach|tend|work|live)\b)"
        + @"|\s*,?\s+(?:instead|rather|preferring|opting|choosing|favou?ring)\b|(?<!\b(?:that|which|who)\s+(?:do|does|did|are|is|was|were|have|has|can|could|will|would))\s+(?:just\s+|but\s+)?not\s+(?!only\b)|\s+(?:is|are)\s+(?:my|the|so|really|very|too|not|just|a)\b"
        + @"|\s+so\b|\s+(?:what|how)\s+(?:about|is|are|do|does|did|was)\b"
        + @"|\s+(?=(?:i|i'm|im|i've|ive|i'll|i'd)\s)"
        // "that" only after a comma: without one it starts a relative clause ("pets that can bite"), which is part of the thing.
        + @"|\s+(?=(?:it|it's|its|this|there|they|he|she|we)\s+(?:is|are|was|were|has|have|s|will|would|can|makes?|gets?|keeps?|helps?)\b)"
        + @"|\s*,\s*(?=(?:and|but|so|or|because|cause|since|though|although|which|who|whereas|while|when|if|then|plus|i|i'm|im|i've|i'd|i'll|you|he|she|we|they|it|it's|that|this|there|my|what|how|why|anyway|lol|haha|thanks|thank|please|except|not|unlike|as|do|does|did|is|are|was|can|could|would|will|yes|no|ok|okay|right|well|oh|though|tho)\b)"
        + @"|\s+[-–—]+\s+|\s*[:;\[\]{}]|(?<!\b(?:mr|mrs|ms|dr|prof|st|jr|sr|mt|e\.g|i\.e))\s*[.!?…]+(?:\s|$)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    internal static partial Regex BoundaryRegex();

    /// <summary>Words that end a thing without adding to it ("tea, please", "jazz a lot lol").</summary>
    [GeneratedRegex(
        @"(?:[\s,]+(?:please|pls|plz|thanks|thank\s+you|a\s+lot|a\s+ton|lots|very\s+much|so\s+much|too\s+much|much|too|as\s+well|also|especially|particularly|mostly|mainly|though|tho|anyway|anyways|at\s+all|either|lol|lmao|haha+|hehe+|now|right\s+now|tonight|today|tomorrow|this\s+(?:morning|evening|weekend)|anymore|any\s+more|these\s+days|nowadays|at\s+the\s+moment|currently|btw|by\s+the\s+way|really|actually|honestly|in\s+general|generally|i\s+think|i\s+guess|i\s+suppose|i\s+believe|maybe|perhaps|probably|sometimes|occasionally|myself|personally|ever|for\s+sure|of\s+course|definitely|absolutely|these\s+days|most\s+of\s+the\s+time|mostly|usually|and|or|but|then|:\)|:-\)|:d|;\))(?![\w]))+[\s.,!?]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrailingFillerRegex();

    [GeneratedRegex(@"\s+")]
    internal static partial Regex WhitespaceRegex();

    private static readonly char[] LeadingPunctuation =
        [' ', '"', '\'', '(', '[', '{', ',', ':', ';', '-', '–', '—', '*', '_', '~', '…', '!', '?', '<', '>', '/', '\\', '|', '='];

    private static readonly char[] TrailingPunctuation =
        [' ', '"', '\'', ')', ']', '}', ',', ':', ';', '.', '!', '?', '…', '-', '–', '—', '*', '_', '~', '<', '>', '/', '\\', '|', '='];

    /// <summary>The end of the thing that starts at <paramref name="from"/>, at most <paramref name="limit"/> (where the next cue starts).</summary>
    public static int FindObjectEnd(string sentence, int from, int limit)
    {
        // Skip a leading ':' / ',' / '-' ("My name is: Ana").
        var s = from;
        while (s < limit && (char.IsWhiteSpace(sentence[s]) || sentence[s] is ':' or ',' or '-' or '–' or '—')) s++;
        if (s >= limit) return limit;
        var m = BoundaryRegex().Match(sentence, s, limit - s);
        // "cooking, gardening, and sipping tea": a comma before the last "and" of a list does not end the thing; nor does
        // "are not" in a clause that says which ones ("areas that are not prone to floods").
        while (m.Success && (IsListEnd(sentence, s, m) || InRelativeClause(sentence, s, m)))
            m = BoundaryRegex().Match(sentence, m.Index + m.Length, limit - m.Index - m.Length);
        return m.Success ? m.Index : limit;
    }

    /// <summary>An " is/are ..." boundary right after "that", "which" or "who": the verb of a relative clause, part of the thing.</summary>
    private static bool InRelativeClause(string sentence, int thingStart, Match boundary)
    {
        var value = boundary.ValueSpan.TrimStart();
        if (!StartsWithWord(value, "is") && !StartsWithWord(value, "are")) return false;
        var before = sentence.AsSpan(thingStart, boundary.Index - thingStart).TrimEnd();
        var space = before.LastIndexOf(' ');
        var last = space < 0 ? before : before[(space + 1)..];
        return last.Equals("that", StringComparison.OrdinalIgnoreCase) || last.Equals("which", StringComparison.OrdinalIgnoreCase)
               || last.Equals("who", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A ", and" / ", or" boundary after a comma inside the thing: the end of a list, not of the thing.</summary>
    private static bool IsListEnd(string sentence, int thingStart, Match boundary)
    {
        if (!boundary.ValueSpan.Contains(',')) return false;
        var after = sentence.AsSpan(boundary.Index + boundary.Length);
        return (StartsWithWord(after, "and") || StartsWithWord(after, "or")) && sentence.AsSpan(thingStart, boundary.Index - thingStart).Contains(',');
    }

    /// <summary>The thing with whitespace collapsed and trailing filler dropped; <paramref name="hedged"/> when the filler hedges ("tea I think").</summary>
    public static string CleanValue(string raw, out bool hedged)
    {
        hedged = false;
        if (raw.Length > 4 * MemoryExtractor.MaxValueLength) raw = raw[..(4 * MemoryExtractor.MaxValueLength)];
        var value = TrimPunctuation(WhitespaceRegex().Replace(raw, " "));
        for (var round = 0; round < 4; round++)
        {
            var m = TrailingFillerRegex().Match(value);
            if (!m.Success || m.Length == 0) break;
            if (Guards.IsHedged(m.Value)) hedged = true;
            value = TrimPunctuation(value[..m.Index]);
        }
        return Cap(value, MemoryExtractor.MaxValueLength * 2);
    }

    /// <summary>Drops surrounding punctuation, but keeps a bracket whose partner is inside ("(short) summaries").</summary>
    public static string TrimPunctuation(string value)
    {
        var start = 0;
        var end = value.Length;
        while (start < end)
        {
            var c = value[start];
            if (Array.IndexOf(LeadingPunctuation, c) < 0) break;
            if (c is '(' or '[' or '{' && value.IndexOf(Closing(c), start + 1, end - start - 1) >= 0) break;
            start++;
        }
        while (end > start)
        {
            var c = value[end - 1];
            if (Array.IndexOf(TrailingPunctuation, c) < 0) break;
            if (c is ')' or ']' or '}' && value.IndexOf(Opening(c), start, end - start - 1) >= 0) break;
            end--;
        }
        return value[start..end];
    }

    private static char Closing(char c) => c switch { '(' => ')', '[' => ']', _ => '}' };

    private static char Opening(char c) => c switch { ')' => '(', ']' => '[', _ => '{' };

    /// <summary>At most <paramref name="max"/> characters, cut on a word boundary when one is in the second half.</summary>
    public static string Cap(string value, int max)
    {
        if (value.Length <= max) return value;
        var cut = value.LastIndexOf(' ', max);
        var capped = cut > max / 2 ? value[..cut] : value[..max];
        return TrimPunctuation(capped);
    }

    /// <summary><paramref name="value"/> up to the first match of <paramref name="end"/> (unchanged when it matches at the start or not at all).</summary>
    public static string CutAt(string value, Regex end)
    {
        var m = end.Match(value);
        return m.Success && m.Index > 0 ? TrimPunctuation(value[..m.Index]) : value;
    }

    public static string DropArticle(string value)
    {
        foreach (var article in (ReadOnlySpan<string>)["a", "an", "the"])
            if (StartsWithWord(value, article) && value.Length > article.Length) return value[article.Length..].TrimStart();
        return value;
    }

    public static string DropLeading(string value, string word) =>
        StartsWithWord(value, word) && value.Length > word.Length ? value[word.Length..].TrimStart() : value;

    /// <summary>The first word, lower case, without trailing punctuation.</summary>
    public static string FirstWord(string value)
    {
        var v = value.TrimStart();
        var end = 0;
        while (end < v.Length && !char.IsWhiteSpace(v[end]) && v[end] is not (',' or '.' or '!' or '?' or ';' or ':')) end++;
        return v[..end].ToLowerInvariant();
    }

    public static bool StartsWithWord(ReadOnlySpan<char> value, string word) =>
        value.StartsWith(word, StringComparison.OrdinalIgnoreCase)
        && (value.Length == word.Length || !char.IsLetterOrDigit(value[word.Length]) && value[word.Length] != '\'');

    public static bool StartsWithWord(string value, string word) => StartsWithWord(value.AsSpan(), word);

    public static bool EndsWithWord(string value, string word)
    {
        var v = value.AsSpan().TrimEnd();
        return v.EndsWith(word, StringComparison.OrdinalIgnoreCase)
               && (v.Length == word.Length || !char.IsLetterOrDigit(v[^(word.Length + 1)]) && v[^(word.Length + 1)] != '\'');
    }
}
