using System.Text;
using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction;

/// <summary>A message made ready for the rules: normalised characters, quoted spans, sentences.</summary>
internal static partial class MessageText
{
    private static readonly HashSet<string> Abbreviations = Lexicon.Load("en", "abbreviations", StringComparer.OrdinalIgnoreCase);

    /// <summary>Quoted or code text: cues inside it are somebody else's words (or code), not the user's.</summary>
    [GeneratedRegex(@"```[\s\S]*?```|`[^`\n]{0,2000}`|""[^""]{0,4000}""|(?<![\w])'[^'\n]{1,500}'(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedRegex();

    /// <summary>At most <see cref="MemoryExtractor.MaxInputLength"/> characters, with one kind of apostrophe, quote, line break and blank.</summary>
    public static string Prepare(string message)
    {
        var length = Math.Min(message.Length, MemoryExtractor.MaxInputLength);
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var c = message[i];
            switch (c)
            {
                case '\u2019' or '\u2018' or '\u00B4' or '\u02BC' or '\u2032':
                    sb.Append('\''); break;
                case '\u201C' or '\u201D' or '\u201E' or '\u00AB' or '\u00BB' or '\u2033':
                    sb.Append('"'); break;
                case '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD':
                    break; // invisible
                case '\r' or '\n' or '\u2028' or '\u2029' or '\u0085':
                    sb.Append('\n'); break;
                default:
                    if (char.IsWhiteSpace(c) || char.IsControl(c)) sb.Append(' ');
                    else sb.Append(c);
                    break;
            }
            // Collapse runs of blanks (a line break wins over spaces): every \s+ in the patterns then spans at most one
            // character, which keeps them linear even on pathological input.
            var n = sb.Length;
            if (n >= 2 && sb[n - 1] is ' ' or '\n' && sb[n - 2] is ' ' or '\n')
            {
                var newline = sb[n - 1] == '\n' || sb[n - 2] == '\n';
                sb.Length = n - 1;
                sb[n - 2] = newline ? '\n' : ' ';
            }
        }
        var text = sb.ToString();
        // Chat logs and some keyboards split contractions at the apostrophe ("that s my favorite", "i m a nurse"): joined
        // again, so the rules read them as said. Only where a lone s, m, t, ve, ll, re or d follows such a word.
        return text.AsSpan().ContainsAny(SplitMarks) ? SplitContraction().Replace(text, m => m.Value.Replace(' ', '\'')) : text;
    }

    // Most messages have none: this scan is much cheaper than the regex.
    private static readonly System.Buffers.SearchValues<string> SplitMarks = System.Buffers.SearchValues.Create(
        [" s ", " m ", " t ", " ve ", " ll ", " re ", " d ", " s.", " s,", " s!", " t.", " t,"], StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\b(?:(?:that|it|he|she|there|what|who|here|where|let) s|i m|(?:don|doesn|didn|can|won|isn|aren|wasn|weren|couldn|wouldn|shouldn|haven|hasn) t|(?:i|you|we|they) (?:ve|ll|re|d))\b(?!')",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SplitContraction();

    public static List<(int Start, int End)> FindQuotedSpans(string text)
    {
        var spans = new List<(int, int)>();
        foreach (Match m in QuotedRegex().Matches(text))
        {
            // A message wrapped in quotation marks as a whole is the user's own words, quoted for no one else (code stays code).
            if (m.Value[0] == '"' && text.AsSpan(0, m.Index).IsWhiteSpace() && text.AsSpan(m.Index + m.Length).IsWhiteSpace()) continue;
            spans.Add((m.Index, m.Index + m.Length));
        }
        return spans;
    }

    public static bool InSpan(List<(int Start, int End)> spans, int position)
    {
        foreach (var (s, e) in spans)
        {
            if (position < s) return false; // spans are in order
            if (position < e) return true;
        }
        return false;
    }

    /// <summary>Sentences: split on . ! ? … (when followed by a space or the end), on ';' and on line breaks; never inside quotes.</summary>
    public static IEnumerable<(int Start, int End)> SplitSentences(string text, List<(int Start, int End)> quoted)
    {
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '\n' or ';')
            {
                if (!InSpan(quoted, i))
                {
                    if (i > start) yield return (start, i);
                    start = i + 1;
                }
                i++;
                continue;
            }
            if (c is '.' or '!' or '?' or '…')
            {
                var j = i;
                while (j < text.Length && text[j] is '.' or '!' or '?' or '…') j++;
                var k = j;
                while (k < text.Length && text[k] is '"' or '\'' or ')' or ']') k++;
                var atBreak = k >= text.Length || char.IsWhiteSpace(text[k]);
                if (atBreak && !InSpan(quoted, i) && !(c == '.' && j == i + 1 && IsAbbreviation(text, i)))
                {
                    yield return (start, k);
                    start = k;
                }
                i = k > i ? k : i + 1;
                continue;
            }
            i++;
        }
        if (start < text.Length) yield return (start, text.Length);
    }

    private static bool IsAbbreviation(string text, int dot)
    {
        var s = dot;
        while (s > 0 && (char.IsLetter(text[s - 1]) || text[s - 1] == '.')) s--;
        if (s == dot) return false;
        var word = text.Substring(s, dot - s);
        // A single capital is an initial ("J. Smith"), except the pronoun.
        return Abbreviations.Contains(word) || (word.Length == 1 && char.IsUpper(word[0]) && word != "I");
    }

    /// <summary>
    /// The statement in front of a question tagged on after a comma or dash ("I love jazz, do you?", "I'm a nurse, what
    /// about you?"), or "" when the whole sentence is a question.
    /// </summary>
    public static string StatementBeforeQuestion(string sentence)
    {
        for (var m = TaggedQuestionRegex().Match(sentence); m.Success; m = m.NextMatch())
        {
            var statement = sentence[..m.Index];
            if (!QuestionOpenerRegex().IsMatch(statement)) return statement;
        }
        return "";
    }

    /// <summary>A question after a comma or dash ("..., do you?", "... - what about you?"), or a short tag after a blank ("... and you?").</summary>
    [GeneratedRegex(@"\s*(?:,|\s-+)\s*(?=(?:and\s+)?(?:what|how|do|does|did|are|is|have|has|can|could|would|will|where|why|who|which|you|u|right|isn't|aren't|don't|didn't|haven't|wbu|hbu)\b[^,]*\?[\s""')\]]*$)"
        // "I'm a nurse and you?", "I love tea how about you?": the short tag needs no comma.
        + @"|\s+(?=(?:and|how\s+about|what\s+about)\s+(?:you|u|yourself|yours)\W*\?[\s""')\]]*$)"
        // "I am 22 how old are you?", "I love pizza do you?": a question to the other person run on without a comma.
        + @"|\s+(?=(?:how\s+old\s+are\s+you|do\s+you|are\s+you|have\s+you|what\s+do\s+you|what\s+about\s+you|where\s+do\s+you|what\s+is\s+yours|whats\s+yours|what\s+is\s+your|whats\s+your)\b[^,.!]*\?[\s""')\]]*$)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TaggedQuestionRegex();

    /// <summary>
    /// Where a statement about oneself that ends in a question mark starts ("my fav is Good Burger?", "..., mine is
    /// Dune?"), or -1: its last clause opens with "my"/"mine", names nobody else and asks nothing.
    /// </summary>
    public static int RisingStatementStart(string sentence)
    {
        // Only the last clause is tried, with an anchored pattern: a pattern tried at every position of every question costs.
        var start = sentence.AsSpan().LastIndexOfAny(',', ';', ':') + 1;
        while (start < sentence.Length && !char.IsLetter(sentence[start])) start++;
        return start < sentence.Length && sentence[start] is 'm' or 'M' && RisingClauseRegex().IsMatch(sentence.AsSpan(start)) ? start : -1;
    }

    [GeneratedRegex(@"^(?:my|mine)\b(?![^?]*\b(?:you|your|yours|u|ur|or)\b)[^?]*\?[\s""')\]?!]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RisingClauseRegex();

    /// <summary>A sentence that opens as a question ("Do you think I like it, ...?") is a question all through.</summary>
    [GeneratedRegex(@"^\W*(?:what|how|do|does|did|are|is|have|has|can|could|would|will|where|why|who|which|should|shall|may|if|whether)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuestionOpenerRegex();

    /// <summary>Whether only how much is left ("so much!", "very much", "too"), or nothing: "I love it so much" says no more about "it".</summary>
    public static bool NothingButEmphasis(ReadOnlySpan<char> rest) => NothingButPunctuation(rest) || EmphasisRegex().IsMatch(rest);

    [GeneratedRegex(@"^\s*(?:(?:so|very|really|too)\s+)*(?:much|a\s+lot|too|so\s+much)(?:\s+(?:more|now|too))?[\s.!?,;:)""']*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmphasisRegex();

    /// <summary>Whether a new clause starts here ("... and it's coming", ", but ..."): the words before it are whole. Not "when": in "I hate it when you..." the "it" points forward.</summary>
    public static bool StartsAClause(ReadOnlySpan<char> rest) => ClauseStartRegex().IsMatch(rest);

    [GeneratedRegex(@"^\s*,?\s*(?:and|but|because|cause|so|since|though|although)\s+(?:i|it|its|it's|they|they're|that|he|she|we|you|my|there)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClauseStartRegex();

    /// <summary>Whether only blanks and closing punctuation are left.</summary>
    public static bool NothingButPunctuation(ReadOnlySpan<char> rest)
    {
        foreach (var c in rest)
            if (!char.IsWhiteSpace(c) && c is not ('.' or '!' or '?' or '…' or ',' or ';' or ':' or ')' or ']' or '"' or '\'')) return false;
        return true;
    }

    public static bool IsQuestion(string sentence)
    {
        for (var i = sentence.Length - 1; i >= 0; i--)
        {
            var c = sentence[i];
            if (char.IsWhiteSpace(c) || c is '"' or '\'' or ')' or ']') continue;
            return c == '?' || (c is '.' or '!' or '…' && sentence.AsSpan(0, i + 1).TrimEnd(".!…").EndsWith("?"));
        }
        return false;
    }
}
