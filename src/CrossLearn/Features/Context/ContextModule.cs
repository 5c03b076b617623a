using System.Text;
using CrossLearn.Platform.Http;

namespace CrossLearn.Features.Context;

/// <summary>How long a context may be sent back with a turn (configuration section <c>Context</c>).</summary>
public sealed class ContextSettings
{
    public const string Section = "Context";

    /// <summary>An answer is given seconds after its context is read; an hour leaves room for slow models and retries.</summary>
    public double LifetimeMinutes { get; set; } = 60;

    public static ContextSettings Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<ContextSettings>() ?? new ContextSettings();
        if (settings.LifetimeMinutes is <= 0 or > 7 * 24 * 60)
            throw new InvalidOperationException("Context:LifetimeMinutes must be above 0 and at most a week.");
        return settings;
    }
}

/// <summary>The context the chat app answers with, and the ids that tie a turn to it (exposure).</summary>
public static class ContextModule
{
    public static WebApplicationBuilder AddContext(this WebApplicationBuilder builder)
    {
        var settings = ContextSettings.Load(builder.Configuration);
        // Signed with a key derived from the token secret: every node that accepts the tokens accepts the context ids.
        var secret = Encoding.UTF8.GetBytes(AuthSettings.Load(builder.Configuration).SigningKey!);
        builder.Services.AddSingleton(new ContextIds(secret, TimeSpan.FromMinutes(settings.LifetimeMinutes)));
        return builder;
    }
}
