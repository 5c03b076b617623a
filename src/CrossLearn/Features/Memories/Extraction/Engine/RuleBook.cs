using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction;

/// <summary>
/// A leading part of <see cref="RuleAnchor.AtSubject"/> cue patterns and the subject words (matches of the subject
/// pattern, any case) where a pattern that starts with it can match: English "I'm" can start at "i" ("i'm", "i am") or "im".
/// </summary>
internal sealed record SubjectLead(string PatternStart, string[] SubjectWords);

/// <summary>
/// How cues at a subject begin in one language: where they may start (<see cref="Subject"/>, <see cref="Leads"/>), and
/// the subject-and-adverbs parts (<see cref="AdverbStarts"/>, e.g. "I" + up to four adverbs) after which a cue's own
/// first word decides whether it is worth trying. <see cref="WordsBeforeTheCue"/> must hold every word those parts can
/// match after the subject word (more is harmless: the index then only tries more cues). <see cref="InstructionLead"/>
/// is what may come before any instruction ("- ", "please", "from now on"): read once, then the instructions' own words.
/// </summary>
internal sealed record SubjectSyntax(Regex Subject, IReadOnlyList<SubjectLead> Leads, IReadOnlyList<string> AdverbStarts, IReadOnlySet<string> WordsBeforeTheCue, string InstructionLead);

/// <summary>The rules of one language, compiled once: one regex per <see cref="RuleAnchor"/>, and per subject word for <see cref="RuleAnchor.AtSubject"/>.</summary>
internal sealed partial class RuleBook
{
    [GeneratedRegex(@"(?<!\\)\((?:\?(?::|<\w+>))?\)|(?<!\\)\((?:\?(?::|<\w+>))?\||(?<!\\)\|\)")]
    private static partial Regex EmptyGroup();

    private readonly Dictionary<string, SubjectCues> atSubject;
    private readonly SubjectCues atAnySubject;
    private readonly IReadOnlySet<string> wordsBeforeTheCue;

