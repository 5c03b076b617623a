using CrossLearn.Platform.Storage;
using JasperFx.Events.Projections;
using Marten;
using Wolverine;

namespace CrossLearn.Features.Clusters;

/// <summary>Clusters of similar users (issue #16): runs on an admin's request and a schedule, each user's cluster on their stream, knowledge per cluster.</summary>
public static class ClustersModule
{
    public const string Section = "Clusters";

    public static WebApplicationBuilder AddClusters(this WebApplicationBuilder builder)
    {
        var parameters = builder.Configuration.GetSection(Section).Get<ClusteringParameters>() ?? new ClusteringParameters();
        if (parameters.MinClusters < 2 || parameters.MaxClusters < parameters.MinClusters || parameters.MinTokenUsers < 2 || parameters.Restarts < 1 || parameters.MinClusterSize < 1
            || parameters.SelectionSample < 10 || parameters.FitSample < parameters.SelectionSample || parameters.MaxTokens < 1)
            throw new InvalidOperationException(
                "Clusters: MinClusters at least 2 and at most MaxClusters, MinTokenUsers at least 2 (a token of one user says nothing), Restarts, MaxTokens and MinClusterSize at least 1, SelectionSample at least 10 and at most FitSample.");
        builder.Services.AddSingleton(parameters);
        var schedule = builder.Configuration.GetSection(Section).Get<ClusteringSchedule>() ?? new ClusteringSchedule();
        if (schedule.RunEveryHours < 0 || schedule.KnowledgeEveryMinutes < 0)
            throw new InvalidOperationException("Clusters:RunEveryHours and KnowledgeEveryMinutes may not be negative (0: only when asked).");
        builder.Services.AddSingleton(schedule);
        builder.Services.AddSingularAgent<ClusteringWatcher>();
        builder.Services.AddSingularAgent<ClusterKnowledgeWatcher>();
        builder.Services.ConfigureMarten(options =>
        {
            options.Projections.Add<ClusterMembershipProjection>(ProjectionLifecycle.Inline);
            // Read by the recommendations' SQL: the users of one cluster.
            options.Schema.For<ClusterMembership>().Duplicate(m => m.ClusterId);
            options.Projections.Add<ClusteringRunProjection>(ProjectionLifecycle.Inline);
            // The cluster knowledge stream has one writer at a time (its ledger is fetched for exclusive writing).
            options.Projections.Add<ClusterKnowledgeLedgerProjection>(ProjectionLifecycle.Inline);
            options.Projections.Add<ClusterKnowledgeProjection>(ProjectionLifecycle.Inline);
            options.Schema.For<ClusterKnowledgeItem>().Duplicate(k => k.ClusterId);
        });
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(ClusterMembership), "id"));
        builder.Services.AddStreamFold(new SingleStreamFold<ClusterMembership>(new ClusterMembershipProjection()));
        builder.Services.AddStreamFold(new SingleStreamFold<ClusteringRun>(new ClusteringRunProjection()));
        builder.Services.AddStreamFold(new WriteModelFold<ClusterKnowledgeLedger>(new ClusterKnowledgeLedgerProjection()));
        builder.Services.AddStreamFold(new MultiStreamFold<ClusterKnowledgeItem, string>(new ClusterKnowledgeProjection(), ClusterKnowledgeProjection.IdsOf,
            onlyStream: ClusterKnowledgeStream.Key));
        builder.Services.AddSingleton<ClusterKnowledgeEvaluator>();
        builder.Services.AddSingleton<ClusteringRunner>();
        builder.Services.AddSingleton(RecommendationSettings.Load(builder.Configuration));
        builder.Services.AddSingleton<ClusterItemCounts>();
        builder.Services.AddSingleton<RecommendationReader>();
        return builder;
    }
}
