using System.Globalization;
using CrossLearn.Platform.Http;
using JasperFx.Events;
using Marten;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// A stream's events up to a moment, for point-in-time reads (audits): the moment given as <c>?at=</c> (ISO-8601,
/// UTC when no offset is given), and a clear 400 or 409 instead of a guess.
/// </summary>
public static class StreamHistory
{
    /// <summary>The moment <paramref name="at"/> names, or <paramref name="otherwise"/> when it is absent; null with a 400 when it is not a date and time.</summary>
    public static (DateTimeOffset? Moment, IResult? Problem) Moment(string? at, DateTimeOffset otherwise) =>
        at == null ? (otherwise, null)
        : DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment)
            ? (moment, null)
            : (null, ProblemResponses.Result(StatusCodes.Status400BadRequest, "Invalid request", "at must be an ISO-8601 date and time."));

    /// <summary>The events of <paramref name="streamKey"/> up to <paramref name="moment"/>; null with a 409 when one of them cannot be read.</summary>
    /// <param name="what">What the stream holds, for the problem's detail ("this user's events").</param>
    public static async Task<(IReadOnlyList<IEvent>? Events, IResult? Problem)> FetchAsync(
        IQuerySession session, string streamKey, DateTimeOffset moment, string what, CancellationToken ct)
    {
        try
        {
            return (await session.Events.FetchStreamAsync(streamKey, timestamp: moment, token: ct), null);
        }
        catch (Marten.Exceptions.EventDeserializationFailureException)
        {
            // A poison event in the stream (the daemon skipped it): a fold without it would be a guess.
            return (null, ProblemResponses.Result(StatusCodes.Status409Conflict, "Unreadable history",
                $"{what} include one this version cannot read (see /api/admin/dead-letters), so the state at a past moment cannot be computed."));
        }
    }
}
