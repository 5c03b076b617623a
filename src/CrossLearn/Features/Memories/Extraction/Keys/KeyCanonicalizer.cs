using Humanizer;

namespace CrossLearn.Features.Memories.Keys;

/// <summary>A memory's identity: the thing itself, and what kind of thing it is.</summary>
public sealed record CanonicalKey(string Key, string Category);

/// <summary>
/// Turns the words a user wrote about a thing into the key that other users' words about the same thing meet on:
/// "my cat", "cats", "two cats", "kittens" -> <c>cat</c>; "eating anything spicy" -> <c>spicy food</c>;
/// "notifications by e-mail" is left to the assistant rules, "e-mail" -> <c>email</c>. Lower case, no articles,
/// possessives, quantities or carrier verbs, no trailing reason ("... due to motion sickness"), singular (Humanizer's
/// inflector, with the words it gets wrong kept as they are), synonyms mapped through the lexicon. The category comes
/// from the lexicon's category lists. Pure and deterministic: a rebuild or a re-extraction gives the same keys.
/// </summary>
public static class KeyCanonicalizer
{
    public const string GeneralCategory = "general";
    private const int MaxWords = 8;

    /// <summary>A key that says which ones ("devices that lack physical buttons and rely on touchscreens") may run longer: cut short, it would say something else.</summary>
    private const int MaxQualifiedWords = 12;

    /// <param name="phrase">The words about the thing.</param>
    /// <param name="lexicon">The language's word lists (English unless given).</param>
    /// <param name="writtenAs">The words as the user wrote them, when <paramref name="phrase"/> was lower-cased: their capitals tell names apart.</param>
    /// <param name="startsWithVerb">The phrase starts with a bare verb ("[to] swim", "[rather] walk"): the activity is
    /// named by its -ing form, so "I like to swim" and "I like swimming" meet on <c>swimming</c>.</param>
    public static CanonicalKey Canonicalize(string phrase, KeyLexicon? lexicon = null, string? writtenAs = null, bool startsWithVerb = false)
    {
        lexicon ??= KeyLexicon.English;
        var words = Words(phrase);
        if (words.Count == 0) return new CanonicalKey("", GeneralCategory);
        if (startsWithVerb) words[0] = Gerund(words[0], lexicon);

        // Carrier verbs first ("listening to music"), then the circumstances ("hiking in the spring"), then what is
        // left in front ("the beach").
        // "the movie Alien": the article may be gone already (the caller's normalising drops it), the words as written keep it.
        var afterArticle = writtenAs is not null && (lexicon.KindNouns.StartsAt(words, 0) || lexicon.CarrierVerbs.StartsAt(words, 0))
                           && lexicon.Determiners.StartsAt(Words(writtenAs), 0);
        if (afterArticle) SkipKindBeforeMember(words, lexicon);
        else SkipGenreKindBeforeMember(words, lexicon);
        var afterDeterminer = DropLeading(words, lexicon, afterArticle);
        var firstWord = words[0];
        Replace(words, lexicon.Synonyms);
        ChannelFirst(words, lexicon);
        LanguageOnly(words, lexicon);
        SkipLightNoun(words, lexicon);
        SkipKindName(words, lexicon);
        CutAtReason(words, lexicon);
        DropLeading(words, lexicon, afterDeterminer && words[0] == firstWord);
        // "a cold beer", "an ice-cold soda": how a drink is served is no other drink (not "iced tea", not "hot chocolate").
        if (words.Count == 2 && words[0] is "cold" or "ice-cold" or "chilled" or "frosty" && lexicon.Categories.GetValueOrDefault(words[1]) == "drink")
            words.RemoveAt(0);
        DropLessonNoun(words, lexicon);
        Replace(words, lexicon.Synonyms);
        var names = NameWords(writtenAs ?? phrase);
        // A word after "of" is part of a name or a measure ("game of thrones", "lord of the rings", "a bag of chips"): as written.
        var afterOf = false;
        for (var i = 0; i < words.Count; i++)
        {
            if (!afterOf && !names.Contains(words[i])) words[i] = Singular(words[i], lexicon);
            afterOf |= words[i] == "of";
        }
        Replace(words, lexicon.Synonyms);
        if (words.Count == 1 && lexicon.TasteWords.Contains(words[0])) words.Add("food");
        if (words.Count > MaxWords) CapWords(words, lexicon);
        // A verb and its particle are whole ("stay in"): the particle is not left hanging.
        var verbWithParticle = words.Count >= 2 && lexicon.CarrierVerbs.LongestAt(words, 0).Length == words.Count;
        while (!verbWithParticle && words.Count > 1 && lexicon.DanglingWords.Contains(words[^1])) words.RemoveAt(words.Count - 1);

        var key = string.Join(' ', words);
        return new CanonicalKey(key, CategoryOf(words, lexicon));
    }

