using System.Security.Claims;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CrossLearn.Features.Memories.Reextraction;

public static class ReextractEndpoints
{
    /// <summary>Starts a re-extraction in the background (or resumes one that stopped half-way): 202 with the run.</summary>
    [WolverinePost("/api/admin/reextract")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ReextractionRun>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(ClaimsPrincipal principal, ReextractionRunner runner, IHostApplicationLifetime lifetime, CancellationToken ct)
    {
        var (started, running) = await runner.TryStartAsync(Caller.From(principal).UserId, lifetime.ApplicationStopping);
        if (started == null)
            return ProblemResponses.Result(StatusCodes.Status409Conflict, "A re-extraction is running",
                running == null
                    ? "Another re-extraction is running; retry when it has finished."
                    : $"Re-extraction {running.RunId} (rules {running.ExtractorVersion}) is running: {running.UsersDone} of {running.UsersTotal} users done, {running.EventsAppended} events appended.");
        return Results.Json(started.Run, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The latest run and its progress.</summary>
    [WolverineGet("/api/admin/reextract")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ReextractionRun>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(ReextractionRunner runner, CancellationToken ct) =>
        await runner.LatestAsync(running: false, ct) is { } run ? Results.Json(run) : ProblemResponses.NotFound("re-extraction run");
}

/// <summary><c>dotnet run --project src/CrossLearn -- reextract</c>: runs (or resumes) a re-extraction to its end.</summary>
[Description("Replay every recorded user message through the current extraction rules and record the differences", Name = "reextract")]
public sealed class ReextractCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var services = host.Services;
        try
        {
            var runner = services.GetRequiredService<ReextractionRunner>();
            var (started, running) = await runner.TryStartAsync($"cli:{Environment.UserName}", CancellationToken.None);
            if (started == null)
            {
                Console.Error.WriteLine($"A re-extraction is running elsewhere: {running?.RunId} ({running?.UsersDone} of {running?.UsersTotal} users).");
                return false;
            }

            Console.WriteLine($"{(started.Resumed ? "Resuming" : "Starting")} re-extraction {started.Run.RunId} with rules {started.Run.ExtractorVersion}");
            await started.Completion;
            var done = await runner.LatestAsync(running: false, CancellationToken.None);
            Console.WriteLine($"Completed: {done?.UsersDone} users, {done?.EventsAppended} events appended, {done?.UsersSkipped} skipped");
            return true;
        }
        finally
        {
            if (services.GetService<IPrivateDatabase>() is { } embedded) await embedded.StopAsync();
        }
    }
}
