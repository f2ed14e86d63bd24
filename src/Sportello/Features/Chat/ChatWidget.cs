using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Sportello.Features.Chat;

/// <summary>
/// Serves the widget's two scripts from the assembly: <c>/chat/widget.js</c> (the loader, on every page of the host
/// site) and <c>/chat/panel.js</c> (loaded on first open). Both are cached by ETag; with chat off, both are 404.
/// </summary>
public static class ChatWidget
{
    private sealed record Script(byte[] Bytes, string ETag);

    private static readonly Dictionary<string, Script> Scripts = new[] { "widget.js", "panel.js" }.ToDictionary(name => name, Load);

    public static IEndpointRouteBuilder MapChatWidget(this IEndpointRouteBuilder app)
    {
        app.MapGet("/chat/{file:regex(^(widget|panel)\\.js$)}", Serve).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    public static int SizeOf(string name) => Scripts[name].Bytes.Length;

    private static IResult Serve(string file, HttpContext http, IOptionsMonitor<ChatOptions> options)
    {
        if (!options.CurrentValue.Enabled || !Scripts.TryGetValue(file, out var script))
        {
            return TypedResults.NotFound();
        }
        // The host site loads it cross-origin: it is code for any page, so no cookies travel and anyone may fetch it.
        http.Response.Headers.AccessControlAllowOrigin = "*";
        http.Response.Headers.CacheControl = "public, max-age=300";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        var etag = new EntityTagHeaderValue(script.ETag);
        if (http.Request.Headers.IfNoneMatch.ToString() == script.ETag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Bytes(script.Bytes, "text/javascript; charset=utf-8", entityTag: etag);
    }

    private static Script Load(string name)
    {
        using var stream = typeof(ChatWidget).Assembly.GetManifestResourceStream($"chat/{name}")
            ?? throw new InvalidOperationException($"The chat widget's {name} is not embedded.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        return new Script(bytes, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
    }
}
