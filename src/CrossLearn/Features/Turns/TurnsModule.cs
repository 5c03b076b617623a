using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events.Projections;
using Marten;

namespace CrossLearn.Features.Turns;

/// <summary>Turns and conversations: what was said, kept inline so a user reads their own writes at once.</summary>
public static class TurnsModule
{
    public static WebApplicationBuilder AddTurns(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(options =>
        {
            options.Projections.Add(new TurnProjection(), ProjectionLifecycle.Inline);
            options.Projections.Add<ConversationProjection>(ProjectionLifecycle.Inline);
            // Numeric revisions, as Marten gives the documents its own projections write (the column's type since the start).
            options.Schema.For<Turn>().Duplicate(t => t.UserId).UseNumericRevisions(true);
            // A user's conversations are found by user_id and sorted in memory; an index on LastTurnAt alone was
            // written on every turn and never read.
            options.Schema.For<Conversation>().Duplicate(c => c.UserId);
        });
        var groupCommit = (builder.Configuration.GetSection(TurnWriter.Section).Get<GroupCommitSettings>() ?? new GroupCommitSettings()).Checked();
        builder.Services.AddSingleton(new TurnBatching(groupCommit));
        builder.Services.AddSingleton<TurnWriter>();
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(Turn), "user_id"));
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(Conversation), "user_id"));
        builder.Services.AddStreamFold(new MultiStreamFold<Turn, Guid>(typeof(TurnProjection), TurnProjection.Evolve, TurnProjection.IdsOf, streamColumn: "user_id"));
        builder.Services.AddStreamFold(new MultiStreamFold<Conversation, string>(new ConversationProjection(), ConversationProjection.IdsOf, streamColumn: "user_id"));
        return builder;
    }
}
