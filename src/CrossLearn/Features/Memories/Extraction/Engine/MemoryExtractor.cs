using System.Text.RegularExpressions;
using CrossLearn.Features.Memories.Extraction;
using CrossLearn.Features.Memories.Extraction.Rules.English;
using static CrossLearn.Features.Memories.Extraction.ObjectSpans;

namespace CrossLearn.Features.Memories;

/// <summary>
/// Finds memories (preferences, dislikes, personal facts, interests) in one chat message written by the user.
/// Pure and rule based: compiled regular expressions, no state, safe to call on every turn. The rules are data
/// (<see cref="CueRule"/>, listed by <see cref="EnglishRules"/>); this class runs them over each sentence.
/// The rules, confidence levels and limits are documented in docs/extraction.md.
/// </summary>
public static class MemoryExtractor
{
    /// <summary>Keys are cut to at most this many characters, on a word boundary.</summary>
    public const int MaxKeyLength = 100;

    /// <summary>Values are cut to at most this many characters, on a word boundary.</summary>
    public const int MaxValueLength = 200;

    /// <summary>Only the first this-many characters of a message are read.</summary>
    public const int MaxInputLength = 20_000;

    /// <summary>A plain first-person statement: "I prefer tea", "My name is Ana".</summary>
    public const double ExplicitConfidence = 0.9;

    /// <summary>An emphatic statement ("I really/definitely/absolutely ...", "I always/never ...", "Never ...").</summary>
    public const double EmphaticConfidence = 0.95;

    /// <summary>A statement read through an indirect cue ("I'm a nurse", "I'm from X", "I work at X", "I'm into X").</summary>
    public const double IndirectConfidence = 0.85;

    /// <summary>A hedged statement ("I think I prefer", "maybe", "sometimes", "kind of", "probably", "I guess").</summary>
    public const double HedgedConfidence = 0.55;

    private static readonly RuleBook Rules = new(EnglishRules.Syntax, EnglishRules.All, EnglishRules.Conjuncts, EnglishRules.RefersBack, text => NounPhrases.Last(text), EnglishRules.OnlyCarries);

    private readonly record struct CueHit(CueRule Rule, Match Match, int Start, int End, string Text);

    /// <summary>Extracts the memories stated in <paramref name="userMessage"/>; an empty list when there are none.</summary>
    public static IReadOnlyList<ExtractedMemory> Extract(string userMessage)
    {
        if (string.IsNullOrWhiteSpace(userMessage)) return [];

        var text = MessageText.Prepare(userMessage);
        var quoted = MessageText.FindQuotedSpans(text);
        var results = new List<ExtractedMemory>();
        var index = new Dictionary<(string, string), int>();

        var previousStart = 0;
        foreach (var (start, end) in MessageText.SplitSentences(text, quoted))
        {
            var sentence = text.Substring(start, end - start);
            var sentenceStarts = new SentenceStarts(previousStart, results.Count);
            previousStart = start;
            // "I love horror films, do you?": the statement before a question tagged on after a comma still counts.
            if (MessageText.IsQuestion(sentence) && (sentence = MessageText.StatementBeforeQuestion(sentence)).Length == 0)
            {
                // "..., my fav is Good Burger?": a statement about oneself said with a rising tone is still a statement.
                var whole = text.Substring(start, end - start);
                if (MessageText.RisingStatementStart(whole) is var rising and >= 0)
                {
                    ExtractFromSentence(text, whole[rising..], start + rising, sentenceStarts, quoted, results, index);
                    continue;
                }
                // "Can we play Dune, my favourite game?": an aside is the user's own statement, even inside a question.
                ExtractThingFirst(text, text.Substring(start, end - start), start, quoted, results, index, asidesOnly: true);
                continue;
            }
            ExtractFromSentence(text, sentence, start, sentenceStarts, quoted, results, index);
            ExtractMentions(text, sentence, start, quoted, results, index);
        }

        AddKindsOfVarieties(results, index);
        return results;
    }

    /// <summary>Key normalisation: lower case, whitespace collapsed, surrounding punctuation, a leading "to" and article, and trailing "please" dropped; capped at <see cref="MaxKeyLength"/>.</summary>
    internal static string NormaliseKey(string value, bool dropHowTo = false)
    {
        var key = TrimPunctuation(WhitespaceRegex().Replace(value, " ").ToLowerInvariant());
        if (dropHowTo)
        {
            key = DropLeading(key, "how to");
            key = DropLeading(key, "about");
        }
        key = DropLeading(key, "to");
        key = DropArticle(key);
        key = TrimPunctuation(key);
        return Cap(key, MaxKeyLength);
    }

