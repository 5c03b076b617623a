namespace CrossLearn.Benchmarks;

/// <summary>
/// Chat lines like a chat app would post: about a third say something about the user (a preference, a dislike,
/// an interest, a name), the rest ask for help. The AI answers are a few hundred characters.
/// </summary>
public static class Workload
{
    private static readonly string[] Drinks = ["tea", "coffee", "green tea", "espresso", "oat milk", "sparkling water", "hot chocolate", "herbal tea", "cold brew", "matcha"];
    private static readonly string[] Hobbies = ["jazz", "hiking", "chess", "sci-fi novels", "rock climbing", "baking", "photography", "gardening", "cycling", "board games",
        "podcasts", "running", "yoga", "painting", "birdwatching", "surfing", "knitting", "opera", "anime", "pottery"];
    private static readonly string[] Foods = ["fish", "mushrooms", "cilantro", "spicy food", "pork", "olives", "onions", "peanuts", "shellfish", "eggplant"];
    private static readonly string[] Names = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo"];
    private static readonly string[] Topics = ["recursion", "a hash map", "TCP slow start", "compound interest", "photosynthesis", "a B-tree index",
        "the French revolution", "sourdough fermentation", "garbage collection", "binary search", "inflation", "plate tectonics"];

    private static readonly string[] Teaching =
    [
        "I prefer {drink}. Can you suggest a breakfast to go with it?",
        "Honestly I love {hobby}. What should I try next weekend?",
        "I never eat {food}, so please leave it out of any recipe you give me.",
        "I'm really into {hobby} these days. Any tips for a beginner?",
        "My name is {name}. Can you help me write a short bio?",
        "I hate {food}. Suggest a dinner for four without it.",
        "I always drink {drink} when I work late. Is that a bad habit?",
        "I enjoy {hobby}. Could you plan a trip around it?"
    ];

    private static readonly string[] Asking =
    [
        "Can you explain how {topic} works, in simple terms?",
        "What is a good way to teach {topic} to a teenager?",
        "Summarize the main ideas behind {topic} in three bullet points.",
        "Thanks, that helps. Could you give one more example about {topic}?",
        "Rewrite this paragraph to be shorter: the meeting about {topic} ran long and we decided nothing.",
        "What are common mistakes people make with {topic}?"
    ];

    private const string AnswerSentences =
        "Here is a short answer. The key idea is to start from what you already know and build up one step at a time. " +
        "A small example usually helps more than a long definition, so try one first. " +
        "If something is unclear, ask again and I will go into more detail. " +
        "Most people find that practising for a few minutes each day works better than one long session. ";

    public static (string UserMessage, string AiResponse) Next(Random random)
    {
        var teaches = random.Next(3) == 0;
        var template = teaches ? Teaching[random.Next(Teaching.Length)] : Asking[random.Next(Asking.Length)];
        var message = template
            .Replace("{drink}", Drinks[random.Next(Drinks.Length)])
            .Replace("{hobby}", Hobbies[random.Next(Hobbies.Length)])
            .Replace("{food}", Foods[random.Next(Foods.Length)])
            .Replace("{name}", Names[random.Next(Names.Length)])
            .Replace("{topic}", Topics[random.Next(Topics.Length)]);
        // 200 to 800 characters of answer.
        var answer = AnswerSentences[..Math.Min(AnswerSentences.Length, 200 + random.Next(230))];
        if (random.Next(2) == 0) answer += AnswerSentences;
        return (message, answer);
    }

    /// <summary>Keys for seeded memories: the workload's plus a long tail, like real chat vocabulary.</summary>
    public static string[] Vocabulary(int size)
    {
        var words = Drinks.Concat(Hobbies).Concat(Foods).ToList();
        for (var i = 0; words.Count < size; i++) words.Add($"topic {i}");
        return words.ToArray();
    }

    /// <summary>A made-up word unique to <paramref name="n"/>: a pattern no one else holds.</summary>
    public static string ProbeWord(int run, int n)
    {
        var letters = new System.Text.StringBuilder("zorb");
        foreach (var v in new[] { run, n })
        {
            var x = v;
            do { letters.Append((char)('a' + x % 26)); x /= 26; } while (x > 0);
            letters.Append('q');
        }

        return letters.ToString();
    }
}
