using Microsoft.AspNetCore.Mvc;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace CrossLearn.Features.Health;

public sealed record HealthResponse(string Status);

/// <summary>For load balancers and docker-compose: healthy when PostgreSQL answers.</summary>
public static class HealthEndpoint
{
    [WolverineGet("/health")]
    [AllowAnonymous]
    [ProducesResponseType<HealthResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Get(IDocumentStore store, CancellationToken ct)
    {
        try
        {
            await using var session = store.QuerySession();
            await using var command = new NpgsqlCommand("SELECT 1", session.Connection);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await command.ExecuteScalarAsync(timeout.Token);
            return Results.Ok(new HealthResponse("healthy"));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            return ProblemResponses.Result(StatusCodes.Status503ServiceUnavailable, "Unhealthy", "PostgreSQL is not answering.");
        }
    }
}