    /// <summary>Where the sentence before this one starts in the message, and how many memories earlier sentences gave.</summary>
    private readonly record struct SentenceStarts(int PreviousSentence, int EarlierMemories);

    private static void ExtractFromSentence(
        string text, string sentence, int offset, SentenceStarts starts, List<(int Start, int End)> quoted,
        List<ExtractedMemory> results, Dictionary<(string, string), int> index)
    {
        var hits = new List<CueHit>();

        // An instruction's words must be the user's own, not quoted; a sentence holds one instruction or one sentence-start cue.
        var instruction = Rules.Instruction.Regex.Match(sentence);
        if (instruction.Success && !MessageText.InSpan(quoted, offset + instruction.Index + instruction.Length - 1))
            hits.Add(Hit(Rules.Instruction.Resolve(instruction)));
        else if (Rules.SentenceStart.Regex.Match(sentence) is { Success: true } atStart)
            hits.Add(Hit(Rules.SentenceStart.Resolve(atStart)));

        foreach (Match candidate in Rules.Subject.Matches(sentence))
        {
            if (hits.Count > 0 && candidate.Index < hits[^1].End) continue;
            if (Rules.MatchAtSubject(sentence, candidate) is { } found) hits.Add(Hit(found));
        }

        // Each cue's thing runs to a boundary or to the next cue; a hedge before the cue counts from the end of the previous thing.
        var previousEnd = 0;
        for (var h = 0; h < hits.Count; h++)
        {
            var hit = hits[h];
            var limit = h + 1 < hits.Count ? hits[h + 1].Start : sentence.Length;
            var objectEnd = FindObjectEnd(sentence, hit.End, limit);
            var windowStart = previousEnd;
            previousEnd = Math.Max(previousEnd, objectEnd);

            if (MessageText.InSpan(quoted, offset + hit.Start)) continue;
            if (hit.Rule.Anchor != RuleAnchor.Instruction && !Guards.SubjectIsTheUser(sentence, hit.Start)) continue;

            var rawObject = hit.Rule.ValueGroup is null ? sentence.Substring(hit.End, objectEnd - hit.End) : hit.Text;
            var value = CleanValue(rawObject, out var hedgedByObject);
            if (value.Length == 0) continue;
            // "I like to listen to [my favourite band, Worn]": the next cue took the thing; the verb left over is none.
            if (objectEnd == limit && h + 1 < hits.Count && Rules.OnlyCarries(value)) continue;

            var clausePrefix = Guards.LastClause(sentence.Substring(windowStart, hit.Start - windowStart));
            var hedged = hedgedByObject || Guards.IsHedged(clausePrefix) || Guards.IsHedged(hit.Text)
                         || Guards.IsHedged(rawObject) || Guards.StartsWithHedge(sentence.AsSpan(objectEnd));

            // "I love running and reading": each thing is a memory of its own. A personal fact keeps its words whole.
            var whole = new CueContext(hit.Match, hit.Text, value, sentence, text, offset);
            var first = hit.Rule.Interpret(whole);

            // "I run every morning and I hate it": "it", with nothing after it, is the thing said last in this sentence, or
            // the noun phrase right before the cue ("my roommate drinks beer and I hate it"), or the thing said last before.
            if (first is null && hit.Rule.RefersBackAs is { } backType && Rules.RefersBack(value)
                && (MessageText.NothingButEmphasis(sentence.AsSpan(objectEnd)) || MessageText.StartsAClause(sentence.AsSpan(objectEnd)))
                && ReferredTo(results, hit, whole, starts) is var (earlier, sure))
            {
                Add(results, index, earlier with { Type = backType, Confidence = hedged ? HedgedConfidence : Math.Min(whole.Level, sure) });
                // "I play chess, but I hate it": the liking read from the habit gives way to the dislike said outright.
                var opposite = backType == MemoryTypes.NegativePreference ? MemoryTypes.Preference
                    : backType == MemoryTypes.Preference ? MemoryTypes.NegativePreference : null;
                // "I run every day and I hate it": what the user does stays a fact of what they do, not an interest.
                var alsoGoes = backType == MemoryTypes.NegativePreference ? MemoryTypes.Interest : null;
                if ((opposite is not null && index.ContainsKey((opposite, earlier.Key))) || (alsoGoes is not null && index.ContainsKey((alsoGoes, earlier.Key))))
                {
                    results.RemoveAll(m => (m.Type == opposite || m.Type == alsoGoes) && m.Key == earlier.Key);
                    index.Clear();
                    for (var i = 0; i < results.Count; i++) index[(results[i].Type, results[i].Key)] = i;
                }
                continue;
            }

            var parts = first is { Type: MemoryTypes.PersonalInfo } || hit.Rule.NamesOneThing || hit.Rule.NamesOneThingWhen?.Invoke(whole) == true
                ? [value] : Rules.Conjuncts(value);
            foreach (var part in parts)
            {
                var asWhole = ReferenceEquals(part, value);
                var context = asWhole ? whole : whole with { Value = part };
                var memory = asWhole ? first : hit.Rule.Interpret(context);
                if (memory is not null) Add(results, index, memory with { Confidence = hedged ? HedgedConfidence : memory.Confidence });
                if (hit.Rule.Also?.Invoke(context, memory) is { } also) Add(results, index, also with { Confidence = hedged ? HedgedConfidence : also.Confidence });
            }
        }

        ExtractThingFirst(text, sentence, offset, quoted, results, index, asidesOnly: false);
    }