    /// <summary>
    /// A title or name as one key ("pride and prejudice", "good burger"): lower case, without a leading article, never cut
    /// or split; its words singular as every other key's are (unless written as a name), so that "I love the Ohio State
    /// buckeyes" and "my favorite team is the ohio state buckeyes" meet on one key.
    /// </summary>
    public static string TitleKey(string title, KeyLexicon? lexicon = null)
    {
        lexicon ??= KeyLexicon.English;
        var words = Words(title);
        if (words.Count > 1 && words[0] is "the" or "a" or "an") words.RemoveAt(0);
        var names = NameWords(title);
        for (var i = 0; i < words.Count; i++)
            if (!names.Contains(words[i])) words[i] = Singular(words[i], lexicon);
        return string.Join(' ', words);
    }

    /// <summary>
    /// At most <see cref="MaxWords"/> words; a key with a clause that says which ones ("that lack physical buttons")
    /// up to <see cref="MaxQualifiedWords"/>: cut any shorter, it would say something else. A key cut short ends on a word
    /// that says something.
    /// </summary>
    private static void CapWords(List<string> words, KeyLexicon lexicon)
    {
        var qualifier = -1;
        for (var i = 1; i < words.Count && qualifier < 0; i++)
            if (lexicon.Qualifiers.StartsAt(words, i)) qualifier = i;
        var cap = qualifier < 0 ? MaxWords : MaxQualifiedWords;
        if (words.Count > cap) words.RemoveRange(cap, words.Count - cap);
        // Cut inside a clause, end on a word that says something, not on "or", "and", "the".
        while (words.Count > 1 && lexicon.DanglingWords.Contains(words[^1])) words.RemoveAt(words.Count - 1);
    }

