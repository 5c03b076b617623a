using CrossLearn.Platform.Storage;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace CrossLearn.Platform.Http;

/// <summary>
/// Every error leaves as RFC 7807 problem+json: auth failures, validation, malformed bodies, oversize bodies,
/// an unreachable database (503) and anything unexpected (500 without internals).
/// </summary>
public static class ProblemResponses
{
    public const int MaxRequestBodyBytes = 256 * 1024;

    public static ProblemDetails Create(int status, string title, string? detail = null) =>
        new() { Status = status, Title = title, Detail = detail };

    public static IResult Result(int status, string title, string? detail = null) =>
        Results.Problem(Create(status, title, detail));

    public static IResult NotFound(string what) => Result(StatusCodes.Status404NotFound, "Not found", $"No {what} here.");

    public static async Task WriteAsync(HttpContext context, int status, string title, string? detail = null)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(Create(status, title, detail), JsonSerializerOptions.Web));
    }

    public static void AddCrossLearnProblemDetails(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
    }

    public static void UseCrossLearnProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler(errorApp => errorApp.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, title, detail) = Classify(error);
            if (status >= 500)
                app.Logger.LogError(error, "Request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            if (status is 409 or 503) context.Response.Headers.RetryAfter = "1";
            await WriteAsync(context, status, title, detail);
        }));

        // Kestrel enforces the limit for chunked bodies; this answers early when the length is declared.
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > MaxRequestBodyBytes)
            {
                await WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large",
                    $"Bodies are limited to {MaxRequestBodyBytes / 1024} KB.");
                return;
            }

            await next(context);
        });

        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            if (context.Response.ContentLength is null or 0 && !context.Response.HasStarted)
                await WriteAsync(context, context.Response.StatusCode, ReasonFor(context.Response.StatusCode));
        });
    }

    private static (int Status, string Title, string? Detail) Classify(Exception? error) => error switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            (413, "Request body too large", $"Bodies are limited to {MaxRequestBodyBytes / 1024} KB."),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", "The request could not be read."),
        JsonException => (400, "Malformed JSON", "The body is not valid JSON of the expected shape."),
        _ when IsWriteConflict(error) => (409, "Write conflict", "Another write reached the same record at the same moment; retry the request."),
        _ when IsStorageUnavailable(error) => (503, "Storage unavailable", "The database is not answering; retry shortly."),
        _ => (500, "Unexpected error", "The error was logged.")
    };

    /// <summary>
    /// The database is down or restarting: Npgsql's own errors, or any wrapper around them at any depth (Marten's
    /// MartenCommandException, Wolverine's and the runtime's aggregate and invocation wrappers).
    /// </summary>
    public static bool IsStorageUnavailable(Exception? error) => Any(error, e =>
        e is PostgresException postgres ? IsServerUnavailable(postgres.SqlState)
        : e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException);

    /// <summary>
    /// Two writers met on one row or stream version (a unique violation, a serialization failure, a deadlock, Marten's
    /// concurrency checks): the request can simply be sent again. Never a 500, and never blamed on the database.
    /// </summary>
    public static bool IsWriteConflict(Exception? error) => Any(error, e =>
        e is JasperFx.ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException or Marten.Exceptions.ExistingStreamIdCollisionException
            or Marten.Exceptions.ConcurrentUpdateException or JasperFx.DocumentAlreadyExistsException
        || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected });

    // Connection exceptions, insufficient resources, operator intervention (shutdown, starting up), system errors.
    private static bool IsServerUnavailable(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("57P", StringComparison.Ordinal) || sqlState.StartsWith("58", StringComparison.Ordinal);

    /// <summary>The error or any wrapper around it at any depth (Marten's, Wolverine's, the runtime's).</summary>
    private static bool Any(Exception? error, Func<Exception, bool> match)
    {
        for (var depth = 0; error != null && depth < 10; depth++)
        {
            if (match(error)) return true;
            error = error is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : error.InnerException;
        }

        return false;
    }

    private static string ReasonFor(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
