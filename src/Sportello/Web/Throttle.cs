using System.Globalization;
using System.Threading.RateLimiting;

namespace Sportello.Web;

/// <summary>
/// A named fixed-window limit per key (an IP, an account, a customer), configured under
/// Sportello:RateLimits:{Name}:PermitLimit and :WindowSeconds; Sportello:RateLimits:Enabled=false turns all off.
/// Use cases call it themselves, so the API and the pages share one limit. With Redis configured the count is shared
/// by every node (<see cref="SharedCounters"/>); without it, or while Redis is away, each node counts for itself.
/// </summary>
public sealed class Throttle : IDisposable
{
    public const string TicketCreation = "TicketCreation";
    /// <summary>New tickets per customer and window, by web and by mail alike (CONTRACT.md).</summary>
    public const int TicketCreationPermits = 30;
    public const string SignIn = "SignIn";

    private readonly PartitionedRateLimiter<string>? limiter;
    private readonly TimeSpan window;
    private readonly string name;
    private readonly int permits;
    private readonly SharedCounters? shared;

    /// <summary>The limit <paramref name="name"/> as configured, shared across nodes when Redis is.</summary>
    public static Throttle Create(IServiceProvider services, string name, int defaultPermits, int defaultWindowSeconds = 60) =>
        new(services.GetRequiredService<IConfiguration>(), name, defaultPermits, defaultWindowSeconds, services.GetService<SharedCounters>());

    public Throttle(IConfiguration configuration, string name, int defaultPermits, int defaultWindowSeconds = 60, SharedCounters? shared = null)
    {
        this.name = name;
        this.shared = shared is { Configured: true } ? shared : null;
        var section = configuration.GetSection("Sportello:RateLimits");
        window = TimeSpan.FromSeconds(section.GetValue($"{name}:WindowSeconds", defaultWindowSeconds));
        if (!section.GetValue("Enabled", true))
        {
            return;
        }
        permits = section.GetValue($"{name}:PermitLimit", defaultPermits);
        limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));
    }

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAcquire(string key)
    {
        if (limiter is null)
        {
            return null;
        }
        if (shared?.Count(name, key, window) is { } counted)
        {
            return counted.Hits <= permits ? null : counted.Left;
        }
        using var lease = limiter.AttemptAcquire(key);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : window;
    }

    /// <summary>429 with Retry-After, as problem+json.</summary>
    public static IResult TooMany(HttpResponse response, TimeSpan wait)
    {
        response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: "Wait before trying again.");
    }

    public void Dispose() => limiter?.Dispose();
}
