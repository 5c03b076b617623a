using CrossLearn.Hosting;
using FluentValidation;
using JasperFx;
using Wolverine.Http;

// `token <userId> [--role R] [--hours N]` only needs configuration, not the database.
if (args is ["token", .. var tokenArgs])
{
    var configuration = WebApplication.CreateBuilder([]).Configuration;
    return TokenIssuer.RunCommand(configuration, tokenArgs, Console.Out);
}

var builder = WebApplication.CreateBuilder(args);

var (connectionString, embeddedPostgres) = await Database.ResolveAsync(builder.Configuration);
if (embeddedPostgres != null) builder.Services.AddSingleton(embeddedPostgres);
await Database.PrepareAsync(connectionString);
builder.AddCrossLearnAuthentication();
builder.AddCrossLearnProblemDetails();
builder.AddCrossLearnRateLimits();
builder.AddCrossLearnApiDocumentation();
builder.AddCrossLearnEventStore(connectionString);
builder.Services.AddWolverineHttp();
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);

var app = builder.Build();
if (embeddedPostgres != null)
{
    app.Logger.LogInformation("Using a private PostgreSQL on port {Port} (no ConnectionStrings__Marten given)", embeddedPostgres.Port);
    app.Lifetime.ApplicationStopped.Register(() => embeddedPostgres.StopAsync().GetAwaiter().GetResult());
}

app.UseCrossLearnProblemDetails();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.MapCrossLearnApiDocumentation();
app.MapWolverineEndpoints(options =>
{
    // Every endpoint needs a signed-in caller unless it says [AllowAnonymous]; stricter ones name a policy.
    options.RequireAuthorizeOnAll();
    options.AddPolicy<ValidationPolicy>();
});

return await app.RunJasperFxCommands(args);

public partial class Program;
