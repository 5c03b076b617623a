using System.Text;
using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories;

/// <summary>
/// Finds memories (preferences, dislikes, personal facts, interests) in one chat message written by the user.
/// Pure and rule based: compiled (source-generated) regular expressions, no state, safe to call on every turn.
/// The rules, confidence levels and limits are documented in docs/extraction.md.
/// </summary>
public static partial class MemoryExtractor
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

    private enum Cue
    {
        NegLike, NegDo, Hate, NotFan, Afraid, Never, Prefer, Like, Fan, Always,
        Name, Location, Origin, Occupation, JobStatus, Workplace, BecomeGoal, Goal, Interest, Degree, Hobby, Favorite,
        Age, IAmA, Activity, Introduction, Mine,
        ImperativeNever, ImperativeAlways,
    }

    private static readonly (string Group, Cue Cue)[] CueGroups =
    [
        ("neglike", Cue.NegLike), ("negdo", Cue.NegDo), ("hate", Cue.Hate), ("notfan", Cue.NotFan), ("afraid", Cue.Afraid),
        ("never", Cue.Never), ("prefer", Cue.Prefer), ("like", Cue.Like), ("fan", Cue.Fan), ("always", Cue.Always),
        ("name", Cue.Name), ("location", Cue.Location), ("origin", Cue.Origin), ("occupation", Cue.Occupation),
        ("jobstatus", Cue.JobStatus), ("workplace", Cue.Workplace), ("becomegoal", Cue.BecomeGoal), ("goal", Cue.Goal),
        ("interest", Cue.Interest), ("degree", Cue.Degree), ("hobby", Cue.Hobby), ("favorite", Cue.Favorite),
        ("age", Cue.Age), ("iama", Cue.IAmA), ("activity", Cue.Activity), ("intro", Cue.Introduction), ("mine", Cue.Mine),
    ];

    // ---- building blocks of the cue pattern (all matched case-insensitively) ----
    private const string I = @"(?<![\w'])i";
    private const string IM = @"(?<![\w'])(?:i'm|im|i\s+am)";
    private const string ID = @"(?<![\w'])(?:i'd|i\s+would)";
    private const string IVE = @"(?<![\w'])(?:i've|ive|i\s+have)\s+been";
    private const string AdvWords =
        @"really|truly|definitely|absolutely|totally|genuinely|certainly|seriously|strongly|honestly|actually|just|also|still|"
        + @"generally|usually|mostly|personally|sometimes|occasionally|often|kind\s+of|kinda|sort\s+of|sorta|probably|possibly|"
        + @"maybe|perhaps|somewhat|quite|especially|particularly|much|even|currently|now|do|always|very\s+much|so|too|already|pretty|mainly|only";
    private const string ADV = @"(?:\s+(?:" + AdvWords + @")){0,4}";
    private const string AdvNoAlways =
        @"(?:\s+(?:really|truly|definitely|absolutely|just|also|still|almost|nearly|pretty\s+much|basically|literally|honestly|actually|generally|usually|mostly|personally)){0,3}";
    private const string AdvAfterNot = @"(?:\s+(?:really|just|even|particularly|especially|actually|ever|much|like))?";
    private const string NOT = @"(?:do\s+not|don't|dont|don\s+t|do\s+n't)";

    private const string CuePattern =
        @"\G(?<![\w'])(?=[im])(?:(?<neglike>" + I + ADV + @"\s+" + NOT + AdvAfterNot + @"\s+(?:like|enjoy|love|care\s+(?:much\s+)?for)\b)"
        + @"|(?<negdo>" + I + ADV + @"\s+" + NOT + AdvAfterNot + @"(?=\s+(?:eat|drink|smoke|use|watch|wear|cook|party|drive|play|travel|believe\s+in|read)\b))"
        + @"|(?<hate>" + I + ADV + @"\s+(?:hate|dislike|detest|loathe|despise|abhor|avoid|(?:can't|cannot|can\s+not|cant)\s+stand)\b)"
        + @"|(?<notfan>" + IM + ADV + @"\s+not" + ADV + @"\s+(?:(?:a\s+)?(?:big\s+|huge\s+|great\s+)?fan\s+of|into|fond\s+of|big\s+on|keen\s+on)\b"
        + @")"
        + @"|(?<afraid>" + IM + ADV + @"\s+(?:scared|afraid|terrified|frightened)\s+of\b)"
        + @"|(?<never>" + I + ADV + @"\s+never\b(?:\s+ever\b)?" + ADV + @")"
        + @"|(?<prefer>" + I + ADV + @"\s+prefer\b|" + ID + ADV + @"\s+(?:prefer|rather)\b)"
        + @"|(?<like>" + I + ADV + @"\s+(?:like|love|enjoy|adore)\b)"
        + @"|(?<fan>" + IM + ADV + @"\s+(?:(?:a\s+)?(?:big\s+|huge\s+|great\s+|massive\s+|real\s+)?(?:fan|lover)\s+of|into|fond\s+of|obsessed\s+with|crazy\s+about|keen\s+on)\b)"
        + @"|(?<always>" + I + AdvNoAlways + @"\s+always\b)"
        + @"|(?<name>(?<![\w'])my\s+(?:first\s+|full\s+)?name\s+is\b|(?<![\w'])my\s+names?'?s\b|" + IM + @"\s+called\b|" + I + @"\s+go\s+by\b)"
        + @"|(?<location>" + I + ADV + @"\s+(?:live|reside)\s+(?:in|on)\b|" + IM + ADV + @"\s+(?:living|based|residing)\s+(?:in|on)\b|" + I + ADV + @"\s+(?:moved|relocated)\s+to\b)"
        + @"|(?<origin>" + IM + ADV + @"\s+(?:originally\s+)?from\b|" + I + ADV + @"\s+(?:originally\s+)?(?:come|hail)\s+from\b)"
        + @"|(?<occupation>" + I + ADV + @"\s+work(?:ing)?\s+as\b|" + IM + ADV + @"\s+(?:working|employed)\s+as\b|(?<![\w'])my\s+(?:job|profession|occupation)\s+is\b)"
        + @"|(?<jobstatus>" + IM + ADV + @"(?=\s+(?:retired|unemployed|self[\s-]employed|a\s+stay[\s-]at[\s-]home\s+(?:mom|dad|mother|father|parent)|a\s+(?:full[\s-]time\s+|part[\s-]time\s+)?(?:college|university|high\s+school|grad|graduate|phd|medical|law)\s+student)\b))"
        + @"|(?<workplace>" + I + ADV + @"\s+work\s+(?:at|for|in)\b|" + IM + ADV + @"\s+(?:working|employed)\s+(?:at|for|in)\b)"
        + @"|(?<becomegoal>(?:" + I + ADV + @"\s+(?:want|hope|plan|aspire|dream|intend)\s+to|" + ID + @"\s+(?:like|love)\s+to|" + IM + ADV + @"\s+(?:going|studying|training|planning|hoping|working|in\s+(?:college|school|university))\s+to|" + I + @"\s+have\s+a\s+dream\s+to|(?<![\w'])my\s+(?:life\s+)?(?:goal|dream|ambition|plan)\s+is\s+to)\s+(?:be|become)(?:\s+an?)?(?=\s+\w))"
        + @"|(?<goal>(?<![\w'])my\s+(?:main\s+|big\s+|current\s+|life\s+|biggest\s+)?(?:goal|dream|ambition)\s+is\s+to\b|" + I + ADV + @"\s+dream\s+(?:of|about)\b)"
        + @"|(?<interest>" + IM + ADV + @"\s+(?:working\s+on|interested\s+in|learning|studying|passionate\s+about|fascinated\s+by|curious\s+about|practi[cs]ing|getting\s+into|trying\s+to\s+learn|teaching\s+myself|training\s+for|preparing\s+for|majoring\s+in|taking\s+(?:a\s+|some\s+)?(?:class|classes|course|courses|lessons)\s+(?:in|on)|into\s+learning)\b"
        + @"|" + IVE + ADV + @"\s+(?:working\s+on|interested\s+in|learning|studying|practi[cs]ing|teaching\s+myself)\b"
        + @"|" + I + ADV + @"\s+(?:study|want\s+to\s+learn|majored\s+in)\b|(?<![\w'])my\s+(?:college\s+)?major\s+(?:is|was)(?:\s+in)?\b)"
        + @"|(?<degree>" + I + ADV + @"\s+(?:have|hold|got|earned|finished|completed)\s+(?:a|an|my)\s+(?:\w+'?s?\s+)?(?:degree|masters?|master's|bachelors?|bachelor's|phd|doctorate|diploma)\s+in\b)"
        + @"|(?<hobby>(?<![\w'])my\s+(?:main\s+|favou?rite\s+|big(?:gest)?\s+)?(?:hobby|hobbies|passion|passions)\s+(?:is|are|include|includes)\b)"
        + @"|(?<favorite>(?<![\w'])my\s+(?:all[\s-]time\s+|absolute\s+)?fav(?:ou?rite|e)?\b(?:\s+[a-z]+){0,3}?\s+(?:is|are|has\s+to\s+be|would\s+be)\b)"
        + @"|(?<age>" + IM + @"\s+(?:an?\s+)?(?<n>\d{1,3})(?:\s*(?:[\s-]years?[\s-]old|\s*yrs?\s+old|\s+years?\s+of\s+age|\s*y/?o)\b|(?=\s*(?:[,.!;]|$|\s+(?:and|so|now|but|this|next|going|turning)\b))))"
        + @"|(?<iama>" + IM + ADV + @"\s+an?\b)"
        + @"|(?<activity>" + I + ADV + @"(?=\s+(?:play|watch|read|collect|listen\s+to|eat|drink|cook|bake|paint|draw|knit|sew|hike|swim|surf|ski|fish|hunt|sing|dance|volunteer|ride|build|write|run|garden|go\s+\w+ing)\b))"
        + @"|(?<intro>" + IM + @"(?=\s+[a-z][a-z'-]{1,20}\b)))";

    /// <summary>Cues that only count at the start of a sentence: "Not a fan of X", "Mine is X" (after a favourite question).</summary>
    private const string SentenceStartPattern =
        @"^[\s,]*(?:(?<notfan>(?:(?:but|and|though|honestly|really|definitely|also|just)[\s,]+){0,2}not\s+(?:really\s+)?(?:a\s+)?(?:big\s+|huge\s+|great\s+)?fan\s+of\b)"
        + @"|(?<mine>(?:(?:and|oh|well|ok|okay|haha|lol|hmm)[\s,]+){0,2}mine(?:\s+is|\s+are|'s|\s+would\s+be|\s+has\s+to\s+be)\b))";

    [GeneratedRegex(SentenceStartPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex SentenceStartRegex();

    /// <summary>"X is my favourite (colour)", "X is my passion", "X is not my thing": the thing comes before the cue.</summary>
    [GeneratedRegex(
        @"(?<x>[^,;:.!?""()]{1,80}?)\s+(?:is|are|was|'s)\s+(?:definitely\s+|probably\s+|also\s+|really\s+|totally\s+|still\s+|just\s+)?(?:(?<pos>(?:my|our)\s+(?:all[\s-]time\s+|absolute\s+|very\s+|personal\s+|most\s+|new\s+)?(?:fav(?:ou?rite|e)?|preferred)\b)|(?<int>my\s+(?:passion|hobby|hobbies|obsession)\b)|(?<neg>(?:my\s+)?least\s+fav(?:ou?rite|e)?\b|not\s+(?:really\s+)?(?:my\s+thing|for\s+me|my\s+cup\s+of\s+tea|my\s+forte|my\s+fav(?:ou?rite|e)?)\b))",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ThingFirstRegex();

    [GeneratedRegex(@"^(?:(?:yes|yeah|yep|yup|well|oh|i\s+think|i\s+guess|i\s+believe|i\s+suppose|honestly|definitely|and|but|so|also|ok|okay|lol|haha|hmm|wow|i\s+know|i\s+mean|because|cause|though|although|since|now|then|plus|actually|really|for\s+me|personally|probably|maybe|perhaps|i\s+would\s+say|i'd\s+say)\b[\s,]*)+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingDiscourseRegex();

    [GeneratedRegex(@"\b(?:i|i'm|im|you|he|she|we|they|there|here|what|which|who)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectWordRegex();

    /// <summary>Tried only where <see cref="CueStartRegex"/> found an "I"/"my" (anchored with \G): much cheaper than scanning every position.</summary>
    private static readonly Regex CuePatternRegex = new(CuePattern,
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled);

    private static Regex CueRegex() => CuePatternRegex;

    [GeneratedRegex(@"(?<![\w'])(?:i|im|ive|my)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CueStartRegex();

    /// <summary>"Never X" / "Always X" as an instruction at the start of a sentence.</summary>
    [GeneratedRegex(@"^[\s\-*•>#\d.)]*(?:(?:please|pls|and|also|but|so|oh|ok|okay|btw|just|remember|note|reminder|again)\b[\s,:]*){0,3}(?:to\s+)?(?<kind>never|always)\b(?:\s*,?\s*ever\b)?(?:\s*,)?",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ImperativeRegex();

    /// <summary>Where the thing a cue talks about ends: a clause joiner, a new subject, or clause punctuation.</summary>
    [GeneratedRegex(
        @"\s+(?:but|because|cause|cuz|since|although|though|while|whereas|unless|until|when|whenever|if|so\s+that|which|who|where|as\s+long\s+as|except|and\s+then|btw|whereas|plus|yet)\b"
        + @"|\s+(?:and|or)\s+(?=(?:i|i'm|im|i've|i'd|i'll|my|me|you|your|he|she|we|they|it|it's|that|this|there|never|also|then|so|now|not|always)\b)"
        + @"|\s+so\b|\s+(?:what|how)\s+(?:about|is|are|do|does|did|was)\b"
        + @"|\s+(?=(?:i|i'm|im|i've|ive|i'll|i'd)\s)"
        + @"|\s+(?=(?:it|it's|its|that|this|there|they|he|she|we)\s+(?:is|are|was|were|has|have|s|will|would|can|makes?|gets?|keeps?|helps?)\b)"
        + @"|\s*,\s*(?=(?:and|but|so|or|because|cause|since|though|although|which|who|whereas|while|when|if|then|plus|i|i'm|im|i've|i'd|i'll|you|he|she|we|they|it|it's|that|this|there|my|what|how|why|anyway|lol|haha|thanks|thank|please|especially|except|not|unlike|as|do|does|did|is|are|was|can|could|would|will|yes|no|ok|okay|right|well|oh|though|tho)\b)"
        + @"|\s+[-–—]+\s+|\s*[:;\[\]{}]|(?<!\b(?:mr|mrs|ms|dr|prof|st|jr|sr|mt|e\.g|i\.e))\s*[.!?…]+(?:\s|$)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex BoundaryRegex();

    [GeneratedRegex(@"\s+(?:over|than|rather\s+than|instead\s+of)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PreferComparisonRegex();

    [GeneratedRegex(@"\s+(?:with|since|for|from|at\s+the\s+moment|right\s+now|now|currently|recently)\b|\s+(?:a\s+few|a\s+couple(?:\s+of)?|\d+|one|two|three|four|five|six|several|many|some)\s+(?:days?|weeks?|months?|years?)\s+ago\b|\s+(?:last|this|next)\s+(?:year|month|week|summer|winter|spring|fall|autumn)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlaceEndRegex();

    [GeneratedRegex(@"\s+(?:at|in|for|with|from|since|and|or|who|by|on)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OccupationEndRegex();

    [GeneratedRegex(@"^(?<occ>\S.{0,80}?)\s+by\s+(?:profession|trade)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex ByProfessionRegex();

    /// <summary>Quoted or code text: cues inside it are somebody else's words (or code), not the user's.</summary>
    [GeneratedRegex(@"```[\s\S]*?```|`[^`\n]{0,2000}`|""[^""]{0,4000}""|(?<![\w])'[^'\n]{1,500}'(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedRegex();

    [GeneratedRegex(
        @"\b(?:maybe|perhaps|sometimes|probably|possibly|occasionally|kind\s+of|kinda|sort\s+of|sorta|i\s+guess|i\s+suppose|i\s+think|i\s+believe|i\s+reckon|i\s+feel\s+like|not\s+(?:really\s+|totally\s+|entirely\s+)?sure|might|somewhat|at\s+times|now\s+and\s+then|once\s+in\s+a\s+while|apparently|more\s+or\s+less|i\s+assume|i\s+imagine)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HedgeRegex();

    [GeneratedRegex(@"^[\s,;-]*(?:i\s+guess|i\s+think|i\s+suppose|i\s+believe|i\s+reckon|maybe|probably|perhaps|sometimes|kind\s+of|sort\s+of)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrailingHedgeRegex();

    [GeneratedRegex(@"\b(?:really|definitely|absolutely|truly|totally|genuinely|certainly|seriously|strongly|always|especially|particularly|so\s+much|very\s+much)\b|\bdo\s+(?!not\b|n't\b)(?=\w)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EmphaticRegex();

    /// <summary>Conditional or hypothetical context earlier in the sentence: "if I like it", "whether I prefer".</summary>
    [GeneratedRegex(@"\b(?:if|unless|whether|in\s+case|suppose|supposing|imagine|pretend|wish)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConditionalRegex();

    /// <summary>Reported speech or somebody else's belief right before the "I": "she said I love jazz", "they think I hate it".</summary>
    [GeneratedRegex(
        @"\b(?:said|says|say|told|tells|tell|asked|asks|ask|claims?|claimed|insists?|insisted|thinks|thought|believes|believed|wrote|writes|mentioned|mentions|assumes?|assumed|knows|knew|heard|hears|pretends?|pretended)\b(?:\s+(?:me|him|her|us|them|you|everyone|everybody))?(?:\s+that)?[\s,:""']*$"
        + @"|(?<![\w'])(?!i\b)[\w']+\s+(?:think|believe|guess|suppose|feel|reckon)(?:\s+that)?[\s,]*$"
        + @"|\b(?:don't|do\s+not|dont|didn't|did\s+not)\s+(?:think|believe|feel)(?:\s+that|\s+like)?[\s,]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReportedRegex();

    [GeneratedRegex(
        @"(?:[\s,]+(?:please|pls|plz|thanks|thank\s+you|a\s+lot|a\s+ton|lots|very\s+much|so\s+much|too\s+much|much|too|as\s+well|also|though|tho|anyway|anyways|at\s+all|either|lol|lmao|haha+|hehe+|now|right\s+now|anymore|any\s+more|these\s+days|nowadays|at\s+the\s+moment|currently|btw|by\s+the\s+way|really|actually|honestly|in\s+general|generally|i\s+think|i\s+guess|i\s+suppose|i\s+believe|maybe|perhaps|probably|sometimes|occasionally|myself|ever|for\s+sure|of\s+course|definitely|absolutely|these\s+days|most\s+of\s+the\s+time|mostly|usually|and|or|but|then|:\)|:-\)|:d|;\))(?![\w]))+[\s.,!?]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TrailingFillerRegex();

    [GeneratedRegex(@"^[\s,.!-]*(?:(?:hi|hello|hey|hiya|howdy|greetings|yo|good\s+(?:morning|afternoon|evening)|(?:nice|pleased|glad)\s+to\s+meet\s+you(?:\s+too)?|well|so|ok|okay|oh|and|there|everyone|all|guys|folks)\b[\s,.!-]*)*$|\b(?:nice|pleased|glad)\s+to\s+meet\s+you\b[\s,.!-]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GreetingRegex();

    [GeneratedRegex(@"^(?:(?:big|huge|massive|great|real|true|die[\s-]hard|long[\s-]time)\s+)*(?<x>\S.{0,80}?)\s+(?:fan|lover|buff|enthusiast|nerd|geek|addict)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex FanSuffixRegex();

    [GeneratedRegex(@"\b(?:you|your|yours|you're|u|ur)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex YouRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();

    private static readonly HashSet<string> GuardWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "do", "does", "did", "don't", "doesn't", "didn't", "dont", "doesnt", "didnt", "if", "whether", "unless",
        "how", "what", "when", "where", "who", "whom", "which", "whatever", "should", "would", "could",
        "can", "will", "shall", "may", "might", "must", "than", "not", "once", "till", "until", "whenever",
        "wherever", "am", "are", "is",
    };

    /// <summary>Objects that carry no information on their own ("I love it", "I like you").</summary>
    private static readonly HashSet<string> EmptyObjects = new(StringComparer.Ordinal)
    {
        "it", "that", "this", "them", "they", "him", "her", "you", "ya", "u", "those", "these", "one", "ones", "me",
        "us", "everything", "anything", "something", "nothing", "all", "both", "some", "none", "so", "too", "that one",
        "this one", "it all", "you guys", "y'all", "em", "'em", "there", "here", "what", "which", "stuff", "things",
        "lot", "either", "neither", "to", "doing it", "doing that", "do it", "do that", "yours", "mine", "myself", "yourself", "no", "yes",
        "not", "well", "ok", "okay", "same", "more", "less", "most", "least", "much", "many", "other", "others",
        "people", "way", "idea", "thing", "kind", "sort", "type", "bit", "little", "big", "very",
    };

    /// <summary>First words that mean the cue was not a memory ("I like how you...", "I hate to say", "I never thought").</summary>
    private static readonly HashSet<string> BadFirstWords = new(StringComparer.Ordinal)
    {
        "you", "your", "yours", "you're", "it", "it's", "its", "that", "that's", "this", "these", "those", "how", "what",
        "when", "where", "why", "who", "which", "whether", "if", "whatever", "whoever", "said", "say", "saying",
        "thought", "think", "thinking", "knew", "know", "known", "mean", "meant", "ask", "asked", "tell", "told",
        "admit", "realize", "realized", "realise", "realised", "expected", "imagined", "guessed", "understood",
        "heard", "noticed", "saw", "seen", "been", "was", "were", "had", "did", "done", "got", "gotten", "mind",
        "bother", "interrupt", "agree", "disagree", "believe", "imagine", "wonder", "suppose", "guess", "would",
        "could", "should", "can", "will", "shall", "might", "must", "may", "is", "are", "am", "be", "being", "a",
        "an", "the", "but", "and", "or", "so", "not", "no", "yes", "again", "ever", "nevermind", "got", "went",
        "gone", "came", "come", "made", "tried", "used", "wanted", "felt", "found", "get", "getting", "mention",
        "break", "disappoint", "hear", "see", "sound", "admit", "point", "add", "clarify", "correct", "intrude",
        "he", "she", "they", "we", "i", "i'm", "his", "her", "their", "our", "him", "them", "us", "me", "there",
        "here", "too", "very", "much", "more", "less", "about", "anyway", "lol", "haha",
    };

    /// <summary>Words that would read as an adjective, not a verb, after an instruction-like "Always ..." ("Always a pleasure").</summary>
    private static readonly HashSet<string> NotImperativeStarts = new(StringComparer.Ordinal)
    {
        "my", "on", "in", "at", "with", "for", "good", "nice", "great", "fun", "happy", "busy", "late", "early",
        "ready", "glad", "same", "the", "a", "an", "so", "fine", "sure", "right", "true", "there", "here", "tired",
        "hungry", "been", "have", "has", "had",
    };

    private static readonly HashSet<string> VerbsEndingInEd = new(StringComparer.Ordinal)
    {
        "need", "feed", "proceed", "exceed", "embed", "succeed", "shred", "speed", "bleed", "breed", "heed", "seed",
        "weed", "wed", "bed", "shed", "plead",
    };

    /// <summary>Head nouns read as an occupation after "I'm a/an ...".</summary>
    private static readonly HashSet<string> OccupationWords = new(StringComparer.Ordinal)
    {
        "teacher", "nurse", "doctor", "engineer", "developer", "programmer", "coder", "designer", "lawyer", "attorney",
        "accountant", "student", "chef", "cook", "writer", "author", "artist", "musician", "photographer", "scientist",
        "researcher", "professor", "lecturer", "pilot", "mechanic", "electrician", "plumber", "carpenter", "farmer",
        "firefighter", "fireman", "officer", "cop", "policeman", "policewoman", "soldier", "dentist", "pharmacist",
        "veterinarian", "vet", "therapist", "psychologist", "psychiatrist", "surgeon", "architect", "analyst",
        "consultant", "manager", "cashier", "waiter", "waitress", "server", "bartender", "barista", "driver",
        "trucker", "journalist", "reporter", "editor", "librarian", "baker", "butcher", "hairdresser", "barber",
        "stylist", "janitor", "secretary", "receptionist", "clerk", "salesman", "saleswoman", "salesperson",
        "realtor", "banker", "economist", "translator", "interpreter", "tutor", "coach", "trainer", "paramedic",
        "technician", "contractor", "entrepreneur", "freelancer", "actor", "actress", "singer", "dancer",
        "athlete", "fisherman", "miner", "welder", "machinist", "tailor", "intern", "nanny", "babysitter",
        "caregiver", "housekeeper", "homemaker", "housewife", "retiree", "accountant", "administrator", "instructor",
        "mathematician", "physicist", "chemist", "biologist", "geologist", "pianist", "guitarist", "drummer",
        "composer", "producer", "director", "filmmaker", "painter", "sculptor", "illustrator", "animator",
        "marketer", "recruiter", "broker", "trader", "investor", "auditor", "paralegal", "judge", "detective",
        "guard", "sheriff", "marine", "sailor", "veteran", "surveyor", "optometrist", "physician", "pediatrician",
        "midwife", "caretaker", "counselor", "counsellor", "social worker", "worker", "lifeguard", "mailman",
        "postman", "courier", "landscaper", "gardener", "florist", "jeweler", "jeweller", "tattooist", "model",
        "blogger", "youtuber", "streamer", "influencer", "comedian", "magician", "clown", "preacher", "pastor",
        "priest", "minister", "rabbi", "imam", "nun", "monk", "politician", "senator", "mayor", "ceo", "cto",
        "founder", "owner", "supervisor", "foreman", "labourer", "laborer", "assistant", "agent", "programer",
        "undergrad", "undergraduate", "postdoc", "phd", "grad", "scholar", "apprentice", "plumber", "roofer",
        "lumberjack", "rancher", "cowboy", "zookeeper", "astronaut", "statistician", "mortician", "surgeon",
        "dietitian", "nutritionist", "chiropractor", "hygienist", "radiologist", "anesthesiologist", "pathologist",
        "teller", "bookkeeper", "copywriter", "screenwriter", "novelist", "poet", "linguist", "historian",
        "archaeologist", "anthropologist", "sociologist", "psychologist", "admin", "sysadmin", "dev", "tester",
    };

    private readonly record struct CueHit(Cue Cue, int Start, int End, string Text, bool Greeting = false);

    /// <summary>Extracts the memories stated in <paramref name="userMessage"/>; an empty list when there are none.</summary>
    public static IReadOnlyList<ExtractedMemory> Extract(string userMessage)
    {
        if (string.IsNullOrWhiteSpace(userMessage)) return [];

        var text = Prepare(userMessage);
        var quoted = FindQuotedSpans(text);
        var results = new List<ExtractedMemory>();
        var index = new Dictionary<(string, string), int>();

        foreach (var (start, end) in SplitSentences(text, quoted))
        {
            var sentence = text.Substring(start, end - start);
            if (IsQuestion(sentence)) continue;
            var favouriteContext = start > 0 && text.AsSpan(0, start).Contains("fav", StringComparison.OrdinalIgnoreCase);
            ExtractFromSentence(sentence, start, quoted, favouriteContext, results, index);
        }

        return results;
    }

    // ------------------------------------------------------------------ preparation

    private static string Prepare(string message)
    {
        var length = Math.Min(message.Length, MaxInputLength);
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
        return sb.ToString();
    }

    private static List<(int Start, int End)> FindQuotedSpans(string text)
    {
        var spans = new List<(int, int)>();
        foreach (Match m in QuotedRegex().Matches(text)) spans.Add((m.Index, m.Index + m.Length));
        return spans;
    }

    private static bool InSpan(List<(int Start, int End)> spans, int position)
    {
        foreach (var (s, e) in spans)
        {
            if (position < s) return false; // spans are in order
            if (position < e) return true;
        }
        return false;
    }

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "eg", "ie", "no", "mt", "ft", "approx", "dept", "inc", "ltd", "co",
    };

    /// <summary>Sentences: split on . ! ? … (when followed by a space or the end), on ';' and on line breaks; never inside quotes.</summary>
    private static IEnumerable<(int Start, int End)> SplitSentences(string text, List<(int Start, int End)> quoted)
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
        return Abbreviations.Contains(word) || (word.Length == 1 && char.IsUpper(word[0]) && word != "I");
    }

    private static bool IsQuestion(string sentence)
    {
        for (var i = sentence.Length - 1; i >= 0; i--)
        {
            var c = sentence[i];
            if (char.IsWhiteSpace(c) || c is '"' or '\'' or ')' or ']') continue;
            return c == '?' || (c is '.' or '!' or '…' && sentence.AsSpan(0, i + 1).TrimEnd(".!…").EndsWith("?"));
        }
        return false;
    }

    // ------------------------------------------------------------------ per sentence

    private static void ExtractFromSentence(
        string sentence, int offset, List<(int Start, int End)> quoted, bool favouriteContext,
        List<ExtractedMemory> results, Dictionary<(string, string), int> index)
    {
        var hits = new List<CueHit>();

        var imperative = ImperativeRegex().Match(sentence);
        if (imperative.Success && !InSpan(quoted, offset + imperative.Index + imperative.Length - 1))
        {
            var kind = imperative.Groups["kind"].Value.Equals("never", StringComparison.OrdinalIgnoreCase)
                ? Cue.ImperativeNever : Cue.ImperativeAlways;
            hits.Add(new CueHit(kind, imperative.Index, imperative.Index + imperative.Length, imperative.Value));
        }

        var atStart = SentenceStartRegex().Match(sentence);
        if (atStart.Success && hits.Count == 0)
            hits.Add(new CueHit(atStart.Groups["mine"].Success ? Cue.Mine : Cue.NotFan, atStart.Index, atStart.Index + atStart.Length, atStart.Value));

        foreach (Match candidate in CueStartRegex().Matches(sentence))
        {
            if (hits.Count > 0 && candidate.Index < hits[^1].End) continue;
            var m = CueRegex().Match(sentence, candidate.Index);
            if (!m.Success) continue;
            foreach (var (group, cue) in CueGroups)
            {
                if (!m.Groups[group].Success) continue;
                var text = m.Value;
                if (cue == Cue.Age) text = m.Groups["n"].Value;
                var greeting = cue == Cue.Introduction && m.Index <= 120 && GreetingRegex().IsMatch(sentence.AsSpan(0, m.Index));
                hits.Add(new CueHit(cue, m.Index, m.Index + m.Length, text, greeting));
                break;
            }
        }

        var previousEnd = 0;
        for (var h = 0; h < hits.Count; h++)
        {
            var hit = hits[h];
            var limit = h + 1 < hits.Count ? hits[h + 1].Start : sentence.Length;
            var objectEnd = FindObjectEnd(sentence, hit.End, limit);
            var windowStart = previousEnd;
            previousEnd = Math.Max(previousEnd, objectEnd);

            if (InSpan(quoted, offset + hit.Start)) continue;

            var prefix = sentence.Substring(windowStart, hit.Start - windowStart);
            if (hit.Cue is not (Cue.ImperativeNever or Cue.ImperativeAlways) && !SubjectIsTheUser(sentence, hit.Start)) continue;

            if (hit.Cue == Cue.Mine && !favouriteContext) continue;
            var rawObject = hit.Cue == Cue.Age ? hit.Text : sentence.Substring(hit.End, objectEnd - hit.End);
            var memory = Interpret(hit, rawObject, out var hedgedByObject);
            if (memory is null) continue;

            var clausePrefix = LastClause(prefix);
            var hedged = hedgedByObject || HedgeRegex().IsMatch(clausePrefix) || HedgeRegex().IsMatch(hit.Text)
                         || HedgeRegex().IsMatch(rawObject) || TrailingHedgeRegex().IsMatch(sentence.AsSpan(objectEnd));
            var confidence = hedged ? HedgedConfidence : memory.Confidence;
            Add(results, index, memory with { Confidence = confidence });
        }

        foreach (Match m in ThingFirstRegex().Matches(sentence))
        {
            if (InSpan(quoted, offset + m.Index + m.Length - 1)) continue;
            var x = LastClause(m.Groups["x"].Value);
            var hedged = HedgeRegex().IsMatch(x) || HedgeRegex().IsMatch(sentence.AsSpan(m.Index + m.Length));
            x = LeadingDiscourseRegex().Replace(TrimPunctuation(x), "");
            if (x.Length == 0 || SubjectWordRegex().IsMatch(x) || x.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 6) continue;
            if (ConditionalRegex().IsMatch(sentence.AsSpan(0, m.Index + m.Length))) continue;
            var type = m.Groups["neg"].Success ? MemoryTypes.NegativePreference
                : m.Groups["int"].Success ? MemoryTypes.Interest : MemoryTypes.Preference;
            var memory = Thing(type, x, ExplicitConfidence);
            if (memory is null) continue;
            Add(results, index, hedged ? memory with { Confidence = HedgedConfidence } : memory);
        }
    }

    /// <summary>The "I" of a cue must be the speaker: not reported speech, not a question or conditional, not somebody else's belief.</summary>
    private static bool SubjectIsTheUser(string sentence, int cueStart)
    {
        // The word right before the cue.
        var p = cueStart - 1;
        while (p >= 0 && !char.IsLetterOrDigit(sentence[p]) && sentence[p] != '\'') p--;
        var e = p + 1;
        while (p >= 0 && (char.IsLetterOrDigit(sentence[p]) || sentence[p] == '\'')) p--;
        if (e > p + 1 && GuardWords.Contains(sentence.Substring(p + 1, e - p - 1))) return false;

        // Look back at most 160 characters: keeps the guards linear on long sentences.
        var from = Math.Max(0, cueStart - 160);
        var before = sentence.Substring(from, cueStart - from);
        if (ConditionalRegex().IsMatch(before)) return false;
        return !ReportedRegex().IsMatch(before);
    }

    private static string LastClause(string prefix)
    {
        var last = 0;
        foreach (Match m in BoundaryRegex().Matches(prefix)) last = m.Index + m.Length;
        return prefix[last..];
    }

    private static int FindObjectEnd(string sentence, int from, int limit)
    {
        // Skip a leading ':' / ',' / '-' ("My name is: Ana").
        var s = from;
        while (s < limit && (char.IsWhiteSpace(sentence[s]) || sentence[s] is ':' or ',' or '-' or '–' or '—')) s++;
        if (s >= limit) return limit;
        var m = BoundaryRegex().Match(sentence, s, limit - s);
        return m.Success ? m.Index : limit;
    }

    // ------------------------------------------------------------------ interpretation

    private static ExtractedMemory? Interpret(CueHit hit, string rawObject, out bool hedged)
    {
        hedged = false;
        var emphatic = IsEmphatic(hit);
        var level = emphatic ? EmphaticConfidence : ExplicitConfidence;
        var value = CleanValue(rawObject, out var trailingHedge);
        hedged = trailingHedge;
        if (value.Length == 0) return null;

        switch (hit.Cue)
        {
            case Cue.Name:
                return Personal(PersonalInfoKeys.Name, NameValue(value), ExplicitConfidence);
            case Cue.Location:
                return Personal(PersonalInfoKeys.Location, CutAt(value, PlaceEndRegex()),
                    hit.Text.Contains("moved", StringComparison.OrdinalIgnoreCase) || hit.Text.Contains("relocated", StringComparison.OrdinalIgnoreCase)
                        ? IndirectConfidence : ExplicitConfidence);
            case Cue.Origin:
                return Personal(PersonalInfoKeys.Origin, CutAt(value, PlaceEndRegex()), IndirectConfidence);
            case Cue.Occupation:
            {
                var occ = DropArticle(value);
                var by = ByProfessionRegex().Match(occ);
                if (by.Success) occ = by.Groups["occ"].Value;
                return Personal(PersonalInfoKeys.Occupation, CutAt(occ, OccupationEndRegex()), ExplicitConfidence);
            }
            case Cue.Workplace:
                return Personal(PersonalInfoKeys.Workplace, CutAt(value, PlaceEndRegex()), IndirectConfidence);
            case Cue.Age:
                return int.TryParse(value, out var age) && age is > 0 and < 120
                    ? new ExtractedMemory(MemoryTypes.PersonalInfo, PersonalInfoKeys.Age, value, ExplicitConfidence)
                    : null;
            case Cue.IAmA:
            {
                var fan = FanSuffixRegex().Match(value);
                if (fan.Success) return Thing(MemoryTypes.Preference, fan.Groups["x"].Value, level);
                var by = ByProfessionRegex().Match(value);
                if (by.Success) return Personal(PersonalInfoKeys.Occupation, by.Groups["occ"].Value, ExplicitConfidence);
                var occ = OccupationFromNounPhrase(value);
                return occ is null ? null : Personal(PersonalInfoKeys.Occupation, occ, IndirectConfidence);
            }
            case Cue.Interest:
            case Cue.Hobby:
            case Cue.Goal:
                return Thing(MemoryTypes.Interest, value, level, dropHowTo: true);
            case Cue.Degree:
                return Thing(MemoryTypes.Interest, value, IndirectConfidence);
            case Cue.BecomeGoal:
            {
                var goal = Thing(MemoryTypes.Interest, CutAt(value, OccupationEndRegex()), level);
                return goal is null ? null : goal with { Key = Cap("become " + goal.Key, MaxKeyLength) };
            }
            case Cue.JobStatus:
            {
                var status = CutAt(DropArticle(value), OccupationEndRegex());
                return Personal(PersonalInfoKeys.Occupation, status, IndirectConfidence);
            }
            case Cue.Afraid:
                return Thing(MemoryTypes.NegativePreference, value, IndirectConfidence);
            case Cue.Activity:
            {
                if (YouRegex().IsMatch(value)) return null;
                var verb = FirstWord(value);
                var rest = value[verb.Length..].TrimStart();
                if (rest.Length == 0 && verb is not ("swim" or "surf" or "ski" or "hike" or "knit" or "sew" or "paint" or "draw" or "bake" or "cook" or "dance" or "sing" or "garden" or "fish" or "hunt" or "run" or "volunteer")) return null;
                if (rest.Length > 0 && BadFirstWords.Contains(FirstWord(rest)) && FirstWord(rest) is not ("a" or "an" or "the")) return null;
                return Thing(MemoryTypes.Preference, value, IndirectConfidence);
            }
            case Cue.Introduction:
                return Introduction(hit, value);
            case Cue.Favorite:
                return Thing(MemoryTypes.Preference, value, ExplicitConfidence);
            case Cue.Mine:
                return Thing(MemoryTypes.Preference, value, IndirectConfidence);
            case Cue.Fan:
                return Thing(MemoryTypes.Preference, value,
                    hit.Text.Contains("into", StringComparison.OrdinalIgnoreCase) ? IndirectConfidence : level);
            case Cue.Like:
                return Thing(MemoryTypes.Preference, value, level);
            case Cue.Prefer:
            {
                value = CutAt(value, PreferComparisonRegex());
                if (StartsWithWord(value, "not"))
                    return Thing(MemoryTypes.NegativePreference, value[3..].TrimStart(), level);
                return Thing(MemoryTypes.Preference, value, level);
            }
            case Cue.Always:
            case Cue.ImperativeAlways:
            {
                if (hit.Cue == Cue.ImperativeAlways && NotImperativeStarts.Contains(FirstWord(value))) return null;
                if (IsPastForm(FirstWord(value))) return null;
                var (stripped, _) = StripLikeVerb(value);
                return Thing(MemoryTypes.Preference, stripped, EmphaticConfidence);
            }
            case Cue.Never:
            case Cue.ImperativeNever:
            {
                var first = FirstWord(value);
                if (hit.Cue == Cue.ImperativeNever && NotImperativeStarts.Contains(first)) return null;
                var (stripped, wasLike) = StripLikeVerb(value);
                if (!wasLike && IsPastForm(first)) return null;
                return Thing(MemoryTypes.NegativePreference, stripped, EmphaticConfidence);
            }
            case Cue.NegLike:
            case Cue.NegDo:
            case Cue.Hate:
            case Cue.NotFan:
                return Thing(MemoryTypes.NegativePreference, value, IsEmphaticNegative(hit) ? EmphaticConfidence : ExplicitConfidence);
            default:
                return null;
        }
    }

    private static readonly HashSet<string> NotNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "good", "fine", "well", "ok", "okay", "great", "doing", "tired", "new", "here", "back", "so", "sorry", "bored",
        "happy", "sad", "not", "just", "also", "still", "really", "very", "from", "in", "at", "on", "going", "trying",
        "looking", "glad", "excited", "home", "busy", "sure", "alright", "awesome", "cool", "hungry", "married",
        "single", "retired", "divorced", "old", "young", "ready", "done", "pretty", "too", "thinking", "working",
        "learning", "studying", "actually", "currently", "always", "never", "all", "only", "afraid", "sick", "better",
        "ill", "late", "early", "fantastic", "wonderful", "excellent", "amazing", "blessed", "alive", "alone", "lonely",
        "stuck", "confused", "lost", "new", "interested", "curious", "sleepy", "stressed", "exhausted", "well", "grand",
        "terrible", "awful", "bad", "okay", "down", "up", "out", "off", "about", "almost", "finally", "now", "available",
        "free", "online", "ok", "american", "canadian", "british", "english", "german", "french", "italian", "spanish",
        "mexican", "brazilian", "indian", "chinese", "japanese", "korean", "russian", "polish", "dutch", "irish",
        "scottish", "welsh", "australian", "african", "asian", "european", "christian", "muslim", "jewish", "catholic",
        "hindu", "buddhist", "atheist", "portuguese", "swedish", "norwegian", "danish", "finnish", "greek", "turkish",
        "arab", "persian", "iranian", "israeli", "egyptian", "nigerian", "kenyan", "filipino", "vietnamese", "thai",
        "latino", "latina", "hispanic", "black", "white", "gay", "straight", "bi", "trans", "vegan", "vegetarian",
        "male", "female", "pregnant", "allergic", "human", "aware", "certain", "positive", "afraid", "able", "unable",
        "hoping", "planning", "getting", "having", "feeling", "making", "taking", "living", "based", "originally",
        "listening", "watching", "reading", "playing", "writing", "eating", "drinking", "waiting", "sitting", "relaxing",
        "excited", "nervous", "scared", "worried", "proud", "thankful", "grateful", "impressed", "surprised", "shocked",
        "the", "a", "an", "one", "that", "this", "it", "there", "what", "who", "like", "kind", "sort", "such", "more",
        "less", "most", "much", "too", "unemployed", "employed", "self", "older", "younger", "tall", "short", "big",
        "small", "fat", "thin", "skinny", "strong", "weak", "smart", "dumb", "shy", "outgoing", "introverted",
        "extroverted", "introvert", "extrovert", "quite", "rather", "somewhat", "kinda", "kind", "pretty", "super",
        "totally", "completely", "definitely", "probably", "maybe", "perhaps", "honestly", "literally", "basically",
        "glad", "pleased", "delighted", "hi", "hello", "hey", "yes", "no", "yeah", "nope", "thanks", "ready",
    };

    private static ExtractedMemory? Introduction(CueHit hit, string value)
    {
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length is 0 or > 2) return null;
        foreach (var w in words)
            if (NotNames.Contains(w) || !w.All(c => char.IsLetter(c) || c is '\'' or '-')) return null;
        var capitalised = words.All(w => char.IsUpper(w[0]));
        if (words.Length == 2 && !capitalised) return null;
        if (!capitalised && !hit.Greeting) return null;
        return Personal(PersonalInfoKeys.Name, value, IndirectConfidence);
    }

    private static bool IsEmphatic(CueHit hit) => EmphaticRegex().IsMatch(hit.Text);

    private static bool IsEmphaticNegative(CueHit hit)
    {
        // Only words before the negation count: "I really don't like" is emphatic, "I don't really like" is not.
        var text = hit.Text;
        var cut = text.IndexOf(" not", StringComparison.OrdinalIgnoreCase);
        var cut2 = text.IndexOf("n't", StringComparison.OrdinalIgnoreCase);
        if (cut < 0 || (cut2 >= 0 && cut2 < cut)) cut = cut2;
        return EmphaticRegex().IsMatch(cut >= 0 ? text[..cut] : text);
    }

    private static ExtractedMemory? Personal(string key, string value, double confidence)
    {
        value = TrimPunctuation(value);
        if (value.Length == 0) return null;
        var first = FirstWord(value);
        if (first is "not" or "no" || EmptyObjects.Contains(value.ToLowerInvariant())) return null;
        return new ExtractedMemory(MemoryTypes.PersonalInfo, key, Cap(value, MaxValueLength), confidence);
    }

    private static ExtractedMemory? Thing(string type, string value, double confidence, bool dropHowTo = false)
    {
        value = TrimPunctuation(value);
        var key = NormaliseKey(value, dropHowTo);
        if (key.Length == 0 || EmptyObjects.Contains(key)) return null;
        var first = FirstWord(key);
        if (BadFirstWords.Contains(first)) return null;
        if (key.StartsWith("the way ", StringComparison.Ordinal) || key.StartsWith("the fact ", StringComparison.Ordinal)) return null;
        return new ExtractedMemory(type, key, Cap(value, MaxValueLength), confidence);
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

    private static string CleanValue(string raw, out bool hedged)
    {
        hedged = false;
        if (raw.Length > 4 * MaxValueLength) raw = raw[..(4 * MaxValueLength)];
        var value = TrimPunctuation(WhitespaceRegex().Replace(raw, " "));
        for (var round = 0; round < 4; round++)
        {
            var m = TrailingFillerRegex().Match(value);
            if (!m.Success || m.Length == 0) break;
            if (HedgeRegex().IsMatch(m.Value)) hedged = true;
            value = TrimPunctuation(value[..m.Index]);
        }
        return Cap(value, MaxValueLength * 2);
    }

    private static string NameValue(string value)
    {
        var comma = value.IndexOf(',');
        if (comma >= 0) value = value[..comma];
        var words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kept = new List<string>();
        foreach (var w in words)
        {
            var lw = w.ToLowerInvariant();
            if (kept.Count >= 4 || lw is "and" or "but" or "by" or "from" or "i" or "i'm" or "im" or "btw" or "though" or "lol" or "haha" or "so") break;
            kept.Add(w);
        }
        return string.Join(' ', kept);
    }

    private static string? OccupationFromNounPhrase(string value)
    {
        var phrase = CutAt(value, OccupationEndRegex());
        var words = phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        var last = -1;
        for (var i = 0; i < Math.Min(words.Length, 4); i++)
        {
            var w = TrimPunctuation(words[i].ToLowerInvariant());
            if (w.EndsWith("'s", StringComparison.Ordinal)) break;
            if (OccupationWords.Contains(w) || w.EndsWith("ologist", StringComparison.Ordinal) || w.EndsWith("ician", StringComparison.Ordinal) || w.EndsWith("grapher", StringComparison.Ordinal))
                last = i;
        }
        if (last < 0) return null;
        // "a fan of ...", "a friend of a teacher": the occupation must be the head of the phrase, not after "of".
        for (var i = 0; i < last; i++) if (words[i].Equals("of", StringComparison.OrdinalIgnoreCase)) return null;
        return string.Join(' ', words, 0, last + 1);
    }

    private static (string Value, bool WasLike) StripLikeVerb(string value)
    {
        var first = FirstWord(value);
        if (first is "like" or "liked" or "likes" or "love" or "loved" or "loves" or "enjoy" or "enjoyed" or "enjoys")
            return (value[first.Length..].TrimStart(), true);
        if (value.StartsWith("cared for ", StringComparison.OrdinalIgnoreCase) || value.StartsWith("care for ", StringComparison.OrdinalIgnoreCase))
            return (value[(value.IndexOf(" for ", StringComparison.OrdinalIgnoreCase) + 5)..].TrimStart(), true);
        return (value, false);
    }

    private static bool IsPastForm(string word) =>
        word.Length > 3 && word.EndsWith("ed", StringComparison.Ordinal) && !VerbsEndingInEd.Contains(word)
        || word is "thought" or "knew" or "said" or "told" or "saw" or "seen" or "heard" or "been" or "had" or "was"
           or "were" or "did" or "done" or "got" or "gotten" or "went" or "gone" or "came" or "made" or "felt" or "found"
           or "understood" or "meant" or "took" or "taken" or "ate" or "eaten" or "drank" or "wrote" or "written"
           or "forgot" or "forgotten" or "bought" or "brought" or "caught" or "taught" or "met" or "won" or "lost"
           or "left" or "sat" or "ran" or "swam" or "sang" or "gave" or "given" or "kept" or "slept" or "spent" or "stood"
           or "mind" or "again" or "ever" or "once" or "before" or "mind," or "have" or "has";

    private static string FirstWord(string value)
    {
        var v = value.TrimStart();
        var end = 0;
        while (end < v.Length && !char.IsWhiteSpace(v[end]) && v[end] is not (',' or '.' or '!' or '?' or ';' or ':')) end++;
        return v[..end].ToLowerInvariant();
    }

    private static bool StartsWithWord(string value, string word) =>
        value.StartsWith(word, StringComparison.OrdinalIgnoreCase)
        && (value.Length == word.Length || !char.IsLetterOrDigit(value[word.Length]) && value[word.Length] != '\'');

    private static string DropLeading(string value, string word) =>
        StartsWithWord(value, word) && value.Length > word.Length ? value[word.Length..].TrimStart() : value;

    private static string DropArticle(string value)
    {
        foreach (var article in (ReadOnlySpan<string>)["a", "an", "the"])
            if (StartsWithWord(value, article) && value.Length > article.Length) return value[article.Length..].TrimStart();
        return value;
    }

    private static string CutAt(string value, Regex end)
    {
        var m = end.Match(value);
        return m.Success && m.Index > 0 ? TrimPunctuation(value[..m.Index]) : value;
    }

    /// <summary>Drops surrounding punctuation, but keeps a bracket whose partner is inside ("(short) summaries").</summary>
    private static string TrimPunctuation(string value)
    {
        var start = 0;
        var end = value.Length;
        while (start < end)
        {
            var c = value[start];
            if (Array.IndexOf(LeadingPunctuation, c) < 0) break;
            if (c is '(' or '[' or '{' && value.IndexOf(Closing(c), start + 1, end - start - 1) >= 0) break;
            start++;
        }
        while (end > start)
        {
            var c = value[end - 1];
            if (Array.IndexOf(TrailingPunctuation, c) < 0) break;
            if (c is ')' or ']' or '}' && value.IndexOf(Opening(c), start, end - start - 1) >= 0) break;
            end--;
        }
        return value[start..end];
    }

    private static char Closing(char c) => c switch { '(' => ')', '[' => ']', _ => '}' };

    private static char Opening(char c) => c switch { ')' => '(', ']' => '[', _ => '{' };

    private static readonly char[] LeadingPunctuation =
        [' ', '"', '\'', '(', '[', '{', ',', ':', ';', '-', '–', '—', '*', '_', '~', '…', '!', '?', '<', '>', '/', '\\', '|', '='];

    private static readonly char[] TrailingPunctuation =
        [' ', '"', '\'', ')', ']', '}', ',', ':', ';', '.', '!', '?', '…', '-', '–', '—', '*', '_', '~', '<', '>', '/', '\\', '|', '='];

    private static string Cap(string value, int max)
    {
        if (value.Length <= max) return value;
        var cut = value.LastIndexOf(' ', max);
        var capped = cut > max / 2 ? value[..cut] : value[..max];
        return TrimPunctuation(capped);
    }

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
