using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Net.Http.Headers;

namespace Sportello.Web;

/// <summary>
/// A body in a character set nobody knows (<c>charset=klingon</c>) is refused before anything reads it: 415, as
/// problem+json naming <c>Content-Type</c>. ASP.NET's JSON reader throws on it: every API route with a body answered
/// 500 (found by the OpenAPI walk of issue 15).
/// </summary>
internal static class BodyCharset
{
    public static IApplicationBuilder UseKnownCharsetsOnly(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var media)
            && media.Charset.HasValue && media.Encoding is null)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status415UnsupportedMediaType,
                    Title = "Unsupported character set",
                    Extensions = { ["errors"] = new Dictionary<string, string[]> { ["Content-Type"] = ["The body's character set is not one Sportello reads: send UTF-8."] } },
                },
            });
            return;
        }
        await next(context);
    });
}