    public RuleBook(SubjectSyntax syntax, IReadOnlyList<CueRule> rules, Func<string, IReadOnlyList<string>> conjuncts, Func<string, bool> refersBack,
        Func<string, string> lastNounPhrase, Func<string, bool> onlyCarries)
    {
        // "(?<thing>)", "(?:|x)": a word list spliced into a pattern before it was loaded (static fields are set in written order).
        if (rules.FirstOrDefault(r => EmptyGroup().IsMatch(r.Pattern)) is { } hollow)
            throw new InvalidOperationException($"Rule '{hollow.Name}' has an empty group or alternative in its pattern: a word list used before it was loaded?");
        // Questions are scanned only for the gated thing-first cues, so an aside must be gated to be heard there.
        if (rules.FirstOrDefault(r => r.AsideGroup is not null && r.OnlyWith is null) is { } ungated)
            throw new InvalidOperationException($"Rule '{ungated.Name}' is an aside without OnlyWith words: asides inside questions would not be read.");
        OnlyCarries = onlyCarries;
        RefersBack = refersBack;
        LastNounPhrase = lastNounPhrase;
        var (subject, leads) = (syntax.Subject, syntax.Leads);
        wordsBeforeTheCue = syntax.WordsBeforeTheCue;
        Subject = subject;
        Conjuncts = conjuncts;
        // The lead is atomic: read once, it is never given back to try the instructions again after fewer lead words.
        Instruction = new("^(?>" + syntax.InstructionLead + ")", rules.Where(r => r.Anchor == RuleAnchor.Instruction));
        SentenceStart = new("^", rules.Where(r => r.Anchor == RuleAnchor.SentenceStart));
        ThingFirst = new("", rules.Where(r => r.Anchor == RuleAnchor.ThingFirst && r.OnlyWith is null));
        var gated = rules.Where(r => r.Anchor == RuleAnchor.ThingFirst && r.OnlyWith is not null).ToList();
        GatedThingFirst = new("", gated);
        ThingFirstGate = System.Buffers.SearchValues.Create([.. gated.SelectMany(r => r.OnlyWith!).Distinct()], StringComparison.OrdinalIgnoreCase);
        Mention = new("", rules.Where(r => r.Anchor == RuleAnchor.Mention && r.OnlyWith is null));
        var gatedMentions = rules.Where(r => r.Anchor == RuleAnchor.Mention && r.OnlyWith is not null).ToList();
        GatedMention = new("", gatedMentions);
        MentionGate = System.Buffers.SearchValues.Create([.. gatedMentions.SelectMany(r => r.OnlyWith!).Distinct()], StringComparison.OrdinalIgnoreCase);

        // Each subject word gets only the cues that can start there (a "my" never starts an "I like"): trying all of them
        // at every subject was most of the extractor's time. A pattern with no known lead is tried at every subject.
        var cues = rules.Where(r => r.Anchor == RuleAnchor.AtSubject).ToList();
        // A pattern can start at a word when one of its top-level branches can: one with no known lead, at every word.
        bool CanStartAt(CueRule rule, string word) => TopLevelBranches(rule.Pattern)
            .Any(branch => LeadOf(branch) is not { } lead || lead.SubjectWords.Contains(word, StringComparer.OrdinalIgnoreCase));
        SubjectLead? LeadOf(string branch) =>
            leads.Where(l => branch.StartsWith(l.PatternStart, StringComparison.Ordinal)).MaxBy(l => l.PatternStart.Length);
        var compiled = cues.ToDictionary(r => r, r => SubjectCues.Compile(r, syntax.AdverbStarts));
        atAnySubject = new(cues.Select(r => compiled[r]));
        atSubject = leads.SelectMany(l => l.SubjectWords).Distinct(StringComparer.OrdinalIgnoreCase).ToDictionary(
            word => word,
            word => new SubjectCues(cues.Where(r => CanStartAt(r, word)).Select(r => compiled[r])),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The first cue (by priority) that matches at this <see cref="Subject"/> match, if any.</summary>
    public (CueRule Rule, Match Match)? MatchAtSubject(string sentence, Match subject) =>
        (atSubject.GetValueOrDefault(subject.Value) ?? atAnySubject).MatchAt(sentence, subject.Index, WordsAfter(sentence, subject.Index + subject.Length));

    /// <summary>
    /// The words after a subject, lower case, up to and including the first that is not one of the words before a cue
    /// (adverbs, "am", "'m"): a cue that starts after the subject and adverbs must start with one of them.
    /// </summary>
    private string[] WordsAfter(string sentence, int at)
    {
        var words = new List<string>(4);
        var i = at;
        while (words.Count < 10)
        {
            while (i < sentence.Length && char.IsWhiteSpace(sentence[i])) i++;
            var start = i;
            while (i < sentence.Length && !char.IsWhiteSpace(sentence[i])) i++;
            if (i == start) break;
            var word = sentence.Substring(start, i - start).ToLowerInvariant();
            words.Add(word);
            if (!wordsBeforeTheCue.Contains(word.TrimEnd(',', '.', '!', '?', ';', ':'))) break;
        }
        return [.. words];
    }

    /// <summary>The alternatives of a pattern outside any group: "a|b(c|d)" gives "a" and "b(c|d)".</summary>
    internal static IEnumerable<string> TopLevelBranches(string pattern)
    {
        var starts = FirstWords.AlternativeStarts(pattern, 0, pattern.Length).ToList();
        for (var i = 0; i < starts.Count; i++)
            yield return pattern[starts[i]..(i + 1 < starts.Count ? starts[i + 1] - 1 : pattern.Length)];
    }

    /// <summary>Whether words only carry a thing and name none ("to listen to", "watching").</summary>
    public Func<string, bool> OnlyCarries { get; }

    /// <summary>Whether a cue's thing only stands for something said before ("it", "them", "the smell of it").</summary>
    public Func<string, bool> RefersBack { get; }

    /// <summary>The noun phrase a stretch of text ends with ("my roommate drinks beer": beer), or empty: what a pronoun after it may stand for.</summary>
    public Func<string, string> LastNounPhrase { get; }

    /// <summary>The things a coordinated value names ("running and reading": two), or the value itself.</summary>
    public Func<string, IReadOnlyList<string>> Conjuncts { get; }

    /// <summary>Where an <see cref="RuleAnchor.AtSubject"/> cue may start: the cue regex is tried only there, which is much cheaper than at every position.</summary>
    public Regex Subject { get; }


    public Alternation Instruction { get; }

    public Alternation SentenceStart { get; }

    public Alternation ThingFirst { get; }

    /// <summary>The <see cref="RuleAnchor.ThingFirst"/> rules with <see cref="CueRule.OnlyWith"/> words, scanned only in a sentence that holds one.</summary>
    public Alternation GatedThingFirst { get; }

    /// <summary>The words of <see cref="GatedThingFirst"/>'s rules.</summary>
    public System.Buffers.SearchValues<string> ThingFirstGate { get; }

    public Alternation Mention { get; }

    /// <summary>The <see cref="RuleAnchor.Mention"/> rules with <see cref="CueRule.OnlyWith"/> words, scanned only in a sentence that holds one.</summary>
    public Alternation GatedMention { get; }

    /// <summary>The words of <see cref="GatedMention"/>'s rules.</summary>
    public System.Buffers.SearchValues<string> MentionGate { get; }
}

/// <summary>
/// The cues that can start at one subject word, each with its own regex anchored there, tried in priority order (the
/// first that matches wins, as in an alternation); a cue whose first word after the subject and adverbs is known is
/// skipped when no word there could be it. One regex of all of them was most of the extractor's time.
/// </summary>
internal sealed class SubjectCues
{
    private const RegexOptions Options =
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled;

    internal sealed record Cue(CueRule Rule, Regex Regex, string[]? FirstWords);

    private readonly Cue[] cues;

    public SubjectCues(IEnumerable<Cue> cues)
    {
        this.cues = [.. cues.OrderBy(c => c.Rule.Priority)];
        for (var i = 1; i < this.cues.Length; i++)
            if (this.cues[i].Rule.Priority == this.cues[i - 1].Rule.Priority)
                throw new InvalidOperationException($"Rules '{this.cues[i - 1].Rule.Name}' and '{this.cues[i].Rule.Name}' share priority {this.cues[i].Rule.Priority}: their order would be arbitrary.");
    }

    /// <summary>The cue's regex, and its first words when every branch of it starts with one of <paramref name="adverbStarts"/>.</summary>
    public static Cue Compile(CueRule rule, IReadOnlyList<string> adverbStarts) =>
        new(rule, new Regex(@"\G(?:" + rule.Pattern + ")", Options), FirstWordsOf(rule.Pattern, adverbStarts));

    /// <summary>The union of the first words of every branch ("(?:a|b)" and "a|b" alike), or null when one is unknown.</summary>
    private static string[]? FirstWordsOf(string pattern, IReadOnlyList<string> adverbStarts)
    {
        var words = new List<string>();
        foreach (var branch in RuleBook.TopLevelBranches(pattern))
        {
            string[]? first;
            // "(?:I want|I'm on) ...": a group that starts the branch and cannot be skipped holds every way the branch starts.
            if (branch.StartsWith("(?:", StringComparison.Ordinal) && FirstWords.GroupEnd(branch, 0) is var end and > 0
                && (end == branch.Length - 1 || branch[end + 1] is not ('?' or '*' or '{')))
                first = FirstWordsOf(branch[3..end], adverbStarts);
            else
                first = adverbStarts.Where(s => branch.StartsWith(s, StringComparison.Ordinal)).MaxBy(s => s.Length) is { } start
                    ? FirstWords.Of(branch[start.Length..])
                    : null;
            if (first is null) return null;
            words.AddRange(first);
        }
        return [.. words.Distinct()];
    }

    public (CueRule Rule, Match Match)? MatchAt(string sentence, int at, string[] wordsAfter)
    {
        foreach (var cue in cues)
        {
            if (cue.FirstWords is { } first && !CouldStart(first, wordsAfter)) continue;
            var m = cue.Regex.Match(sentence, at);
            if (m.Success) return (cue.Rule, m);
        }
        return null;
    }

    private static bool CouldStart(string[] first, string[] words)
    {
        foreach (var w in words)
        foreach (var f in first)
            if (FirstWords.Admits(f, w)) return true;
        return false;
    }
}

/// <summary>The rules of one anchor as one regex: a named group per rule (r0, r1, ...) in priority order, so the first rule that matches wins.</summary>
internal sealed class Alternation
{
    private const RegexOptions Options =
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled;

    private readonly CueRule[] ordered;
    private readonly int[] groups;

    public Alternation(string anchor, IEnumerable<CueRule> rules)
    {
        ordered = [.. rules.OrderBy(r => r.Priority)];
        for (var i = 1; i < ordered.Length; i++)
            if (ordered[i].Priority == ordered[i - 1].Priority)
                throw new InvalidOperationException($"Rules '{ordered[i - 1].Name}' and '{ordered[i].Name}' share priority {ordered[i].Priority}: their order would be arbitrary.");

        var alternatives = ordered.Select((rule, i) => $"(?<r{i}>{rule.Pattern})");
        // An anchor without rules never matches (an empty alternation would match everywhere).
        Regex = new Regex(ordered.Length == 0 ? "(?!)" : anchor + "(?:" + string.Join('|', alternatives) + ")", Options);
        groups = [.. ordered.Select((_, i) => Regex.GroupNumberFromName($"r{i}"))];
    }

    public Regex Regex { get; }

    /// <summary>The rule whose alternative matched, with the match (which holds that rule's own groups too).</summary>
    public (CueRule Rule, Match Match) Resolve(Match match)
    {
        for (var i = 0; i < groups.Length; i++)
            if (match.Groups[groups[i]].Success) return (ordered[i], match);
        throw new InvalidOperationException("A match of the alternation matched none of its rules.");
    }
}

