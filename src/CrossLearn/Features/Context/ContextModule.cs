using System.Text;
using CrossLearn.Platform.Http;

namespace CrossLearn.Features.Context;

/// <summary>How long a context may be sent back with a turn, and how much it holds (configuration section <c>Context</c>).</summary>
public sealed class ContextSettings
{
    public const string Section = "Context";

    /// <summary>An answer is given seconds after its context is read; an hour leaves room for slow models and retries.</summary>
    public double LifetimeMinutes { get; set; } = 60;

    /// <summary>
    /// The user's memories in a context, the most confident first. A context goes into a prompt before every answer:
    /// it must stay small whatever the user has taught over the years (GET /api/me/memories lists them all).
    /// </summary>
    public int MaxMemories { get; set; } = 50;

    /// <summary>Global knowledge in a context, the highest ranked first (as /api/patterns orders them), not counting trials.</summary>
    public int MaxKnowledge { get; set; } = 20;

    /// <summary>Running experiments a user takes part in at once, the longest running first (arm-blind, so no bias).</summary>
    public int MaxExperiments { get; set; } = 50;

    /// <summary>
    /// Recommendations in a context (GET /api/me/recommendations), the best first. 0 by default: a recommendation is
    /// what the user's peers hold, not knowledge that proved itself, so giving it with every answer is the app's choice.
    /// </summary>
    public int MaxRecommendations { get; set; }

    /// <summary>Knowledge of the user's cluster in a context (the most held first), beside the global knowledge it does not repeat.</summary>
    public int MaxClusterKnowledge { get; set; } = 10;

    public static ContextSettings Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<ContextSettings>() ?? new ContextSettings();
        if (settings.LifetimeMinutes is <= 0 or > 7 * 24 * 60)
            throw new InvalidOperationException("Context:LifetimeMinutes must be above 0 and at most a week.");
        // The id carries every item: at most 100 of each keeps it under ContextIds.MaxLength for keys of usual length.
        if (settings.MaxMemories is < 0 or > 100 || settings.MaxKnowledge is < 0 or > 100 || settings.MaxExperiments is < 0 or > 100
            || settings.MaxRecommendations is < 0 or > 100 || settings.MaxClusterKnowledge is < 0 or > 100)
            throw new InvalidOperationException("Context:MaxMemories, MaxKnowledge, MaxExperiments, MaxRecommendations and MaxClusterKnowledge must be between 0 and 100.");
        return settings;
    }
}

/// <summary>The context the chat app answers with, and the ids that tie a turn to it (exposure).</summary>
public static class ContextModule
{
    public static WebApplicationBuilder AddContext(this WebApplicationBuilder builder)
    {
        var settings = ContextSettings.Load(builder.Configuration);
        builder.Services.AddSingleton(settings);
        // Signed with a key derived from the token secret: every node that accepts the tokens accepts the context ids.
        var secret = Encoding.UTF8.GetBytes(AuthSettings.Load(builder.Configuration).SigningKey!);
        builder.Services.AddSingleton(new ContextIds(secret, TimeSpan.FromMinutes(settings.LifetimeMinutes)));
        return builder;
    }
}
