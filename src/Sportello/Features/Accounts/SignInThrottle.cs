using Sportello.Web;

namespace Sportello.Features.Accounts;

/// <summary>Limits sign-in and token attempts per client IP and per account (CONTRACT.md: 10 a minute).</summary>
public sealed class SignInThrottle(IConfiguration configuration, SharedCounters shared) : IDisposable
{
    private readonly Throttle byIp = new(configuration, Throttle.SignIn, 10, shared: shared);
    private readonly Throttle byAccount = new(configuration, Throttle.SignIn, 10, shared: shared);

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAttempt(string? clientIp, string account)
    {
        // Prefixed: the two limits share a name, and with Redis one key space.
        var ip = byIp.TryAcquire("ip:" + (clientIp ?? "unknown"));
        var user = byAccount.TryAcquire("account:" + account.Trim().ToUpperInvariant());
        return ip ?? user;
    }

    public void Dispose()
    {
        byIp.Dispose();
        byAccount.Dispose();
    }
}
