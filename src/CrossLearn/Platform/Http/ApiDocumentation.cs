using CrossLearn.Platform.Storage;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CrossLearn.Platform.Http;

/// <summary>
/// The OpenAPI document (/openapi/v1.json) and the interactive reference (/docs). Neither holds data, but in
/// Production anonymous callers reach only /health and the control room's static files, so there they are off
/// unless <c>ApiDocumentation__Enabled=true</c>.
/// </summary>
public static class ApiDocumentation
{
    public const string DocsPath = "/docs";
    public const string EnabledSetting = "ApiDocumentation:Enabled";

    public static bool IsEnabled(IConfiguration configuration, IHostEnvironment environment) =>
        configuration.GetValue<bool?>(EnabledSetting) ?? !environment.IsProduction();

    public static void AddCrossLearnApiDocumentation(this WebApplicationBuilder builder) =>
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<BearerScheme>());

    public static void MapCrossLearnApiDocumentation(this WebApplication app)
    {
        if (!IsEnabled(app.Configuration, app.Environment)) return;
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(DocsPath, options => options
                .WithTitle("CrossLearn API")
                .AddPreferredSecuritySchemes(BearerScheme.Name))
            .AllowAnonymous();
    }

    /// <summary>Describes the JWT bearer scheme and requires it on every operation but /health.</summary>
    private sealed class BearerScheme : IOpenApiDocumentTransformer
    {
        public const string Name = "Bearer";

        public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
        {
            document.Info.Title = "CrossLearn";
            document.Info.Description = "Cross-user learning for AI assistants. Tokens: HS256 JWT with sub, role (user|service|admin), iss/aud crosslearn.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "Authorization: Bearer <jwt>. Get one with `dotnet run --project src/CrossLearn -- token <userId> [--role admin|service]`."
            };

            var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Name, document)] = [] };
            foreach (var (path, item) in document.Paths)
            {
                if (path == "/health" || item.Operations == null) continue;
                foreach (var operation in item.Operations.Values)
                    (operation.Security ??= []).Add(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
