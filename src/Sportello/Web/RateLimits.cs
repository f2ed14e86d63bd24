using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;

namespace Sportello.Web;

/// <summary>Named request limits (CONTRACT.md defaults), each configurable under Sportello:RateLimits:{Name}.</summary>
public static class RateLimits
{
    public const string TicketCreation = "TicketCreation";

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Sportello:RateLimits");
        var enabled = section.GetValue("Enabled", true);
        builder.Services.AddRateLimiter(options =>
        {
            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await Results.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many requests",
                    Detail = "Wait before trying again.",
                }).ExecuteAsync(http);
            };
            // Per signed-in user, else per client address.
            options.AddPolicy(TicketCreation, http => enabled
                ? RateLimitPartition.GetFixedWindowLimiter(PartitionKey(http), _ => Window(section, TicketCreation, 30))
                : RateLimitPartition.GetNoLimiter(""));
        });
        return builder;
    }

    private static string PartitionKey(HttpContext http) =>
        http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "ip:" + http.Connection.RemoteIpAddress;

    private static FixedWindowRateLimiterOptions Window(IConfiguration section, string name, int defaultPermits) => new()
    {
        PermitLimit = section.GetValue($"{name}:PermitLimit", defaultPermits),
        Window = TimeSpan.FromSeconds(section.GetValue($"{name}:WindowSeconds", 60)),
        QueueLimit = 0,
    };
}
