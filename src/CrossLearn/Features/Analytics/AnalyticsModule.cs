namespace CrossLearn.Features.Analytics;

/// <summary>Per-user figures with percentiles against a stored distribution, and the population's.</summary>
public static class AnalyticsModule
{
    public static WebApplicationBuilder AddAnalytics(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<AnalyticsSettings>(builder.Configuration.GetSection(AnalyticsSettings.Section));
        builder.Services.AddSingleton<PopulationRanks>();
        return builder;
    }
}
