using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// The English rules. Their word lists are in Lexicons/en/. Priorities of the cues at a subject, lowest tried first:
/// 100s likes and dislikes (negations first), 200s personal facts, 300s goals and interests, 400 favourites,
/// 500s "I'm 34" and "I'm a ...", 600 activities, 700 "I'm Ana" — the broadest cues last, so a specific cue wins.
/// </summary>
internal static partial class EnglishRules
{
    /// <summary>Where a cue at a subject may start: "I", "I'm", "Im", "Ive", "my", "we", and "and"/"but" before a second verb or state of the speaker's ("... and prefer X", "I'm a nurse but love painting", "... and scared of dogs").</summary>
    [GeneratedRegex(@"(?<![\w'])(?:i|im|ive|my|we|(?:and|but)(?=\s+(?:(?:really|much|strongly|also|usually|generally|greatly|far|definitely|always|mostly|only)\s+)?(?:prefer|love|like|enjoy|adore|hate|dislike|avoid|detest|loathe|despise)\b|\s+(?:(?:am|i'm|im)\s+)?(?:(?:really|very|so)\s+)?(?:scared|afraid|terrified|frightened)\s+of\b))\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex Subject();

    /// <summary>Which subject words (matches of <see cref="Subject"/>) a cue pattern can start at, by the part it starts with.</summary>
    public static readonly IReadOnlyList<SubjectLead> SubjectLeads =
    [
        new(CueParts.I, ["i"]), new(CueParts.IM, ["i", "im"]), new(CueParts.ID, ["i"]), new(CueParts.IVE, ["i", "ive"]), new(CueParts.IHAVE, ["i", "ive"]),
        new(CueParts.MY, ["my"]), new(CueParts.AND, ["and", "but"]), new(CueParts.WE, ["we"]),
    ];

    /// <summary>How English cues at a subject begin: "I" and up to four adverbs, then the cue's own words.</summary>
    public static readonly SubjectSyntax Syntax = new(Subject(), SubjectLeads,
        [
            CueParts.I + CueParts.ADV, CueParts.I + CueParts.AdvNoAlways, CueParts.IM + CueParts.ADV, CueParts.IM,
            CueParts.ID + CueParts.ADV, CueParts.IVE + CueParts.ADV, CueParts.ILL + CueParts.ADV, CueParts.IHAVE + CueParts.ADV, CueParts.AND + CueParts.ADV, CueParts.WE + CueParts.ADV,
            CueParts.I, CueParts.ID, CueParts.IVE, CueParts.MY,
        ],
        CueParts.WordsBeforeTheCue,
        CueParts.InstructionLead);

    /// <summary>Pronouns that stand for a thing said before.</summary>
    private static readonly HashSet<string> Anaphors = new(["it", "them", "that", "this", "those", "these", "em", "'em"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Words that only carry a thing ("to listen to", "watching"): a carrier verb, with a "to" before it, and nothing else.</summary>
    public static bool OnlyCarries(string value)
    {
        var words = value.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var from = words.Length > 1 && words[0] == "to" ? 1 : 0;
        return words.Length > from && Keys.KeyLexicon.English.CarrierVerbs.LongestAt(words[from..], 0).Length == words.Length - from;
    }

    /// <summary>A pronoun for a thing said before ("it"), a sense of it ("the smell of it"), a verb that only carries it ("watching it"), or "it" before a clause of its own ("it and it's coming").</summary>
    public static bool RefersBack(string value)
    {
        if (Anaphors.Contains(value)) return true;
        var words = value.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // "it and it's coming": the pronoun is the thing, a clause of its own follows.
        if (words.Length >= 3 && Anaphors.Contains(words[0]) && words[1] is "and" or "but" or "because" or "cause" or "so" or "since" or "though"
            && words[2] is "i" or "it" or "its" or "it's" or "they" or "they're" or "he" or "she" or "we" or "you" or "there") return true;
        // "watching it", "listening to them": a verb that only carries the thing.
        if (words.Length >= 2 && Anaphors.Contains(words[^1]) && OnlyCarries(string.Join(' ', words[..^1]))) return true;
        if (words.Length < 3 || words[^2] != "of" || !Anaphors.Contains(words[^1])) return false;
        var senses = words.AsSpan(words[0] == "the" ? 1 : 0, words.Length - (words[0] == "the" ? 3 : 2));
        for (var i = 0; i < senses.Length; i++)
            if (i % 2 == 0 ? !Keys.KeyLexicon.English.LightNouns.Contains(senses[i]) : senses[i] is not ("and" or "or")) return false;
        return senses.Length % 2 == 1;
    }

    /// <summary>Fixed pairs that name one thing ("mac and cheese", "rock and roll"): never split.</summary>
    private static readonly HashSet<string> Pairs = Lexicon.Load("en", "and-pairs", StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"\s(?:and|&)\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HasAnd();

    /// <summary>Where examples of a kind start: "sports, especially soccer", "fruit such as mangoes", "materials like wool" (after a plural).</summary>
    [GeneratedRegex(@"(?:\s*,\s*|\s+)(?:especially|specifically|particularly|in\s+particular|such\s+as|including|mainly|mostly)\s+|(?<=[a-z]s)\s+like\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Examples();

    /// <summary>Between examples: "snakes and lizards", "boxing, wrestling, or rugby".</summary>
    [GeneratedRegex(@"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExampleList();

    /// <summary>Words one of which <see cref="Examples"/> needs: most things have none, and this check is cheaper than the regex.</summary>
    private static readonly System.Buffers.SearchValues<string> ExampleWords = System.Buffers.SearchValues.Create(
        ["especially", "specifically", "particular", "such as", "including", "mainly", "mostly", " like "], StringComparison.OrdinalIgnoreCase);

    private static readonly HashSet<string> NotAnExample = Lexicon.Load("en", "not-examples");

    private static readonly HashSet<string> GenericKinds = Lexicon.Load("en", "generic-kinds");

    [GeneratedRegex(@"(?:\s*,\s*|\s+)(?:and|or|&)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrailingJoiner();

    [GeneratedRegex(@"^(?:not\s+|to\s+avoid\s+|avoiding\s+|avoid\s+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NegatedKind();

    [GeneratedRegex(@"\s+(?:due\s+to|because|since|as\s+i\b|so\s+that|for\s+(?:health|ethical|environmental|safety|privacy)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExampleReason();

    /// <summary>
    /// "and only support X", "and greatly prefer Y": a part that starts a clause of its own, with its own verb, is no thing
    /// of the list ("and only drink water"); nor is a reason said after it ("scented soaps and lotions, due to allergies").
    /// </summary>
    [GeneratedRegex(@"^(?:(?:only|also|greatly|strongly|really|always|mostly|usually|much|far|then)\s+)*(?:prefer|like|love|enjoy|adore|hate|dislike|avoid|detest|support|use|buy|wear|choose|find|try|tend|want|need|refuse|stick|opt)\b|^(?:only|also|just|always|usually|mostly|instead)\s+(?:eat|drink|read|watch|listen|play|go|shop|stay|cook|wear|use|buy)\b"
        + @"|^(?:due\s+to|because|since|so\s+that|for\s+(?:health|ethical|environmental|safety|privacy)\s+reasons)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OwnClause();

    [GeneratedRegex(@"\s*,\s*(?:and\s+)?|\s+(?:and|&)\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Conjunction();

    /// <summary>
    /// "running and reading" and "tea, coffee and cocoa" name several things; "mac and cheese" one. Split only when
    /// every part is short (a list of things, not of clauses).
    /// </summary>
    public static IReadOnlyList<string> Conjuncts(string value)
    {
        var parts = ConjunctsAsSaid(value);
        if (!ObjectSpans.StartsWithWord(parts[0], "to")) return parts;
        // "to drink a nice scotch at night and watch superhero movies": each verb after the one "to" does a thing of its
        // own, however long each part is (a list of things is split only when its parts are short).
        if (parts.Count == 1 && VerbList(value) is { } verbs) parts = verbs;
        // "to cook and eat": the "to" before the first verb is before each (a verb, not "to cook and the dishes").
        if (parts.Count < 2) return parts;
        return [parts[0], .. parts.Skip(1).Select(p => !ObjectSpans.StartsWithWord(p, "to") && Keys.KeyCanonicalizer.IsKnownVerb(ObjectSpans.FirstWord(p)) ? "to " + p : p)];
    }

    /// <summary>"to X ... and Y ...": two to four parts, each after the first starting with a known verb, none of them long.</summary>
    private static List<string>? VerbList(string value)
    {
        var parts = Conjunction().Split(value).Select(p => p.Trim()).ToList();
        if (parts.Count is < 2 or > 4 || parts.Any(p => p.Length == 0 || p.Count(c => c == ' ') > 7)) return null;
        return parts.Skip(1).All(p => Keys.KeyCanonicalizer.IsKnownVerb(ObjectSpans.FirstWord(p))) ? parts : null;
    }

    private static IReadOnlyList<string> ConjunctsAsSaid(string value)
    {
        // "sports, especially soccer", "fruit such as mangoes and kiwis": the kind and each example are things.
        if (value.AsSpan().ContainsAny(ExampleWords) && Examples().Match(value) is { Success: true, Index: > 0 } example)
        {
            // "like Uber or Lyft due to privacy concerns": the reason is no example.
            var examples = ObjectSpans.CutAt(value[(example.Index + example.Length)..], ExampleReason()).Trim();
            if (examples.Length > 0)
            {
                var kinds = Conjuncts(value[..example.Index].Trim());
                // "alternatives like faux leather": a word that only stands for the examples is no thing of its own.
                var kind = kinds.Count == 1 && GenericKinds.Contains(kinds[0].ToLowerInvariant()) ? [] : kinds;
                // "not to use services like Uber": the examples are under the same "not" as their kind.
                var negation = NegatedKind().Match(value) is { Success: true } not ? not.Value : "";
                // "especially ones with ...", "especially when ...": a kind of the kind, or a circumstance, not an example.
                return NotAnExample.Contains(ObjectSpans.FirstWord(examples)) ? kind
                    : [.. kind, .. ExampleList().Split(examples).Select(e => e.Trim()).Where(e => e.Length > 0).Select(e => negation + e)];
            }
        }
        if (Pairs.Contains(ObjectSpans.DropArticle(value)) || !Conjunction().IsMatch(value)) return [value];
        var parts = Conjunction().Split(value).Select(p => p.Trim()).ToList();
        // Two parts joined by a comma alone are not a list (a list ends in "and"): "my cat, Max" is a thing and what it is
        // called, "sports, specifically soccer" a thing and a detail (the thing); "comfortable, flat shoes" is adjectives
        // stacked before one thing (all of it).
        if (parts.Count == 2 && !HasAnd().IsMatch(value))
            return [IsAdjectiveBefore(parts[0], parts[1]) || (parts[1].Contains(' ') && IsAdjectival(parts[0].Split(' ')[^1], colours: false)) ? parts[0] + " " + parts[1] : parts[0]];
        // "mainstream brands and only support indie brands": a part with a verb of its own starts a clause; it and what
        // follows are no things of the list (the verb may turn the polarity).
        var ownClause = parts.FindIndex(1, OwnClause().IsMatch);
        if (ownClause > 0)
        {
            // The value too ends before that clause, for the cases below that keep it whole.
            value = TrailingJoiner().Replace(value[..value.LastIndexOf(parts[ownClause], StringComparison.Ordinal)], "");
            parts.RemoveRange(ownClause, parts.Count - ownClause);
            if (parts.Count == 1) return parts;
        }
        if (parts.Count > 6 || parts.Any(p => p.Length == 0 || p.Count(c => c == ' ') > 3 || Pairs.Contains(p))) return [value];
        // "mac and cheese and pizza", "black and white movies": a fixed pair inside a list is one of its things.
        for (var i = 0; i + 1 < parts.Count; i++)
            if (Pairs.Contains(ObjectSpans.DropArticle(parts[i]) + " and " + ObjectSpans.FirstWord(parts[i + 1])))
            {
                parts[i] += " and " + parts[i + 1];
                parts.RemoveAt(i + 1);
            }
        // "clothing made from sustainable and eco-friendly fabrics": a thing's last word an adjective, the "and" joins adjectives.
        for (var i = parts.Count - 2; i >= 0; i--)
            if (parts[i].Contains(' ') && !IsAdjectival(parts[i]) && IsAdjectival(parts[i].Split(' ')[^1], colours: false))
            {
                parts[i] += " and " + parts[i + 1];
                parts.RemoveAt(i + 1);
            }
        if (parts.Count == 1) return parts;
        // "hot and sticky weather", "smaller, more intimate and independent events": adjectives before one noun, each with it.
        if (parts[^1].Contains(' ') && parts.Take(parts.Count - 1).All(IsAdjectival))
        {
            // The noun after the last part's own adjectives ("heavily marketed tourist activities": tourist activities).
            var last = parts[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var skip = 0;
            while (skip < last.Length - 1 && (Degrees.Contains(last[skip].ToLowerInvariant()) || last[skip].EndsWith("ly", StringComparison.OrdinalIgnoreCase) || IsAdjectival(last[skip]))) skip++;
            var head = string.Join(' ', last[Math.Max(1, skip)..]);
            return [.. parts.Take(parts.Count - 1).Select(p => p + " " + head), parts[^1]];
        }
        // "subscription-based software and services", "eco-friendly toys and clothes": a hyphened modifier of the first
        // thing is said of the bare nouns after it too.
        var firstWords = parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (firstWords.Length >= 2 && firstWords[0].Contains('-') && IsAdjectival(firstWords[0], colours: false)
            && parts.Skip(1).All(p => !p.Contains(' ') && !IsAdjectival(p)))
            return [parts[0], .. parts.Skip(1).Select(p => firstWords[0] + " " + p)];
        return OfEach(parts);
    }

    /// <summary>
    /// "the taste and smell of fish": what follows "of" in the last part belongs to each sense before it; "the taste and
    /// smell of fish and seafood": the senses go, the things of them stay (fish, seafood).
    /// </summary>
    private static List<string> OfEach(List<string> parts)
    {
        bool IsSense(string part) => Keys.KeyLexicon.English.LightNouns.Contains(part.Split(' ')[^1].ToLowerInvariant());
        var ofPart = parts.FindIndex(p => p.Contains(" of ", StringComparison.OrdinalIgnoreCase));
        if (ofPart > 0 && ofPart < parts.Count - 1 && parts.Take(ofPart).All(IsSense)
            && IsSense(parts[ofPart][..parts[ofPart].IndexOf(" of ", StringComparison.OrdinalIgnoreCase)]))
            return parts.Skip(ofPart).ToList();
        var of = parts[^1].IndexOf(" of ", StringComparison.OrdinalIgnoreCase);
        if (of < 0) return parts;
        var tail = parts[^1][of..];
        bool Light(string part) => Keys.KeyLexicon.English.LightNouns.Contains(part.Split(' ')[^1].ToLowerInvariant());
        if (!Light(parts[^1][..of]) || !parts.Take(parts.Count - 1).All(p => !p.Contains(" of ") && Light(p))) return parts;
        return [.. parts.Take(parts.Count - 1).Select(p => p + tail), parts[^1]];
    }

    private static readonly HashSet<string> Adjectives = Lexicon.Load("en", "adjectives");

    private static readonly HashSet<string> Degrees = Lexicon.Load("en", "degree-adverbs");

    /// <summary>An adjective ("bold", "humid", "smaller", "overly commercialized"), not a thing: a list of them describes the noun after them.</summary>
    private static bool IsAdjectival(string part) => IsAdjectival(part, colours: true);

    private static bool IsAdjectival(string part, bool colours)
    {
        var words = part.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 2 && Degrees.Contains(words[0])) words = words[1..];
        if (words.Length != 1) return false;
        var w = words[0];
        if (Adjectives.Contains(w)) return true;
        if (w.EndsWith("ing", StringComparison.Ordinal) || (w.EndsWith('s') && !w.EndsWith("ous", StringComparison.Ordinal) && !w.EndsWith("ss", StringComparison.Ordinal))) return false;
        // A colour before a noun describes it ("red and white wine").
        var category = Keys.KeyCanonicalizer.Canonicalize(w).Category;
        if (category == "colour") return colours;
        // "entirely", "really": adverbs (the lexicon lists "friendly", "lovely").
        if (w.EndsWith("ly", StringComparison.Ordinal)) return false;
        if (category != Keys.KeyCanonicalizer.GeneralCategory) return false;
        return AdjectiveEnding().IsMatch(w);
    }

    [GeneratedRegex(@"(?:al|ous|ive|ic|ful|less|able|ible|er|est|ish|ed|ant|ent|proof|free)$", RegexOptions.CultureInvariant)]
    private static partial Regex AdjectiveEnding();

    private static bool IsAdjectiveBefore(string first, string second) =>
        !first.Contains(' ') && second.Contains(' ') && Keys.KeyCanonicalizer.Canonicalize(first).Category == Keys.KeyCanonicalizer.GeneralCategory;

    public static readonly IReadOnlyList<CueRule> All =
    [
        .. LikeRules.All, .. StanceRules.All, .. PersonalRules.All, .. HealthRules.All, .. HouseholdRules.All, .. WorkRules.All,
        .. GoalRules.All, .. IdentityRules.All, .. InPassingRules.All, .. FavouriteRules.All, .. ActivityRules.All, .. ImperativeRules.All, .. AssistantRules.All,
    ];
}
