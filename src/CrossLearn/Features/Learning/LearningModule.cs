using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Wolverine;

namespace CrossLearn.Features.Learning;

/// <summary>Across users: patterns (async: many users' writes meet in one document), promotion and global knowledge.</summary>
public static class LearningModule
{
    public static WebApplicationBuilder AddLearning(this WebApplicationBuilder builder)
    {
        var settings = LearningSettings.Load(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<GlobalFiguresReader>();
        builder.Services.AddSingleton<KnowledgeRanking>();
        builder.Services.ConfigureMarten((services, options) =>
        {
            // The knowledge stream has a single writer at a time (its write model is fetched for exclusive writing), so
            // inline is safe there.
            options.Projections.Add<KnowledgeBookProjection>(ProjectionLifecycle.Inline);
            options.Projections.Add<KnowledgeProjection>(ProjectionLifecycle.Inline);
            options.Projections.Add(new PatternProjection(settings, services.GetRequiredService<Platform.Sharding.ShardDataSources>()), ProjectionLifecycle.Async, PatternProjection.Name,
                async =>
                {
                    async.BatchSize = 1000;
                    // A hand-written projection (batching across users): the daemon clears its documents before it rebuilds.
                    async.DeleteViewTypeOnTeardown(typeof(Pattern));
                    async.DeleteViewTypeOnTeardown(typeof(PatternHolder));
                });
            options.Schema.For<Pattern>().Duplicate(p => p.UserCount).Duplicate(p => p.ChangedAtSequence);
            options.RegisterDocumentType<PatternHolder>();
            options.Projections.Add<PatternStandingProjection>(ProjectionLifecycle.Inline);
            // Exact global counts (docs/scaling.md): what this shard reported, and the figures summed over shards.
            options.RegisterDocumentType<ReportedPatternFigures>();
            options.RegisterDocumentType<ShardReportCursor>();
        });
        builder.Services.ConfigureMarten<IGlobalStore>(options =>
        {
            options.Schema.For<GlobalPatternFigures>().UseOptimisticConcurrency(true).Duplicate(g => g.Holders).Duplicate(g => g.Revision);
            options.Schema.For<GlobalFiguresRevision>().UseOptimisticConcurrency(true);
            options.RegisterDocumentType<PromotionCursor>();
            options.RegisterDocumentType<ShardReceipt>();
        });
        builder.Services.AddSingularAgent<ShardFiguresReporter>();
        // Not erased with the user: the pattern projection subtracts the user with it, then deletes it.
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(PatternHolder), "id", ErasedWithUser: false));
        builder.Services.AddStreamFold(new WriteModelFold<KnowledgeBook>(new KnowledgeBookProjection()));
        builder.Services.AddStreamFold(new MultiStreamFold<KnowledgeItem, string>(new KnowledgeProjection(), KnowledgeProjection.IdsOf, onlyStream: KnowledgeStream.Key));
        // A rebuild counts the patterns stream by stream with the inline folds, not through the daemon.
        builder.Services.AddSingleton<IShardFold>(new PatternFold(settings));
        builder.Services.AddSingularAgent<PromotionWatcher>();
        builder.Services.AddStreamFold(new MultiStreamFold<PatternStanding, string>(new PatternStandingProjection(), PatternStandingProjection.IdsOf, onlyStream: KnowledgeStream.Key));
        builder.Services.AddSingularAgent<AgingWatcher>();
        return builder;
    }
}
