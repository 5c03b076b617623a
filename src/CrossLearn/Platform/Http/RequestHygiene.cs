using CrossLearn.Platform.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace CrossLearn.Platform.Http;

/// <summary>
/// What every request is checked for before routing: a path that says where it goes, and a body in a media type we
/// read. Clients trip on both (docs/api.md, "Requests").
/// </summary>
public static class RequestHygiene
{
    public static void UseCrossLearnRequestHygiene(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (HasDotSegment(context.Features.Get<IHttpRequestFeature>()?.RawTarget))
        {
            // Kestrel would resolve "/api/me/memories/preference/../.." to "/api/me/", another endpoint (once: the account
            // erasure). A path is taken as written or not at all.
            await ProblemResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid path",
                "Paths may not contain '.' or '..' segments; encode such a key as %2E.");
            return;
        }

        if (context.Request.Headers.ContentType.Count > 0 && JsonMediaTypeProblem(context.Request) is { } problem)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", problem);
            return;
        }

        await next(context);
    });

    /// <summary>True when a segment of the path (before any query) is '.' or '..', as sent or percent-encoded.</summary>
    public static bool HasDotSegment(string? rawTarget)
    {
        if (string.IsNullOrEmpty(rawTarget)) return false;
        var path = rawTarget.Split('?', 2)[0];
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length is 0 or > 6) continue;
            var decoded = Uri.UnescapeDataString(segment);
            if (decoded is "." or "..") return true;
        }

        return false;
    }

    /// <summary>
    /// Media types are case-insensitive (RFC 9110): <c>Application/JSON</c> is JSON and is passed on in the form the
    /// endpoints expect. JSON in a charset other than UTF-8 is refused clearly (RFC 8259 allows only UTF-8). Other
    /// media types are left to the endpoint, which refuses them where it reads a body.
    /// </summary>
    private static string? JsonMediaTypeProblem(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || contentType.MediaType.Value is not { } mediaType)
            return "The Content-Type header could not be read; send application/json.";

        var isJson = mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                     || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
                     || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        if (!isJson) return null;

        var charset = contentType.Charset.Value?.Trim('"');
        if (charset != null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return $"JSON bodies must be UTF-8; charset={charset} is not read.";

        request.ContentType = $"{mediaType.ToLowerInvariant()}; charset=utf-8";
        return null;
    }
}
