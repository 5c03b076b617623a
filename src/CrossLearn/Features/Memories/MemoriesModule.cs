using CrossLearn.Features.Memories.Reextraction;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events.Projections;
using Marten;

namespace CrossLearn.Features.Memories;

/// <summary>Memories learned from the user's words, and re-extraction by replay.</summary>
public static class MemoriesModule
{
    public static WebApplicationBuilder AddMemories(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(options =>
        {
            options.Projections.Add<MemoryProjection>(ProjectionLifecycle.Inline);
            options.Projections.Add<ReextractionRunProjection>(ProjectionLifecycle.Inline);
            // Duplicated into a real column: the aggregation and analytics SQL reads it directly.
            options.Schema.For<Memory>().Duplicate(m => m.UserId);
            // Read by whole-table scans only (aggregation, analytics): columns without indexes.
            options.DuplicateWithoutIndex<Memory>(m => m.Type, m => m.Key, m => m.Confidence);
        });
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(Memory), "user_id"));
        builder.Services.AddStreamFold(new MultiStreamFold<Memory, string>(new MemoryProjection(), MemoryProjection.IdsOf, streamColumn: "user_id"));
        builder.Services.AddStreamFold(new SingleStreamFold<ReextractionRun>(new ReextractionRunProjection()));
        builder.Services.AddSingleton<ReextractionRunner>();
        return builder;
    }
}
