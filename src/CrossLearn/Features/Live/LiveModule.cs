using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Live;

/// <summary>The live feed: notifications from the event store, in order, once (not replayed by rebuilds), to every node.</summary>
public static class LiveModule
{
    /// <summary>The feed's own table, which Marten does not manage (created by the schema owner before start).</summary>
    public static string TablesSql => LiveFeed.CreateSql;

    public static WebApplicationBuilder AddLive(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(options => options.Events.Subscribe(new LiveFeedSubscription()));
        builder.Services.AddSingleton(new NotRebuilt(LiveFeedSubscription.SubscriptionName));
        builder.Services.AddSingleton<ILiveNotifications, LiveFeedNotifications>();
        builder.Services.AddSingleton<IUserDataEraser, LiveFeedEraser>();
        builder.Services.AddSingleton<LiveFeedHub>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveFeedHub>());
        return builder;
    }
}
