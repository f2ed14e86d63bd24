using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;

namespace Sportello.Features.Accounts;

/// <summary>
/// A realtime connection ends with the session it was opened with (Chatwoot CVE-2021-3740). A WebSocket is
/// authenticated once, when it opens: after a password change, "sign out everywhere" or a revoked API token it would
/// otherwise go on hearing every change of the account's tickets and chats, and acting on them. Each node keeps its
/// signed-in connections and, every <see cref="Interval"/>, aborts those whose security stamp changed or whose token is
/// no longer valid; a method called on a connection found stale is refused.
/// </summary>
public sealed class LiveSessions(IServiceScopeFactory scopes, TimeProvider clock, IOptions<IdentityOptions> identity, ILogger<LiveSessions> logger)
    : BackgroundService, IHubFilter
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    /// <summary>What a connection was opened with: the user and their stamp (a session) or the token (an integration).</summary>
    private sealed record Live(HubCallerContext Context, Guid UserId, string? Stamp, Guid? TokenId)
    {
        public volatile bool Stale;
    }

    private readonly ConcurrentDictionary<string, Live> live = new(StringComparer.Ordinal);

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (context.Context.User is { Identity.IsAuthenticated: true } user && Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            var token = Guid.TryParse(user.FindFirstValue(ApiTokenAuthentication.TokenIdClaim), out var tokenId) ? tokenId : (Guid?)null;
            live[context.Context.ConnectionId] = new Live(context.Context, id, user.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType), token);
        }
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        live.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next) =>
        live.TryGetValue(invocationContext.Context.ConnectionId, out var connection) && connection.Stale
            ? throw new HubException("Your session has ended: sign in again.")
            : next(invocationContext);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not check the live connections' sessions; retrying at the next interval");
            }
        }
    }

    /// <summary>One pass over this node's signed-in connections: aborts those whose session ended. Returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var connections = live.Values.ToList();
        if (connections.Count == 0)
        {
            return 0;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var users = connections.Where(c => c.TokenId is null).Select(c => c.UserId).Distinct().ToList();
        var tokens = connections.Where(c => c.TokenId is not null).Select(c => c.TokenId!.Value).Distinct().ToList();
        var stamps = await db.Users.AsNoTracking().Where(u => users.Contains(u.Id))
            .Select(u => new { u.Id, u.SecurityStamp }).ToDictionaryAsync(u => u.Id, u => u.SecurityStamp, cancellationToken);
        var valid = (await db.ApiTokens.AsNoTracking().Where(t => tokens.Contains(t.Id) && t.RevokedAt == null && t.ExpiresAt > now)
            .Select(t => t.Id).ToListAsync(cancellationToken)).ToHashSet();
        var ended = 0;
        foreach (var connection in connections)
        {
            var holds = connection.TokenId is { } token
                ? valid.Contains(token)
                : connection.Stamp is not null && stamps.TryGetValue(connection.UserId, out var stamp) && stamp == connection.Stamp;
            if (!holds)
            {
                connection.Stale = true;
                connection.Context.Abort();
                live.TryRemove(connection.Context.ConnectionId, out _);
                ended++;
            }
        }
        return ended;
    }
}
