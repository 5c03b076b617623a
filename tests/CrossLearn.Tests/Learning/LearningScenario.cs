using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Learning;

/// <summary>Ways to build a population through the public API.</summary>
public static class LearningScenario
{
    /// <summary>The user says <paramref name="message"/>, then rates <paramref name="ratings"/> further turns.</summary>
    public static async Task TeachAsync(this AppFixture app, string user, string message, params bool[] ratings)
    {
        await app.PostTurnAsync(user, message);
        foreach (var success in ratings)
        {
            var turn = await app.PostTurnAsync(user, "Thanks, that helps.");
            await app.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success }, app.TokenFor(user), 204);
        }
    }

    public static bool[] Ratings(int successes, int failures) =>
        [.. Enumerable.Repeat(true, successes), .. Enumerable.Repeat(false, failures)];

    /// <summary>Runs the tasks with at most <paramref name="parallel"/> at a time.</summary>
    public static async Task InParallelAsync<T>(this IEnumerable<T> items, int parallel, Func<T, Task> action) =>
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (item, _) => await action(item));
}
