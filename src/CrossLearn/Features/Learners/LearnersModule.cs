using CrossLearn.Platform.Storage;
using JasperFx.Events.Projections;
using Marten;

namespace CrossLearn.Features.Learners;

/// <summary>The user's stream as the consistency boundary: its write model, folded inline.</summary>
public static class LearnersModule
{
    public static WebApplicationBuilder AddLearners(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(options => options.Projections.Add<LearnerProjection>(ProjectionLifecycle.Inline));
        // The user's own (row-level security; erased with the user).
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(Learner), "id"));
        builder.Services.AddStreamFold(new WriteModelFold<Learner>(new LearnerProjection()));
        return builder;
    }
}
