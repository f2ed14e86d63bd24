namespace Sportello.Features.Accounts;

/// <summary>
/// The hubs believe a session cookie only from Sportello's own pages. A page on another site can open a WebSocket to
/// them, and the browser adds the cookie: WebSockets have no CORS, and SameSite lets a sibling subdomain through. From
/// any other origin the connection is anonymous: the chat widget's visitors still connect (they prove each
/// conversation with its token), the Desk's hub refuses. API tokens are not cookies: they are believed from anywhere.
/// </summary>
internal static class HubOrigin
{
    public static bool IsForeign(HttpRequest request, string? publicUrl)
    {
        if (!request.Path.StartsWithSegments("/hubs") || request.Headers.Origin is not [{ } origin])
        {
            // Not the realtime channel, or not a browser (browsers send Origin on every cross-origin request and WebSocket).
            return false;
        }
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from))
        {
            return true; // "null" (a sandboxed frame, a file) or garbage
        }
        return !(Same(from, request.Host.Host, request.Host.Port)
            || (Uri.TryCreate(publicUrl, UriKind.Absolute, out var own) && Same(from, own.Host, own.Port)));
    }

    private static bool Same(Uri origin, string host, int? port) =>
        string.Equals(origin.Host, host, StringComparison.OrdinalIgnoreCase) && (port is null || port == origin.Port);
}
