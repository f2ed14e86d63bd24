using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Chat;

public sealed record AvailabilityView(string Department, bool Online, int AgentsOnline, int MaxWaitSeconds);

/// <summary>
/// Who is there to chat: agents set themselves online, away or offline; their consoles keep "online" alive; the
/// widget asks whether a department has anyone online before it offers a chat or a message.
/// </summary>
public sealed class ChatAvailability(SportelloDb db, DeskAccess desk, TimeProvider clock, Microsoft.Extensions.Options.IOptionsMonitor<ChatOptions> options)
{
    public const int HeartbeatSeconds = 30;
    // Three missed heartbeats: the console is gone.
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(HeartbeatSeconds * 3);

    public async Task<Outcome<AgentPresence>> SetAsync(Guid agentId, string? status, CancellationToken cancellationToken = default)
    {
        var value = status?.Trim().ToLowerInvariant();
        if (value is null || !Availability.All.Contains(value))
        {
            return Outcome<AgentPresence>.Invalid(new ValidationErrors().Add("status", "status must be 'online', 'away' or 'offline'."));
        }
        var presence = await db.AgentPresences.FirstOrDefaultAsync(p => p.UserId == agentId, cancellationToken);
        if (presence is null)
        {
            presence = new AgentPresence { UserId = agentId };
            db.AgentPresences.Add(presence);
        }
        presence.Status = value;
        presence.LastSeenAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<AgentPresence>.Ok(presence);
    }

    /// <summary>The console is still open.</summary>
    public Task HeartbeatAsync(Guid agentId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.AgentPresences.Where(p => p.UserId == agentId).ExecuteUpdateAsync(p => p.SetProperty(x => x.LastSeenAt, now), cancellationToken);
    }

    public async Task<string> StatusOfAsync(Guid agentId, CancellationToken cancellationToken = default)
    {
        var presence = await db.AgentPresences.AsNoTracking().FirstOrDefaultAsync(p => p.UserId == agentId, cancellationToken);
        return presence is null ? Availability.Offline
            : presence.Status == Availability.Online && presence.LastSeenAt < clock.GetUtcNow().UtcDateTime - Stale ? Availability.Away
            : presence.Status;
    }

    /// <summary>Whether anyone of <paramref name="department"/> is online for chat now.</summary>
    public async Task<AvailabilityView> OfAsync(string? department, CancellationToken cancellationToken = default)
    {
        var key = string.IsNullOrWhiteSpace(department) ? Departments.Technical : department.Trim().ToLowerInvariant();
        var since = clock.GetUtcNow().UtcDateTime - Stale;
        var agents = desk.AgentsOf(key).Select(u => u.Id);
        var online = StartChat.Departments.Contains(key)
            ? await db.AgentPresences.CountAsync(p => p.Status == Availability.Online && p.LastSeenAt >= since && agents.Contains(p.UserId), cancellationToken)
            : 0;
        return new AvailabilityView(key, online > 0, online, options.CurrentValue.MaxWaitSeconds);
    }
}