    /// <summary>
    /// The kind a canonical key is a variety of ("vanilla ice cream": ice cream; "green tea": tea), or null when its last
    /// words are no kind in variety-kinds.txt or are the whole key.
    /// </summary>
    public static string? KindOfVariety(string key, KeyLexicon? lexicon = null)
    {
        lexicon ??= KeyLexicon.English;
        var words = key.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length >= 3 && lexicon.VarietyKinds.Contains($"{words[^2]} {words[^1]}")) return $"{words[^2]} {words[^1]}";
        return words.Length >= 2 && lexicon.VarietyKinds.Contains(words[^1]) ? words[^1] : null;
    }

    /// <summary>The category of an already canonical key (whole key, then its last two words, its last, its first).</summary>
    public static string CategoryOf(IReadOnlyList<string> words, KeyLexicon lexicon)
    {
        if (words.Count == 0) return GeneralCategory;
        var whole = string.Join(' ', words);
        if (lexicon.Categories.TryGetValue(whole, out var category)) return category;
        if (words.Count > 2 && lexicon.Categories.TryGetValue($"{words[^2]} {words[^1]}", out category)) return category;
        if (lexicon.Categories.TryGetValue(words[^1], out category)) return category;
        return lexicon.Categories.TryGetValue(words[0], out category) ? category : GeneralCategory;
    }

    /// <summary>
    /// Words written with a capital after the first word ("Bruno Mars", "the Beatles"): part of a name, whose -s is not a
    /// plural. The first word only counts beside another: it may be capitalised only because a sentence starts there.
    /// </summary>
    private static HashSet<string> NameWords(string phrase)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var parts = phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.All(p => !p.Any(char.IsLower))) return names; // ALL CAPS: no names to tell apart
        for (var i = 1; i < parts.Length; i++)
            if (char.IsUpper(parts[i][0])) names.Add(parts[i].ToLowerInvariant().TrimEnd('.', ',', '!', '?'));
        // A capital first word is part of the name when another word has one too ("Kings of Leon").
        if (names.Count > 0 && char.IsUpper(parts[0][0])) names.Add(parts[0].ToLowerInvariant());
        return names;
    }

    private static readonly char[] WordTrim = ['\'', '-', '*', '_', '~'];

    private static readonly char[] WordSeparators = [' ', '\t', '\n', ',', ';', ':', '!', '?', '"', '(', ')', '[', ']', '/'];

    private static List<string> Words(string phrase)
    {
        var words = new List<string>(8);
        foreach (var range in phrase.AsSpan().SplitAny(WordSeparators))
        {
            // A leading dot stays (".net"), a trailing one goes.
            var raw = phrase.AsSpan(range).TrimEnd('.').Trim(WordTrim);
            if (raw.Length > 0) words.Add(raw.ToString().ToLowerInvariant());
        }
        return words;
    }

    /// <summary>
    /// Everything from the first reason or circumstance on goes (never the first word itself). A clause that says which
    /// ones ("food that contains additives") stays, and so does a preposition after a generic head ("activities in the sun").
    /// </summary>
    private static void CutAtReason(List<string> words, KeyLexicon lexicon)
    {
        var keepsQualifier = false;
        for (var i = 1; i < words.Count; i++)
        {
            // A relative clause says which ones ("pets that can bite", "rooms that do not have windows"): cutting it off would
            // widen or turn the thing around, so it stays, prepositions and all. A preposition after a generic head stays too.
            if (lexicon.Qualifiers.StartsAt(words, i)) keepsQualifier = true;
            // "working with my hands": company is a circumstance, except after a verb too general to be the thing alone.
            // "games that have a lot of dialogue": "a lot of" counts what follows; "a lot" after a thing is how much.
            var cut = (lexicon.Cuts.StartsAt(words, i) && !(words[i] == "with" && lexicon.GenericHeads.Contains(words[i - 1])) && !ALotOf(words, i))
                      || MeasureAt(words, i, lexicon) || PlaysASportAt(words, i, lexicon)
                      || (!keepsQualifier && lexicon.PlaceAdverbs.Contains(words[i]) && CategoryOf(words[..i], lexicon) != GeneralCategory)
                      // A preposition with nothing after it is a particle of the verb ("stay in").
                      || (!keepsQualifier && i + 1 < words.Count && lexicon.PrepositionCuts.StartsAt(words, i) && !lexicon.GenericHeads.Contains(Singular(words[i - 1], lexicon)))
                      || (!keepsQualifier && StartsAClause(words, i))
                      || (!keepsQualifier && words[i] is "too" or "also");
            if (!cut) continue;
            words.RemoveRange(i, words.Count - i);
            return;
        }
    }

    private static bool ALotOf(List<string> words, int at) =>
        at + 2 < words.Count && words[at] == "a" && words[at + 1] == "lot" && words[at + 2] == "of";

    private static readonly HashSet<string> SubjectPronouns = ["i", "it", "he", "she", "we", "they"];

    /// <summary>
    /// "the color green it does not mean...": a subject pronoun with a word after it, right after the thing, starts a
    /// clause of its own (chat runs sentences on). After a preposition or a verb ("about it", "featuring it") it is an object.
    /// </summary>
    private static bool StartsAClause(List<string> words, int at) =>
        at + 1 < words.Count && SubjectPronouns.Contains(words[at]) && !LeadingPrepositions.Contains(words[at - 1])
        && !words[at - 1].EndsWith("ing", StringComparison.Ordinal) && !words[at - 1].EndsWith("ed", StringComparison.Ordinal);

    /// <summary>Articles, possessives, quantities and carrier verbs in front of the thing ("eating anything spicy").</summary>
    /// <returns>Whether the words now start right after a determiner (so a carrier-looking first word is a noun: "the book club").</returns>
    private static bool DropLeading(List<string> words, KeyLexicon lexicon, bool afterDeterminer = false)
    {
        for (var changed = true; changed && words.Count > 1;)
        {
            changed = false;
            var length = lexicon.Determiners.LongestAt(words, 0).Length;
            // A verb never follows an article: "the book club" keeps its "book".
            if (length == 0 && !afterDeterminer)
            {
                var verb = lexicon.CarrierVerbs.LongestAt(words, 0).Length;
                if (verb > 0 && !VerbIsTheThing(words, verb, lexicon)) length = verb;
            }
            // A number of things: "2 siblings", "3 cats"; a preposition left by a dropped verb ("book about whales").
            if (length == 0 && (IsDigits(words[0]) || LeadingPrepositions.Contains(words[0]))) length = 1;
            if (length == 0 || words.Count <= length) continue;
            var determiner = lexicon.Determiners.LongestAt(words, 0).Length == length;
            words.RemoveRange(0, length);
            changed = true;
            afterDeterminer = determiner;
            if (determiner) SkipKindBeforeMember(words, lexicon);
        }
        return afterDeterminer;
    }

    /// <summary>
    /// "the movie Friday", "my favourite show Tom and Jerry", "a show called Second Life": after a determiner, a kind
    /// before a member is the member. Not a compound ("the book club"), and not when a clause or a list follows the kind.
    /// </summary>
    private static void SkipKindBeforeMember(List<string> words, KeyLexicon lexicon)
    {
        var kind = lexicon.KindNouns.LongestAt(words, 0).Length;
        if (kind > 0 && words.Count > kind + 1 && words[kind] is "called" or "named" or "titled") kind++;
        if (kind == 0 || words.Count <= kind) return;
        var next = words[kind];
        if (lexicon.CompoundHeads.Contains(next) || lexicon.DanglingWords.Contains(next) || lexicon.Cuts.StartsAt(words, kind)
            || lexicon.PrepositionCuts.StartsAt(words, kind) || lexicon.Qualifiers.StartsAt(words, kind) || LeadingPrepositions.Contains(next)
            || next is "i" or "you" or "we" or "they" or "he" or "she" or "it" or "where" or "when" or "from")
            return;
        words.RemoveRange(0, kind);
    }

    /// <summary>
    /// "punk band rancid", "the rock band queen": a genre, its kind, then the member: the member is the thing, as after
    /// "the band". Not when the kind heads a compound ("punk band shirt").
    /// </summary>
    private static void SkipGenreKindBeforeMember(List<string> words, KeyLexicon lexicon)
    {
        if (words.Count < 3 || lexicon.Categories.GetValueOrDefault(words[0]) is not ("music" or "media") || !lexicon.KindNouns.StartsAt(words, 1)) return;
        var genre = words[0];
        words.RemoveAt(0);
        var before = words.Count;
        SkipKindBeforeMember(words, lexicon);
        if (words.Count == before) words.Insert(0, genre);
    }

    /// <summary>A measure of an activity ("run 2 miles", "swim five laps a day"), from its number on.</summary>
    private static bool MeasureAt(List<string> words, int at, KeyLexicon lexicon)
    {
        if (words[at] is "my" or "a" or "the") at++;
        return at + 1 < words.Count && (IsDigits(words[at]) || lexicon.Numbers.Contains(words[at]))
               && lexicon.MeasureUnits.Contains(Singular(words[at + 1], lexicon));
    }

    private static bool IsDigits(string word) => word.Length > 0 && !word.AsSpan().ContainsAnyExcept(Digits);

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");

    /// <summary>"watching the Lakers play basketball": the team is the thing, the game it plays a circumstance.</summary>
    private static bool PlaysASportAt(List<string> words, int at, KeyLexicon lexicon) =>
        words[at] is "play" or "plays" or "playing" && at + 1 < words.Count && lexicon.Categories.GetValueOrDefault(Singular(words[at + 1], lexicon)) == "sport";

    /// <summary>"my yoga class", "math lessons": the subject is the thing.</summary>
    private static void DropLessonNoun(List<string> words, KeyLexicon lexicon)
    {
        if (words.Count >= 2 && lexicon.LessonNouns.Contains(words[^1]) && !lexicon.ClassRanks.Contains(words[^2])
            && !lexicon.DanglingWords.Contains(words[^2]))
            words.RemoveAt(words.Count - 1);
    }

    private static readonly HashSet<string> Particles = ["out", "in", "up", "around", "together", "alone", "outside", "inside", "early", "late", "off", "fast", "slow", "slowly", "far", "home", "everywhere"];

    /// <summary>"eat out", "read all the time": what follows the verb is a particle or a circumstance, so the verb is the thing.</summary>
    private static bool VerbIsTheThing(List<string> words, int verbLength, KeyLexicon lexicon)
    {
        var rest = words.Count - verbLength;
        // "eating out with friends": the particle, then a circumstance.
        var particle = rest >= 1 && Particles.Contains(words[verbLength])
                       && (rest == 1 || lexicon.Cuts.StartsAt(words, verbLength + 1) || lexicon.PrepositionCuts.StartsAt(words, verbLength + 1));
        return particle || (rest > 0 && lexicon.Cuts.LongestAt(words, verbLength).Length == rest);
    }

    private static void Replace(List<string> words, PhraseIndex map)
    {
        for (var i = 0; i < words.Count; i++)
        {
            var (length, to) = map.LongestAt(words, i);
            if (length == 0) continue;
            words.RemoveRange(i, length);
            words.InsertRange(i, to);
            i += to.Length - 1;
        }
    }

    /// <summary>
    /// Prepositions that never start the thing itself ("about whales", "with my doll"), and the participles that work as
    /// one once "anything" has gone ("anything involving violence", "anything related to horror").
    /// </summary>
    private static readonly HashSet<string> LeadingPrepositions =
        ["about", "of", "with", "on", "in", "at", "for", "into", "onto", "to", "from", "involving", "related", "relating", "containing", "featuring", "regarding", "concerning"];

    private static readonly HashSet<string> ChannelPrepositions = ["by", "via", "over", "through", "per", "as"];

    /// <summary>"notifications by email", "updates via text": the channel comes first, as in "email notifications".</summary>
    private static void ChannelFirst(List<string> words, KeyLexicon lexicon)
    {
        for (var i = 1; i + 1 < words.Count; i++)
        {
            if (!ChannelPrepositions.Contains(words[i]) || lexicon.Categories.GetValueOrDefault(words[i + 1]) != "communication") continue;
            var (channel, head) = (words[i + 1], words[i - 1]);
            words.Clear();
            words.AddRange([channel, head]);
            return;
        }
    }

    /// <summary>"answer in French", "replies in spanish please": the language is the thing.</summary>
    private static void LanguageOnly(List<string> words, KeyLexicon lexicon)
    {
        for (var i = 1; i + 1 < words.Count; i++)
        {
            if (words[i] != "in" || lexicon.Categories.GetValueOrDefault(words[i + 1]) != "language") continue;
            var language = words[i + 1];
            words.Clear();
            words.Add(language);
            return;
        }
    }

    /// <summary>"time at the beach", "weekends in the mountains", "the taste of fish": the thing is what follows the preposition.</summary>
    private static void SkipLightNoun(List<string> words, KeyLexicon lexicon)
    {
        // "the taste and smell of fish": light nouns joined, then the thing.
        while (words.Count >= 5 && lexicon.LightNouns.Contains(words[0]) && words[1] is "and" or "or" && lexicon.LightNouns.Contains(words[2]))
            words.RemoveRange(0, 2);
        if (words.Count >= 3 && lexicon.LightNouns.Contains(words[0])
            && (words[1] == "of" || lexicon.Cuts.StartsAt(words, 1) || lexicon.PrepositionCuts.StartsAt(words, 1)))
            words.RemoveRange(0, 2);
    }

    /// <summary>"the colour green", "the color teal": the kind named before one of its members is the member.</summary>
    private static void SkipKindName(List<string> words, KeyLexicon lexicon)
    {
        if (words.Count >= 2 && words[0] is "color" or "colour" or "colors" or "colours"
            && (lexicon.Categories.GetValueOrDefault(words[1]) == "colour" || (words.Count == 2 && !lexicon.DanglingWords.Contains(words[1]))))
            words.RemoveAt(0);
    }

    /// <summary>
    /// The -ing form of a verb by the spelling rules ("hike" -> "hiking", "swim" -> "swimming", "tie" -> "tying",
    /// "see" -> "seeing", "travel" -> "traveling"), with the words they get wrong listed in the lexicon ("begin").
    /// </summary>
    public static string Gerund(string verb, KeyLexicon lexicon)
    {
        if (lexicon.Gerunds.TryGetValue(verb, out var listed)) return listed;
        if (verb.Length < 2 || verb.AsSpan().ContainsAnyExcept(Letters)) return verb;
        if (verb.EndsWith("ie")) return verb[..^2] + "ying";
        // "hike", "dance": the silent e goes; "see", "dye", "canoe", "be" keep it.
        if (verb.Length > 2 && verb[^1] == 'e' && !IsVowel(verb, verb.Length - 2) && verb[^2] != 'y') return verb[..^1] + "ing";
        // One syllable ending consonant-vowel-consonant doubles its last letter ("swim", "shop", "quit"); w, x, y never do.
        var last = verb[^1];
        if (VowelGroups(verb) == 1 && !IsVowel(verb, verb.Length - 1) && last is not ('w' or 'x' or 'y')
            && IsVowel(verb, verb.Length - 2) && (verb.Length == 2 || !IsVowel(verb, verb.Length - 3)))
            return verb + last + "ing";
        return verb + "ing";
    }

    /// <summary>
    /// Whether a word read where a verb or a noun may stand ("I'd rather walk", "I'd rather tea") is a verb: one that
    /// carries a thing ("have") or whose -ing form names a known pastime ("walk": walking). Unknown words stay nouns.
    /// </summary>
    public static bool IsKnownVerb(string word, KeyLexicon? lexicon = null)
    {
        lexicon ??= KeyLexicon.English;
        word = word.ToLowerInvariant();
        return lexicon.CarrierVerbs.StartsAt([word], 0) || (!lexicon.Categories.ContainsKey(word) && lexicon.Categories.ContainsKey(Gerund(word, lexicon)));
    }

    private static readonly System.Buffers.SearchValues<char> Letters = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz");

    /// <summary>a, e, i, o, u, and y after a consonant ("try"); the u of "qu" is a consonant ("quit").</summary>
    private static bool IsVowel(string word, int at) => word[at] switch
    {
        'a' or 'e' or 'i' or 'o' => true,
        'u' => at == 0 || word[at - 1] != 'q',
        'y' => at > 0 && !IsVowel(word, at - 1),
        _ => false,
    };

    private static int VowelGroups(string word)
    {
        var groups = 0;
        for (var i = 0; i < word.Length; i++)
            if (IsVowel(word, i) && (i == 0 || !IsVowel(word, i - 1))) groups++;
        return groups;
    }

    private static readonly HashSet<string> FPlurals =
        ["leaves", "wolves", "knives", "lives", "wives", "halves", "loaves", "shelves", "calves", "thieves", "scarves", "elves", "selves", "hooves"];

    private static readonly HashSet<string> IrregularPlurals = ["children", "men", "women", "people", "mice", "geese", "teeth", "feet"];

    /// <summary>Singular forms already worked out: Humanizer tries its rules one regex at a time, and words repeat.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Singulars = new(StringComparer.Ordinal);

    private const int MaxRememberedSingulars = 50_000;

    /// <summary>Humanizer's singular, only for words that look plural and that it is known to get right.</summary>
    private static string Singular(string word, KeyLexicon lexicon)
    {
        if (lexicon != KeyLexicon.English) return SingularOf(word, lexicon);
        if (Singulars.TryGetValue(word, out var known)) return known;
        var singular = SingularOf(word, lexicon);
        if (Singulars.Count < MaxRememberedSingulars) Singulars.TryAdd(word, singular);
        return singular;
    }

    private static string SingularOf(string word, KeyLexicon lexicon)
    {
        if (IrregularPlurals.Contains(word)) return word == "people" ? word : word.Singularize(inputIsKnownToBePlural: true);
        if (word.Length < 4 || !word.EndsWith('s') || lexicon.Invariant.Contains(word)) return word;
        // -ss (glass), -us (famous, cactus), -is (analysis), -ics (physics): not plurals of a simpler word.
        if (word.EndsWith("ss") || word.EndsWith("us") || word.EndsWith("is") || word.EndsWith("ics") || word.EndsWith("'s")) return word;
        // Humanizer reads every -ves as -f(e) ("olives" -> "olife"): only the known ones are.
        if (word.EndsWith("ves") && !FPlurals.Contains(word)) return word[..^1];
        // "-ies" is "-y" ("puppies") except after a singular in -ie ("brownies", "pies").
        if (word.EndsWith("ies") && (word.Length <= 4 || lexicon.IeNouns.Contains(word[..^1]))) return word[..^1];
        var singular = word.Singularize(inputIsKnownToBePlural: false);
        return singular.Length >= 2 ? singular : word;
    }
}
