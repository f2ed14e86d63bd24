using System.Threading.RateLimiting;

namespace Sportello.Features.Accounts;

/// <summary>Limits sign-in and token attempts per client IP and per account (CONTRACT.md: 10 a minute).</summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string>? limiter;
    private readonly int windowSeconds;

    public SignInThrottle(IConfiguration configuration)
    {
        var section = configuration.GetSection("Sportello:RateLimits");
        windowSeconds = section.GetValue("SignIn:WindowSeconds", 60);
        if (!section.GetValue("Enabled", true))
        {
            return;
        }
        var permits = section.GetValue("SignIn:PermitLimit", 10);
        limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = TimeSpan.FromSeconds(windowSeconds),
                QueueLimit = 0,
            }));
    }

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAttempt(string? clientIp, string account)
    {
        if (limiter is null)
        {
            return null;
        }
        using var byIp = limiter.AttemptAcquire("ip:" + (clientIp ?? "unknown"));
        using var byAccount = limiter.AttemptAcquire("account:" + account.Trim().ToUpperInvariant());
        if (byIp.IsAcquired && byAccount.IsAcquired)
        {
            return null;
        }
        var wait = byIp.TryGetMetadata(MetadataName.RetryAfter, out var a) ? a
            : byAccount.TryGetMetadata(MetadataName.RetryAfter, out var b) ? b : TimeSpan.FromSeconds(windowSeconds);
        return wait;
    }

    public void Dispose() => limiter?.Dispose();
}