    /// <summary>The cues whose thing comes before them ("Sushi is my favourite"); in a question only the asides ("X, my favourite Y").</summary>
    private static void ExtractThingFirst(string text, string sentence, int offset, List<(int Start, int End)> quoted,
        List<ExtractedMemory> results, Dictionary<(string, string), int> index, bool asidesOnly)
    {
        // Only its last clause is the thing.
        var thingFloor = 0;
        var always = asidesOnly ? null : Rules.ThingFirst.Regex.Matches(sentence);
        var alwaysCount = always?.Count ?? 0;
        // The gated cues only where one of their words is (merged in order of position with the others).
        var gated = sentence.AsSpan().ContainsAny(Rules.ThingFirstGate) ? Rules.GatedThingFirst.Regex.Matches(sentence) : null;
        for (int a = 0, g = 0; a < alwaysCount || (gated is not null && g < gated.Count);)
        {
            var fromGated = gated is not null && g < gated.Count && (a >= alwaysCount || gated[g].Index < always![a].Index);
            var (rule, m) = fromGated ? Rules.GatedThingFirst.Resolve(gated![g++]) : Rules.ThingFirst.Resolve(always![a++]);
            var isAside = rule.AsideGroup is { } asideGroup && m.Groups[asideGroup].Success;
            if (asidesOnly && !isAside) continue;
            var thingStart = ThingStart(sentence, m.Index, Math.Max(thingFloor, m.Index - rule.MaxThingLength));
            thingFloor = m.Index + m.Length;
            if (thingStart == m.Index || MessageText.InSpan(quoted, offset + m.Index + m.Length - 1)) continue;
            // "that is awesome": a pronoun right before the cue names no thing (most matches in chat are these).
            if (Rules.RefersBack(LastWordBefore(sentence, m.Index))) continue;
            var thing = Guards.LastClause(sentence[thingStart..m.Index]);
            var memory = rule.Interpret(new CueContext(m, m.Value, thing, sentence, text, offset));
            if (memory is null || (!isAside && Guards.MentionsCondition(sentence.AsSpan(0, m.Index + m.Length)))) continue;
            var hedged = Guards.IsHedged(thing) || Guards.IsHedged(sentence.AsSpan(m.Index + m.Length));
            Add(results, index, hedged ? memory with { Confidence = HedgedConfidence } : memory);
        }
    }

    /// <summary>The word that ends right before <paramref name="at"/> (blanks skipped).</summary>
    private static string LastWordBefore(string sentence, int at)
    {
        var end = at;
        while (end > 0 && char.IsWhiteSpace(sentence[end - 1])) end--;
        var start = end;
        while (start > 0 && (char.IsLetter(sentence[start - 1]) || sentence[start - 1] == '\'')) start--;
        return sentence[start..end];
    }

    /// <summary>Where the thing before a cue starts: after the last clause mark (or quote, or bracket) at or after <paramref name="floor"/>.</summary>
    private static int ThingStart(string sentence, int cueStart, int floor)
    {
        var start = cueStart;
        while (start > floor && sentence[start - 1] is not (',' or ';' or ':' or '.' or '!' or '?' or '"' or '(' or ')')) start--;
        return start;
    }

    /// <summary>Mentions that state a fact on their own ("my sister"), read beside the cues, never instead of them.</summary>
    private static void ExtractMentions(string text, string sentence, int offset, List<(int Start, int End)> quoted,
        List<ExtractedMemory> results, Dictionary<(string, string), int> index)
    {
        ExtractMentions(Rules.Mention, text, sentence, offset, quoted, results, index);
        // A rare mention's pattern is scanned only where one of its words is: a pattern tried at every position costs.
        if (sentence.AsSpan().ContainsAny(Rules.MentionGate)) ExtractMentions(Rules.GatedMention, text, sentence, offset, quoted, results, index);
    }

