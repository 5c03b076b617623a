namespace CrossLearn.Features.Privacy;

/// <summary>Export and erasure; the erasure's markers are removed once every consumer has passed them.</summary>
public static class PrivacyModule
{
    public static WebApplicationBuilder AddPrivacy(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<ErasureCompletion>();
        return builder;
    }
}
