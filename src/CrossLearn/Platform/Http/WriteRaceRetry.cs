using CrossLearn.Platform.Storage;
namespace CrossLearn.Platform.Http;

/// <summary>
/// Runs a write again when it lost a race that only its commit could see. Writers lock their stream's row before they
/// decide, so writers of one stream queue; but a stream that does not exist yet has no row to lock, and of two first
/// writes to it (two first turns of a new user) one fails to create it. Run again, it finds the stream and queues
/// like the rest. The request is repeated whole (a fresh session, the body read again) before any byte of the
/// response is sent; a write that loses every attempt ends as the 409 of a write conflict (ProblemResponses). Other
/// conflicts are not run again here: they are answered 409 at once.
/// </summary>
public static class WriteRaceRetry
{
    public const int Attempts = 4;

    public static IApplicationBuilder UseCrossLearnWriteRaceRetry(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await next(context);
                return;
            }
            catch (Exception e) when (attempt < Attempts && LostCreationRace(e) && !context.Response.HasStarted)
            {
                context.Request.Body.Position = 0;
            }
        }
    });

    /// <summary>Only the race this exists for: a stream created by another writer after this one read it.</summary>
    private static bool LostCreationRace(Exception? e)
    {
        for (var depth = 0; e != null && depth < 10; depth++, e = e.InnerException)
            if (e is Marten.Exceptions.ExistingStreamIdCollisionException or WriteRaceLostException) return true;
        return false;
    }
}

/// <summary>A write found that its stream moved on after it was read (a race no lock covered): run it again.</summary>
public sealed class WriteRaceLostException(string message) : Exception(message);
