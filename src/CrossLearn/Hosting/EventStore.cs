using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Wolverine;
using Wolverine.Marten;

namespace CrossLearn.Hosting;

/// <summary>Marten (events + documents) and Wolverine, wired together.</summary>
public static class EventStore
{
    public const string Schema = "crosslearn";

    public static void AddCrossLearnEventStore(this WebApplicationBuilder builder, string connectionString)
    {
        builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = Schema;
                // One stream per user, keyed by the user id from the token.
                options.Events.StreamIdentity = StreamIdentity.AsString;
                options.Events.DatabaseSchemaName = Schema;

                // Per-user read models are inline: a user reads their own writes at once.
                options.Projections.Add<UserProfileProjection>(ProjectionLifecycle.Inline);
                options.Projections.Add<MemoryProjection>(ProjectionLifecycle.Inline);
                options.Projections.Add<TurnProjection>(ProjectionLifecycle.Inline);
                options.Projections.Add<ConversationProjection>(ProjectionLifecycle.Inline);

                options.Schema.For<Memory>().Index(m => m.UserId);
                options.Schema.For<Turn>().Index(t => t.UserId);
                options.Schema.For<Conversation>().Index(c => c.UserId).Index(c => c.LastTurnAt);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine();

        builder.Host.UseWolverine(options =>
        {
            options.UseRuntimeCompilation();
            options.Policies.AutoApplyTransactions();
            options.Services.AddSingleton(TimeProvider.System);
        });
    }
}
