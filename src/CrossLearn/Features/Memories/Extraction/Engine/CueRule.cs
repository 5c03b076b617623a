using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction;

/// <summary>Where the engine tries a rule's pattern.</summary>
internal enum RuleAnchor
{
    /// <summary>At each first-person subject ("I", "I'm", "my") the language's subject pattern finds; the cue pattern starts with it.</summary>
    AtSubject,

    /// <summary>
    /// At the start of a sentence with no subject: an instruction ("Never call me after 9pm"). Tried before
    /// <see cref="SentenceStart"/>, which is skipped when an instruction is found; dropped when it ends inside a quote.
    /// </summary>
    Instruction,

    /// <summary>At the start of a sentence: "Not a fan of X", "Mine is X".</summary>
    SentenceStart,

    /// <summary>
    /// Anywhere, with the thing before the cue ("X is my favourite"). The pattern matches the cue only; the thing is the
    /// text before it, back to a clause mark or the previous such cue, at most <see cref="CueRule.MaxThingLength"/>
    /// characters. (A pattern that led with the thing would be tried at every position with every length: it was half
    /// the extractor's time.)
    /// </summary>
    ThingFirst,

    /// <summary>
    /// Anywhere, beside the other cues: a mention that states a fact by itself ("my sister", "my asthma"). It never
    /// takes words from another cue ("I love my cat" is a preference and a pet). The pattern's ValueGroup holds the thing.
    /// </summary>
    Mention,
}

/// <summary>
/// One cue: the pattern that finds it and what it means, side by side. Within an anchor the engine joins the patterns
/// into one alternation in <see cref="Priority"/> order (lowest first); the first alternative that matches wins.
/// </summary>
/// <param name="Name">Names the rule in errors.</param>
/// <param name="Anchor">Where the pattern is tried.</param>
/// <param name="Priority">Order among the rules of the same anchor, lowest first; unique within the anchor.</param>
/// <param name="Pattern">A regex fragment, matched ignoring case with explicit capture only.</param>
/// <param name="Interpret">The memory the cue states, or null when it states none.</param>
internal sealed record CueRule(string Name, RuleAnchor Anchor, int Priority, string Pattern, Func<CueContext, ExtractedMemory?> Interpret)
{
    /// <summary>A group of <see cref="Pattern"/> that holds the value itself ("I'm 34": the age) instead of the words after the cue.</summary>
    public string? ValueGroup { get; init; }

    /// <summary>For a <see cref="RuleAnchor.ThingFirst"/> cue: how far back the thing may reach.</summary>
    public int MaxThingLength { get; init; } = 60;

    /// <summary>
    /// When the cue's thing is a pronoun and nothing follows it ("... and I hate it"), the type it gives to the thing said
    /// last in the message; null when the cue never refers back.
    /// </summary>
    public string? RefersBackAs { get; init; }

    /// <summary>
    /// For a <see cref="RuleAnchor.ThingFirst"/> or <see cref="RuleAnchor.Mention"/> cue: words one of which its pattern
    /// always contains ("awful", "fav", "here"). The engine then scans for it only in sentences that hold one: a pattern
    /// tried at every blank of every sentence costs time on all of them.
    /// </summary>
    public IReadOnlyList<string>? OnlyWith { get; init; }

    /// <summary>The cue names one thing ("my favourite show Tom and Jerry"): its words are never split into several.</summary>
    public bool NamesOneThing { get; init; }

    /// <summary>Like <see cref="NamesOneThing"/>, when the cue's words say so ("my favorite book is X": a title, "my favorite foods are X": a list).</summary>
    public Func<CueContext, bool>? NamesOneThingWhen { get; init; }

    /// <summary>
    /// A group of <see cref="Pattern"/> that, when it matched, makes the cue an aside the user asserts whatever the clause
    /// around it says ("I wish I had some tea, my favourite drink"): the conditional guard does not apply to it.
    /// </summary>
    public string? AsideGroup { get; init; }

    /// <summary>A second memory the same words state ("I'm allergic to nuts": a dislike, and a fact about the user's health).</summary>
    /// <remarks>Given the memory <see cref="CueRule.Interpret"/> made of the same words (or null), so it need not read them again.</remarks>
    public Func<CueContext, ExtractedMemory?, ExtractedMemory?>? Also { get; init; }
}

/// <summary>What an interpretation sees of one cue.</summary>
/// <param name="Cue">The match of the cue pattern.</param>
/// <param name="CueText">The words of the cue (its <see cref="CueRule.ValueGroup"/> when it has one).</param>
/// <param name="Value">The thing the cue talks about, cleaned; for a <see cref="RuleAnchor.ThingFirst"/> cue the raw text before the cue, cut to its last clause.</param>
/// <param name="Sentence">The sentence the cue is in.</param>
/// <param name="Message">The whole (prepared) message.</param>
/// <param name="SentenceStart">Where <paramref name="Sentence"/> starts in <paramref name="Message"/>.</param>
internal readonly record struct CueContext(Match Cue, string CueText, string Value, string Sentence, string Message, int SentenceStart)
{
    /// <summary>Emphatic when the cue says so ("I really like"), otherwise explicit.</summary>
    public double Level => Guards.IsEmphatic(CueText) ? MemoryExtractor.EmphaticConfidence : MemoryExtractor.ExplicitConfidence;

    /// <summary>Whether an earlier sentence of the message contains <paramref name="word"/> (any case).</summary>
    public bool SaidEarlier(string word) =>
        SentenceStart > 0 && Message.AsSpan(0, SentenceStart).Contains(word, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="word"/> occurs in another sentence of the message, before or after this one ("Mine is blue. Do you have a favorite color?").</summary>
    public bool SaidAnywhere(string word) =>
        SaidEarlier(word) || (SentenceStart + Sentence.Length < Message.Length && Message.AsSpan(SentenceStart + Sentence.Length).Contains(word, StringComparison.OrdinalIgnoreCase));
}
