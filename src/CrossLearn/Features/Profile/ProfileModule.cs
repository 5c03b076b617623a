using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events.Projections;
using Marten;

namespace CrossLearn.Features.Profile;

/// <summary>The user's own figures (/api/me), inline.</summary>
public static class ProfileModule
{
    public static WebApplicationBuilder AddProfile(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(options =>
        {
            options.Projections.Add<UserProfileProjection>(ProjectionLifecycle.Inline);
            // Ranked and summed by analytics in whole-table scans: columns without indexes.
            options.DuplicateWithoutIndex<UserProfile>(p => p.MemoryCount, p => p.InteractionCount, p => p.SuccessRate,
                p => p.RatedTurns, p => p.SuccessfulTurns);
        });
        builder.Services.AddSingleton(new UserOwnedDocument(typeof(UserProfile), "id"));
        builder.Services.AddStreamFold(new SingleStreamFold<UserProfile>(new UserProfileProjection()));
        return builder;
    }
}