    private static void ExtractMentions(Alternation mentions, string text, string sentence, int offset, List<(int Start, int End)> quoted,
        List<ExtractedMemory> results, Dictionary<(string, string), int> index)
    {
        foreach (Match found in mentions.Regex.Matches(sentence))
        {
            var (rule, m) = mentions.Resolve(found);
            if (MessageText.InSpan(quoted, offset + m.Index)) continue;
            var value = rule.ValueGroup is null ? m.Value : m.Groups[rule.ValueGroup].Value;
            var context = new CueContext(m, value, value, sentence, text, offset);
            var memory = rule.Interpret(context);
            if (memory is not null) Add(results, index, memory);
            if (rule.Also?.Invoke(context, memory) is { } also) Add(results, index, also);
        }
    }

    /// <summary>The last thing (not a personal fact) remembered so far in the message, from result <paramref name="from"/> on.</summary>
    private static ExtractedMemory? LastThing(List<ExtractedMemory> results, int from)
    {
        for (var i = results.Count - 1; i >= from; i--)
            if (results[i].Type != MemoryTypes.PersonalInfo) return results[i];
        return null;
    }

    /// <summary>
    /// What a pronoun after <paramref name="hit"/> stands for, and how sure that reading can be: the thing remembered
    /// last in this sentence; else the noun phrase that ends the text before the cue, from the previous sentence on (only
    /// indirectly sure: which thing a pronoun stands for is a reading, not something the user said); else the thing
    /// remembered last in the message.
    /// </summary>
    private static (ExtractedMemory Thing, double Sure)? ReferredTo(List<ExtractedMemory> results, CueHit hit, CueContext whole, SentenceStarts starts)
    {
        if (LastThing(results, starts.EarlierMemories) is { } inThisSentence) return (inThisSentence, 1.0);
        var phrase = Rules.LastNounPhrase(whole.Message[starts.PreviousSentence..(whole.SentenceStart + hit.Start)]);
        if (phrase.Length > 0 && !Rules.RefersBack(phrase) && hit.Rule.Interpret(whole with { Value = phrase }) is { } read)
        {
            // "I run 2 miles daily. I hate it.": the phrase is what a memory just learnt was said in; that memory's thing it is.
            return LastThing(results, 0) is { } said && said.Value.Contains(phrase, StringComparison.OrdinalIgnoreCase) ? (said, 1.0) : (read, IndirectConfidence);
        }
        return LastThing(results, 0) is { } earlier ? (earlier, 1.0) : null;
    }

    /// <summary>
    /// "I have a weakness for vanilla ice cream": to like a variety is to like its kind (ice cream), read indirectly, so
    /// users who name different varieties meet on the kind. Only for food and drink; not for a dislike, nor for a kind the
    /// message dislikes.
    /// </summary>
    private static void AddKindsOfVarieties(List<ExtractedMemory> results, Dictionary<(string, string), int> index)
    {
        for (int i = 0, count = results.Count; i < count; i++)
        {
            // A title is no variety ("Good Burger", the film).
            if (results[i] is not { Type: MemoryTypes.Preference, Category: "food" or "drink" } liked || Keys.KeyCanonicalizer.KindOfVariety(liked.Key) is not { } kind
                || index.ContainsKey((MemoryTypes.NegativePreference, kind)))
                continue;
            var category = Keys.KeyCanonicalizer.Canonicalize(kind).Category;
            Add(results, index, liked with { Key = kind, Category = category, Confidence = Math.Min(liked.Confidence, IndirectConfidence) });
        }
    }

    private static CueHit Hit((CueRule Rule, Match Match) found) => Hit(found.Rule, found.Match);

    private static CueHit Hit(CueRule rule, Match m) =>
        new(rule, m, m.Index, m.Index + m.Length, rule.ValueGroup is null ? m.Value : m.Groups[rule.ValueGroup].Value);

    /// <summary>One memory per (type, key): the most confident statement wins.</summary>
    private static void Add(List<ExtractedMemory> results, Dictionary<(string, string), int> index, ExtractedMemory memory)
    {
        var slot = (memory.Type, memory.Key);
        if (index.TryGetValue(slot, out var at))
        {
            if (memory.Confidence > results[at].Confidence) results[at] = memory;
            return;
        }
        index[slot] = results.Count;
        results.Add(memory);
    }
}
