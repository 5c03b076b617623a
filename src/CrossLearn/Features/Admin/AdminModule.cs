namespace CrossLearn.Features.Admin;

/// <summary>What admins operate: the projection rebuild (its registrations come from the modules that own projections).</summary>
public static class AdminModule
{
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProjectionRebuilder>();
        return builder;
    }
}
