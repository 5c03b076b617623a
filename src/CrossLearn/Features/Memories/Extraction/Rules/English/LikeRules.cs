using System.Text.RegularExpressions;
using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Likes and dislikes: "I don't like X", "I hate X", "I prefer X", "I love X", "I'm a fan of X", "I always/never X".</summary>
internal static partial class LikeRules
{
    // The negations come first: "I don't like" must not be read as "I ... like".
    public static readonly CueRule[] All =
    [
        new("neglike", AtSubject, 100, I + ADV + @"\s+" + NOT + AdvAfterNot + @"\s+(?:like|enjoy|love|care\s+(?:much\s+)?for)\b", Negative) { RefersBackAs = NegativePreference },
        new("negdo", AtSubject, 110,
            I + ADV + @"\s+" + NOT + AdvAfterNot + @"(?=\s+(?:eat|drink|smoke|use|watch|wear|cook|party|drive|play|travel|believe\s+in|read)\b)", NotDoing),
        new("hate", AtSubject, 120, I + ADV + @"\s+(?:hate|dislike|detest|loathe|despise|abhor|avoid|(?:can't|cannot|can\s+not|cant)\s+stand)\b", Negative) { RefersBackAs = NegativePreference },
        new("notfan", AtSubject, 130,
            IM + ADV + @"\s+not" + ADV + @"\s+(?:(?:a\s+)?(?:big\s+|huge\s+|great\s+)?fan\s+of|into|fond\s+of|big\s+on|keen\s+on)\b", Negative),
        new("afraid", AtSubject, 140, IM + ADV + @"\s+(?:scared|afraid|terrified|frightened)\s+of\b",
            c => Thing(NegativePreference, c.Value, IndirectConfidence)),
        new("never", AtSubject, 150, I + ADV + @"\s+never\b(?:\s+ever\b)?" + ADV, c => Never(c, instruction: false)),
        new("prefer", AtSubject, 160, I + ADV + @"\s+prefer\b|" + ID + ADV + @"\s+(?:prefer|rather)\b", Prefer) { Also = RatherNot },
        // "I like everything except broccoli", "I eat anything but tofu": a dislike of the exception.
        new("all-but", AtSubject, 168,
            I + ADV + @"\s+(?:like|love|enjoy|eat|drink|cook\s+with|listen\s+to|watch|read)\s+(?:everything|anything|all\s+(?:kinds?\s+of\s+|sorts\s+of\s+)?[a-z]+|most\s+[a-z]+)\s+(?:except(?:\s+for)?|but|other\s+than|apart\s+from|besides)\b",
            Negative),
        // "We saw Alien and I loved it": a liking in the past counts only for the thing the pronoun stands for.
        new("liked-it", AtSubject, 172, I + ADV + @"\s+(?:loved|liked|enjoyed|adored)\b(?=\s+(?:it|them|that|this)\b)", c => Thing(Preference, c.Value, c.Level)) { RefersBackAs = Preference },
        new("hated-it", AtSubject, 122, I + ADV + @"\s+(?:hated|disliked|detested|loathed|despised)\b(?=\s+(?:it|them|that|this)\b)", Negative) { RefersBackAs = NegativePreference },
        new("like", AtSubject, 170, I + ADV + @"\s+(?:like|love|enjoy|adore)\b", c => Thing(Preference, c.Value, c.Level)) { Also = LikedPastime, RefersBackAs = Preference },
        // "I love what I do: hunting, going to church and driving": the pastimes named after it ("I love what I do" alone
        // names none). No adverbs between: each one costs a scan at every "I".
        new("like-what-i-do", AtSubject, 167, I + @"\s+(?:love|like|enjoy)\s+what\s+i\s+do\b(?:\s+for\s+fun)?[\s,:;-]*(?=[a-z])",
            c => Thing(Preference, c.Value, c.Level)) { Also = LikedPastime },
        // "I'm a cat person", "I am a coffee guy", "I'm a beach girl": the kind of thing the user is for.
        new("person-of", AtSubject, 178,
            IM + ADV + @"\s+(?:a|an)\s+(?:(?:pretty|very|really|super|quite|total|huge|big|real|true|proper|die[\s-]hard|massive)\s+){0,3}(?<thing>[a-z]+(?:\s+[a-z]+)?)\s+(?:guy|girl|gal|person|kind\s+of\s+(?:guy|girl|person)|type|fanatic|junkie|nut|freak)\b(?!\s+(?:who|that|from|at|in|with|of|named|called)\b)",
            c => c.Value.Split(' ').Any(NotAPerson().IsMatch) ? null : Thing(Preference, c.Value, IndirectConfidence)) { ValueGroup = "thing" },
        new("fan", AtSubject, 180,
            IM + ADV + @"\s+(?:(?:a\s+)?(?:big\s+|huge\s+|great\s+|massive\s+|real\s+)?(?:fan|lover)\s+of|into|fond\s+of|obsessed\s+with|crazy\s+about|keen\s+on)\b",
            c => Thing(Preference, c.Value, c.CueText.Contains("into", StringComparison.OrdinalIgnoreCase) ? IndirectConfidence : c.Level)),
        new("always", AtSubject, 190, I + AdvNoAlways + @"\s+always\b", c => Always(c, instruction: false)),
        // The speaker's second verb: "I dislike crowds and prefer quiet cafes", "I love tea and avoid coffee".
        new("and-dislike", AtSubject, 125, AND + ADV + @"\s+(?:hate|dislike|avoid|detest|loathe|despise)\b", Negative) { RefersBackAs = NegativePreference },
        new("and-prefer", AtSubject, 165, AND + ADV + @"\s+prefer\b", Prefer),
        // "We love camping": the user speaks for a group they belong to; a liking, read indirectly.
        new("we-like", AtSubject, 176, WE + ADV + @"\s+(?:all\s+)?(?:like|love|enjoy|adore|prefer)\b", c => Thing(Preference, c.Value, IndirectConfidence)),
        new("and-like", AtSubject, 175, AND + ADV + @"\s+(?:like|love|enjoy|adore)\b", c => Thing(Preference, c.Value, c.Level)) { Also = LikedPastime, RefersBackAs = Preference },

        // Chat drops the subject: "love sushi!", "hate mondays". Not "love you", "hate to say it", "love how ...".
        new("love-start", SentenceStart, 125,
            SentenceLead + @"(?:(?:and|but|also|just|so|honestly|really|absolutely|totally)[\s,]+){0,2}(?:(?<pos>love|adore|luv)|(?<neg>hate|detest|loathe|despise))\s+"
            + @"(?!(?:you|u|ya|yall|it|that|this|them|him|her|your|yours|how|when|what|where|why|the\s+idea|to|hearing|seeing|reading\s+that|being|myself|me|my\s+life)\b)",
            c => c.Cue.Groups["neg"].Success ? Thing(NegativePreference, c.Value, IndirectConfidence) : Thing(Preference, c.Value, IndirectConfidence)),
        // Chat drops the subject of a dislike too: "do not like cats though!", "don't really enjoy crowds".
        new("notlike-start", SentenceStart, 101,
            SentenceLead + @"(?:(?:but|and|also|just|honestly|really)[\s,]+){0,2}" + NOT + AdvAfterNot + @"\s+(?:like|enjoy|love|care\s+for)\s+"
            + @"(?!(?:you|u|it|that|this|them|him|her|to|when|how|what|being|myself|me)\b)",
            c => Thing(NegativePreference, c.Value, IndirectConfidence)),
        // "I really like dogs. Not cats.": a short "not X" right after a liking.
        new("not-this-one", SentenceStart, 102,
            SentenceLead + @"(?:but\s+)?not\s+(?:the\s+|a\s+)?(?=[a-z]+(?:\s+[a-z]+)?\W*$)",
            // Only a known thing: "Not really.", "Not bad." are answers, not dislikes.
            c => LikedBefore().IsMatch(c.Message.AsSpan(0, c.SentenceStart)) && Thing(NegativePreference, c.Value, IndirectConfidence) is { Category: not Keys.KeyCanonicalizer.GeneralCategory } other ? other : null),
        // "the thing I hate most is skiing": what is most hated or loved.
        new("hate-most", AtSubject, 119, I + ADV + @"\s+(?:hate|dislike|detest|loathe|despise|can't\s+stand|cannot\s+stand)\s+(?:the\s+)?most\s+(?:is|are|has\s+to\s+be|would\s+be)\b", Negative),
        new("love-most", AtSubject, 169, I + ADV + @"\s+(?:love|like|enjoy|adore)\s+(?:the\s+)?most\s+(?:is|are|has\s+to\s+be|would\s+be)\b", c => Thing(Preference, c.Value, c.Level)),
        // "What I hate most is ironing" ("what" before "I" is otherwise no statement of the user's).
        new("what-i-like-most", SentenceStart, 126,
            SentenceLead + @"(?:(?:and|but|so|honestly)[\s,]+)?(?:what|the\s+(?:one\s+)?thing|the\s+things)\s+i\s+(?:(?<neg>hate|dislike|detest|loathe|despise|can't\s+stand|cannot\s+stand)|love|like|enjoy|adore)\s+(?:the\s+)?most\s+(?:is|are|has\s+to\s+be|would\s+be)\b",
            c => Thing(c.Cue.Groups["neg"].Success ? NegativePreference : Preference, c.Value, ExplicitConfidence)),
        // "I like the woods but not the desert": the exception after a liking.
        new("but-not", Mention, 150, @"\bbut\s+not\s+(?<thing>(?:the\s+|a\s+|an\s+)?[a-z]+(?:\s+[a-z]+)?)(?=\s*(?:[,.!?;]|$))",
            c => LikedBefore().IsMatch(c.Sentence.AsSpan(0, c.Cue.Index)) && Thing(NegativePreference, c.Value, IndirectConfidence) is { } other
                 && (other.Category != Keys.KeyCanonicalizer.GeneralCategory || StartsWithWord(c.Value, "the") || StartsWithWord(c.Value, "a") || StartsWithWord(c.Value, "an")) ? other : null)
            { ValueGroup = "thing", OnlyWith = ["but not"] },
        // "I don't want kids": a life choice, not a passing wish.
        new("not-want", AtSubject, 111,
            I + ADV + @"\s+" + NOT + AdvAfterNot + @"\s+want\s+(?:any\s+|more\s+)?(?<thing>kids|children|a\s+family|pets|a\s+pet|a\s+dog|a\s+cat|a\s+baby|babies|to\s+have\s+(?:kids|children)|to\s+get\s+married|marriage|a\s+car)\b",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)) { ValueGroup = "thing" },
        // "... live alone and scared of dogs": the speaker's second state.
        new("and-afraid", AtSubject, 141, AND + @"\s+(?:(?:am|i'm|im)\s+)?(?:really\s+|very\s+|so\s+)?(?:scared|afraid|terrified|frightened)\s+of\b",
            c => Thing(NegativePreference, c.Value, IndirectConfidence)),
        new("notfan-start", SentenceStart, 100,
            SentenceLead + @"(?:(?:but|and|though|honestly|really|definitely|also|just)[\s,]+){0,2}not\s+(?:really\s+)?(?:a\s+)?(?:big\s+|huge\s+|great\s+)?fan\s+of\b",
            Negative),
    ];


    /// <summary>
    /// A liked activity is a pastime too: "I love hiking", "I like to cook for friends" give an interest beside the
    /// preference (read indirectly), "I love to eat donuts" does not (the thing is a food, the verb only carries it).
    /// </summary>
    private static ExtractedMemory? LikedPastime(CueContext c, ExtractedMemory? liked)
    {
        if (liked is null) return null;
        var doing = liked.Category is "activity" or "sport"
                    || (StartsWithWord(c.Value, "to") && liked.Key == Keys.KeyCanonicalizer.Gerund(FirstWord(c.Value[2..].TrimStart()).ToLowerInvariant(), Keys.KeyLexicon.English));
        return doing ? liked with { Type = Interest, Confidence = IndirectConfidence } : null;
    }

    /// <summary>Words that read as an adjective, not a verb, after an instruction-like "Always ..." ("Always a pleasure").</summary>
    private static readonly HashSet<string> NotImperativeStarts = Lexicon.Load("en", "not-imperative-starts");

    private static readonly HashSet<string> VerbsEndingInEd = Lexicon.Load("en", "verbs-ending-in-ed");

    private static readonly HashSet<string> PastForms = Lexicon.Load("en", "past-forms");

    [GeneratedRegex(@"\b(?:much|often|a\s+lot|anymore|any\s+more|as\s+much|enough|lately|these\s+days|that\s+often|very\s+often)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HowOften();

    [GeneratedRegex(@"\s+(?:over|than|rather\s+than|instead\s+of)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreferComparison();

    /// <summary>"I don't travel much" tells how often, not a dislike; "I don't believe in X" is kept whole (a belief).</summary>
    private static ExtractedMemory? NotDoing(CueContext c)
    {
        if (HowOften().IsMatch(c.Value)) return null;
        if (StartsWithWord(c.Value, "believe"))
        {
            // "believe in love": the "in" belongs to the belief, so only what follows it is made canonical.
            var believed = TrimPunctuation(c.Value)["believe".Length..].TrimStart();
            if (!StartsWithWord(believed, "in")) return Keyed(NegativePreference, "believe " + believed, "belief", c.Value, ExplicitConfidence);
            var inWhat = Keys.KeyCanonicalizer.Canonicalize(believed[2..].TrimStart()).Key;
            return inWhat.Length == 0 ? null : Keyed(NegativePreference, "believe in " + inWhat, "belief", c.Value, ExplicitConfidence, alreadyCanonical: true);
        }
        return Negative(c);
    }

    private static ExtractedMemory? Negative(CueContext c) =>
        Thing(NegativePreference, c.Value, IsEmphaticNegative(c.CueText) ? EmphaticConfidence : ExplicitConfidence);

    /// <summary>Only words before the negation count: "I really don't like" is emphatic, "I don't really like" is not.</summary>
    private static bool IsEmphaticNegative(string cue)
    {
        var cut = cue.IndexOf(" not", StringComparison.OrdinalIgnoreCase);
        var cut2 = cue.IndexOf("n't", StringComparison.OrdinalIgnoreCase);
        if (cut < 0 || (cut2 >= 0 && cut2 < cut)) cut = cut2;
        return Guards.IsEmphatic(cut >= 0 ? cue[..cut] : cue);
    }

    /// <summary>"I prefer X over Y": X; "I'd prefer not X", "I prefer to avoid X": a dislike.</summary>
    private static ExtractedMemory? Prefer(CueContext c)
    {
        var value = CutAt(c.Value, PreferComparison());
        // "I prefer my cooking to restaurants": "to" compares after a thing, not after a verb ("prefer listening to jazz").
        if (PreferTo().Match(value) is { Success: true } to && to.Groups["before"].Value.ToLowerInvariant() is var before
            && !IsPastForm(before) && !Keys.KeyLexicon.English.CarrierVerbs.StartsAt([before], 0) && !VerbsWithTo.Contains(before))
            value = value[..to.Index];
        if (StartsWithWord(value, "not")) return Thing(NegativePreference, value[3..].TrimStart(), c.Level, startsWithVerb: AfterRather(c, value[3..]));
        return PreferToAvoid().Match(value) is { Success: true } avoid
            ? Thing(NegativePreference, value[avoid.Length..], c.Level)
            : Thing(Preference, value, c.Level, startsWithVerb: AfterRather(c, value));
    }

    /// <summary>"I'd rather walk": a verb after "rather" names the activity ("walking"); "I'd rather tea" a thing.</summary>
    private static bool AfterRather(CueContext c, string value) =>
        c.CueText.EndsWith("rather", StringComparison.OrdinalIgnoreCase) && Keys.KeyCanonicalizer.IsKnownVerb(FirstWord(value));

    /// <summary>"I'd rather walk than drive": driving is what the user would rather not do (read indirectly; "prefer X over Y" says less about Y).</summary>
    private static ExtractedMemory? RatherNot(CueContext c, ExtractedMemory? _)
    {
        if (!c.CueText.EndsWith("rather", StringComparison.OrdinalIgnoreCase) || RatherThan().Match(c.Value) is not { Success: true } than) return null;
        var other = c.Value[(than.Index + than.Length)..].Trim();
        // "than my job", "than see my family": the user's own life, not a taste.
        if (other.Length == 0 || EnglishRules.RefersBack(other) || OwnLife().IsMatch(other)) return null;
        return Thing(NegativePreference, other, IndirectConfidence, startsWithVerb: Keys.KeyCanonicalizer.IsKnownVerb(FirstWord(other))) is { Category: not "family" } memory && !People.Contains(memory.Key.Split(' ')[^1]) ? memory : null;
    }

    [GeneratedRegex(@"\b(?:my|our)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OwnLife();

    /// <summary>A liking said in the text before ("I really like dogs."), for a "Not cats." after it.</summary>
    [GeneratedRegex(@"\bi\s+(?:(?:really|also|just|do|totally)\s+)?(?:like|love|enjoy|adore|prefer)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LikedBefore();

    /// <summary>"a nice guy", "a lucky girl", "a people person", "a delivery guy": what the user is like or does, not what they like.</summary>
    [GeneratedRegex(@"^(?:nice|good|bad|great|lucky|simple|normal|regular|cool|smart|busy|lazy|happy|shy|quiet|friendly|funny|kind|sweet|old|young|tough|strong|big|little|tall|short|single|married|straight|gay|lonely|average|honest|different|private|positive|negative|practical|people|social|creative|curious|logical|visual|hands-on|little|cute|pretty|very|really|so|quite|kinda|delivery|sales|service|repair|security|maintenance|cable|mail|tech|handy|family|\w+ing|\w+ed|\w+ly|\w+ous|\w+ful|\w+ive|\w+ish)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotAPerson();

    /// <summary>Verbs whose "to" says where or to whom, not what they are compared to ("talking to people").</summary>
    private static readonly HashSet<string> VerbsWithTo = Lexicon.Load("en", "verbs-with-to");

    [GeneratedRegex(@"(?<=\b(?<before>[a-z]+))\s+to\s+(?=[a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreferTo();

    [GeneratedRegex(@"\s+than\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RatherThan();

    [GeneratedRegex(@"^(?:to\s+)?(?:avoid|avoiding|stay\s+away\s+from|staying\s+away\s+from|steer\s+clear\s+of|steering\s+clear\s+of|skip|skipping|stop)\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreferToAvoid();

    /// <summary>"I always X" (or the instruction "Always X"): a habit, unless X looks like the past ("I always knew").</summary>
    internal static ExtractedMemory? Always(CueContext c, bool instruction)
    {
        var first = FirstWord(c.Value);
        if (instruction && NotImperativeStarts.Contains(first)) return null;
        if (IsPastForm(first)) return null;
        return Thing(Preference, StripLikeVerb(c.Value).Value, EmphaticConfidence);
    }

    /// <summary>"I never X" (or the instruction "Never X"): a dislike, unless X looks like the past ("I never thought").</summary>
    internal static ExtractedMemory? Never(CueContext c, bool instruction)
    {
        var first = FirstWord(c.Value);
        if (instruction && NotImperativeStarts.Contains(first)) return null;
        var (stripped, wasLike) = StripLikeVerb(c.Value);
        if (!wasLike && IsPastForm(first)) return null;
        return Thing(NegativePreference, stripped, EmphaticConfidence);
    }

    /// <summary>"never liked X", "always enjoy X": the thing is X.</summary>
    private static (string Value, bool WasLike) StripLikeVerb(string value)
    {
        var first = FirstWord(value);
        if (first is "like" or "liked" or "likes" or "love" or "loved" or "loves" or "enjoy" or "enjoyed" or "enjoys")
            return (value[first.Length..].TrimStart(), true);
        // "never want to eat snails", "never want kids": the wish carries the thing as a liking does.
        if (WantTo().Match(value) is { Success: true } want) return (value[want.Length..], true);
        if (value.StartsWith("cared for ", StringComparison.OrdinalIgnoreCase) || value.StartsWith("care for ", StringComparison.OrdinalIgnoreCase))
            return (value[(value.IndexOf(" for ", StringComparison.OrdinalIgnoreCase) + 5)..].TrimStart(), true);
        return (value, false);
    }

    [GeneratedRegex(@"^(?:want(?:ed)?(?:\s+to)?|wanna)\s+(?:ever\s+)?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WantTo();

    /// <summary>A past form ("thought", "visited"): irregular ones are listed, regular "-ed" ones recognised by their ending.</summary>
    internal static bool IsPastForm(string word) =>
        word.Length > 3 && word.EndsWith("ed", StringComparison.Ordinal) && !VerbsEndingInEd.Contains(word) || PastForms.Contains(word);
}
