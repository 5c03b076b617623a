using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction;

/// <summary>The rules of one language, compiled once: one regex per <see cref="RuleAnchor"/>.</summary>
internal sealed class RuleBook(Regex subject, IReadOnlyList<CueRule> rules, Func<string, IReadOnlyList<string>> conjuncts)
{
    /// <summary>The things a coordinated value names ("running and reading": two), or the value itself.</summary>
    public Func<string, IReadOnlyList<string>> Conjuncts { get; } = conjuncts;

    /// <summary>Where an <see cref="RuleAnchor.AtSubject"/> cue may start: the cue regex is tried only there, which is much cheaper than at every position.</summary>
    public Regex Subject { get; } = subject;

    /// <summary>Anchored with \G at a <see cref="Subject"/> match.</summary>
    public Alternation AtSubject { get; } = new(@"\G", rules.Where(r => r.Anchor == RuleAnchor.AtSubject));

    public Alternation Instruction { get; } = new("^", rules.Where(r => r.Anchor == RuleAnchor.Instruction));

    public Alternation SentenceStart { get; } = new("^", rules.Where(r => r.Anchor == RuleAnchor.SentenceStart));

    public Alternation ThingFirst { get; } = new("", rules.Where(r => r.Anchor == RuleAnchor.ThingFirst));

    public Alternation Mention { get; } = new("", rules.Where(r => r.Anchor == RuleAnchor.Mention));
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
