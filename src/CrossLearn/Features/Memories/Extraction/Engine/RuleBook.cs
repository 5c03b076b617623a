using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction;

/// <summary>
/// A leading part of <see cref="RuleAnchor.AtSubject"/> cue patterns and the subject words (matches of the subject
/// pattern, any case) where a pattern that starts with it can match: English "I'm" can start at "i" ("i'm", "i am") or "im".
/// </summary>
internal sealed record SubjectLead(string PatternStart, string[] SubjectWords);

/// <summary>The rules of one language, compiled once: one regex per <see cref="RuleAnchor"/>, and per subject word for <see cref="RuleAnchor.AtSubject"/>.</summary>
internal sealed class RuleBook
{
    private readonly Dictionary<string, Alternation> atSubject;
    private readonly Alternation atAnySubject;

    public RuleBook(Regex subject, IReadOnlyList<SubjectLead> leads, IReadOnlyList<CueRule> rules, Func<string, IReadOnlyList<string>> conjuncts)
    {
        Subject = subject;
        Conjuncts = conjuncts;
        Instruction = new("^", rules.Where(r => r.Anchor == RuleAnchor.Instruction));
        SentenceStart = new("^", rules.Where(r => r.Anchor == RuleAnchor.SentenceStart));
        ThingFirst = new("", rules.Where(r => r.Anchor == RuleAnchor.ThingFirst));
        Mention = new("", rules.Where(r => r.Anchor == RuleAnchor.Mention));

        // Each subject word gets only the cues that can start there (a "my" never starts an "I like"): trying all of them
        // at every subject was most of the extractor's time. A pattern with no known lead is tried at every subject.
        var cues = rules.Where(r => r.Anchor == RuleAnchor.AtSubject).ToList();
        // A pattern can start at a word when one of its top-level branches can: one with no known lead, at every word.
        bool CanStartAt(CueRule rule, string word) => TopLevelBranches(rule.Pattern)
            .Any(branch => LeadOf(branch) is not { } lead || lead.SubjectWords.Contains(word, StringComparer.OrdinalIgnoreCase));
        SubjectLead? LeadOf(string branch) =>
            leads.Where(l => branch.StartsWith(l.PatternStart, StringComparison.Ordinal)).MaxBy(l => l.PatternStart.Length);
        atAnySubject = new(@"\G", cues);
        atSubject = leads.SelectMany(l => l.SubjectWords).Distinct(StringComparer.OrdinalIgnoreCase).ToDictionary(
            word => word,
            word => new Alternation(@"\G", cues.Where(r => CanStartAt(r, word))),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The alternatives of a pattern outside any group: "a|b(c|d)" gives "a" and "b(c|d)".</summary>
    internal static IEnumerable<string> TopLevelBranches(string pattern)
    {
        var depth = 0;
        var inClass = false;
        var start = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\': i++; break;
                case '[' when !inClass: inClass = true; break;
                case ']' when inClass: inClass = false; break;
                case '(' when !inClass: depth++; break;
                case ')' when !inClass: depth--; break;
                case '|' when !inClass && depth == 0:
                    yield return pattern[start..i];
                    start = i + 1;
                    break;
            }
        }
        yield return pattern[start..];
    }

    /// <summary>The things a coordinated value names ("running and reading": two), or the value itself.</summary>
    public Func<string, IReadOnlyList<string>> Conjuncts { get; }

    /// <summary>Where an <see cref="RuleAnchor.AtSubject"/> cue may start: the cue regex is tried only there, which is much cheaper than at every position.</summary>
    public Regex Subject { get; }

    /// <summary>The cues that can start at this <see cref="Subject"/> match, anchored with \G there.</summary>
    public Alternation AtSubject(Match subject) =>
        atSubject.GetValueOrDefault(subject.Value) ?? atAnySubject;

    public Alternation Instruction { get; }

    public Alternation SentenceStart { get; }

    public Alternation ThingFirst { get; }

    public Alternation Mention { get; }
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
