namespace CrossLearn.Features.Memories.Extraction;

/// <summary>
/// The words a cue pattern's remainder can start with, read from the pattern itself: <c>\s+(?:hate|dislike|can't\s+stand)</c>
/// starts with "hate", "dislike" or "can't". Each is a prefix of the text's word ("like" also admits "likes"), or the whole of
/// it when the pattern says so (<see cref="Whole"/>: "a" in <c>an?\s+</c> does not admit "also"). Null when the
/// remainder starts in a way this reader does not follow (an optional group, a class, a top-level alternative): such a
/// cue is tried everywhere, so the index only ever skips cues that cannot match.
/// </summary>
internal static class FirstWords
{
    /// <summary>Ends a first word that the pattern ends with a blank or a word boundary ("a" in <c>an?\s+</c>): no letter may follow it.</summary>
    public const char Whole = ' ';

    /// <summary>Whether a text word (lower case) can start with the first word <paramref name="first"/> (see <see cref="Whole"/>).</summary>
    public static bool Admits(string first, string word)
    {
        if (first[^1] != Whole) return word.StartsWith(first, StringComparison.Ordinal);
        var length = first.Length - 1;
        return word.AsSpan().StartsWith(first.AsSpan(0, length), StringComparison.Ordinal)
               && (word.Length == length || !(char.IsLetterOrDigit(word[length]) || word[length] == '_'));
    }

    public static string[]? Of(string remainder)
    {
        int at;
        if (remainder.StartsWith(@"\s+", StringComparison.Ordinal)) at = 3;
        else if (remainder.StartsWith(@"(?=\s+", StringComparison.Ordinal)) at = 6;
        // "(?:\s+(?:only|mostly))+": a group whose every alternative starts with a blank and a word.
        else if (remainder.StartsWith(@"(?:\s+", StringComparison.Ordinal)) at = 0;
        else return null;
        var words = new List<string>();
        return Read(remainder, at, words) ? [.. words.Distinct()] : null;
    }

    /// <summary>
    /// Reads the first words of the pattern at <paramref name="at"/>: a literal word, or a group of alternatives; an
    /// optional group adds the words of what follows it. False when the start is not one this reader follows.
    /// </summary>
    private static bool Read(string p, int at, List<string> words, int depth = 0)
    {
        if (depth > 8 || at >= p.Length) return false;
        if (p.AsSpan(at).StartsWith(@"\s+")) at += 3;
        var open = p.AsSpan(at).StartsWith("(?:") ? 3 : p.AsSpan(at).StartsWith("(?=") ? 3 : p.AsSpan(at).StartsWith("(?<") && at + 3 < p.Length && char.IsLetter(p[at + 3]) ? p.IndexOf('>', at) - at + 1 : 0;
        if (open > 0)
        {
            var end = GroupEnd(p, at);
            if (end < 0) return false;
            foreach (var start in AlternativeStarts(p, at + open, end))
                if (!Read(p, start, words, depth + 1)) return false;
            // An optional group can be skipped: what follows it could start the text too.
            if (end + 1 < p.Length && p[end + 1] is '?' or '*') return Read(p, end + 2, words, depth + 1);
            if (end + 1 < p.Length && p[end + 1] == '{')
            {
                var close = p.IndexOf('}', end);
                if (close < 0) return false;
                if (p[end + 2] == '0') return Read(p, close + 1, words, depth + 1);
            }
            return true;
        }
        // "\d{1,3}": a number, which starts with a digit.
        if (p.AsSpan(at).StartsWith(@"\d"))
        {
            words.AddRange(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
            return true;
        }
        var word = new System.Text.StringBuilder();
        for (var i = at; i < p.Length; i++)
        {
            var c = p[i];
            if (char.IsLetter(c) || c == '\'' || c == '-') { word.Append(char.ToLowerInvariant(c)); continue; }
            if (word.Length == 0) return false;
            var ends = p.AsSpan(i).StartsWith(@"\s") || p.AsSpan(i).StartsWith(@"\b");
            // "a\s+": the whole word, nothing longer ("a" must not admit "also").
            if (ends) { words.Add(word.ToString() + Whole); return true; }
            // "an?\s+": "a" or "an", each whole.
            if (c == '?' && word.Length > 1 && (p.AsSpan(i + 1).StartsWith(@"\s") || p.AsSpan(i + 1).StartsWith(@"\b")))
            {
                words.Add(word.ToString() + Whole);
                words.Add(word.ToString(0, word.Length - 1) + Whole);
                return true;
            }
            // "works?": the last letter is optional, the rest is still a prefix.
            if (c is '?' or '*') word.Length--;
            break;
        }
        if (word.Length == 0) return false;
        words.Add(word.ToString());
        return true;
    }

    /// <summary>The index of the ')' closing the group opened at <paramref name="open"/>, or -1.</summary>
    internal static int GroupEnd(string p, int open)
    {
        var depth = 0;
        var inClass = false;
        for (var i = open; i < p.Length; i++)
        {
            switch (p[i])
            {
                case '\\': i++; break;
                case '[' when !inClass: inClass = true; break;
                case ']' when inClass: inClass = false; break;
                case '(' when !inClass: depth++; break;
                case ')' when !inClass:
                    if (--depth == 0) return i;
                    break;
            }
        }
        return -1;
    }

    /// <summary>Where each alternative of the pattern text between <paramref name="from"/> and <paramref name="end"/> starts, outside any group or class.</summary>
    internal static IEnumerable<int> AlternativeStarts(string p, int from, int end)
    {
        yield return from;
        var depth = 0;
        var inClass = false;
        for (var i = from; i < end; i++)
        {
            switch (p[i])
            {
                case '\\': i++; break;
                case '[' when !inClass: inClass = true; break;
                case ']' when inClass: inClass = false; break;
                case '(' when !inClass: depth++; break;
                case ')' when !inClass: depth--; break;
                case '|' when !inClass && depth == 0: yield return i + 1; break;
            }
        }
    }
}
