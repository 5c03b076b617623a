using CrossLearn.Features.Admin;
using CrossLearn.Features.Analytics;
using CrossLearn.Features.Clusters;
using CrossLearn.Features.Context;
using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Live;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Privacy;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
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

var connections = await Database.ResolveAsync(builder.Configuration);
var embeddedPostgres = connections.Embedded;
if (embeddedPostgres != null)
{
    builder.Services.AddSingleton(embeddedPostgres);
    // A private database means a single node: start projections at once, without leader election.
    builder.Configuration["Wolverine:DurabilityMode"] ??= "Solo";
}
await Database.PrepareAsync(connections, builder.Configuration, [LiveModule.TablesSql]);

// The platform (names no feature), then each module, which registers its own documents, projections and services.
builder.AddCrossLearnAuthentication();
builder.AddCrossLearnProblemDetails();
builder.AddCrossLearnRateLimits();
builder.AddCrossLearnApiDocumentation();
builder.AddLearners().AddTurns().AddMemories().AddProfile().AddLearning().AddExperiments().AddContext().AddLive().AddPrivacy().AddAnalytics().AddClusters().AddAdmin();
builder.AddCrossLearnEventStore(connections);
builder.AddCrossLearnGlobalStore(connections);
builder.Services.AddWolverineHttp();
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);

var app = builder.Build();
if (embeddedPostgres != null)
{
    app.Logger.LogInformation("Using a private PostgreSQL on port {Port} (no ConnectionStrings__Marten given)", embeddedPostgres.Port);
    app.Lifetime.ApplicationStopped.Register(() => embeddedPostgres.StopAsync().GetAwaiter().GetResult());
}

app.UseCrossLearnProblemDetails();
app.UseCrossLearnRequestHygiene();
// The control room is static HTML/CSS/JS (no data; it calls the API with the signed-in token).
app.Use((context, next) =>
{
    if (context.Request.Path.Value == "/admin/control-room") { context.Response.Redirect("/admin/control-room/"); return Task.CompletedTask; }
    return next(context);
});
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.MapCrossLearnApiDocumentation();
app.MapWolverineEndpoints(options =>
{
    // Every endpoint needs a signed-in caller unless it says [AllowAnonymous]; stricter ones name a policy.
    options.RequireAuthorizeOnAll();
    options.AddPolicy<ValidationPolicy>();
    // Each request's session opens in the shard database of the user it is about (docs/scaling.md).
    options.TenantId.DetectWith(new UserTenantDetection(app.Services.GetRequiredService<ShardMap>()));
});

// Commands (`projections rebuild`, `aggregate`, ...) do not start the hosted services: set the schema up first.
if (args is [var command, ..] && !command.StartsWith('-') && command != "run")
    await app.Services.GetRequiredService<SchemaSetup>().StartingAsync(CancellationToken.None);

return await app.RunJasperFxCommands(args);

public partial class Program;
