using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Notices;

public sealed record NotificationService(Guid Id, string Name);

/// <summary>A notification as the Client Area API, page and live push show it.</summary>
public sealed record NotificationView(
    Guid Id, string Kind, string Title, string Body, DateTime CreatedAt, DateTime? ReadAt, Guid? NoticeId, List<NotificationService> Services)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static NotificationView From(Notification n) =>
        new(n.Id, n.Kind, n.Title, n.Body, DateTime.SpecifyKind(n.CreatedAt, DateTimeKind.Utc),
            n.ReadAt is { } read ? DateTime.SpecifyKind(read, DateTimeKind.Utc) : null, n.NoticeId,
            JsonSerializer.Deserialize<List<NotificationService>>(n.Services, Json) ?? []);
}

/// <summary>A customer's inbox: their own notifications only (another's is a missing one), newest first.</summary>
public sealed class Inbox(SportelloDb db, TimeProvider clock)
{
    public async Task<Paged<NotificationView>> ListAsync(Guid userId, Page page, CancellationToken cancellationToken = default)
    {
        var rows = await db.Notifications.AsNoTracking()
            .Where(n => n.UserId == userId && (page.After == null || n.Id < page.After))
            .OrderByDescending(n => n.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        return page.Cut(rows.Select(NotificationView.From).ToList(), n => n.Id);
    }

    public Task<int> UnreadAsync(Guid userId, CancellationToken cancellationToken = default) =>
        db.Notifications.CountAsync(n => n.UserId == userId && n.ReadAt == null, cancellationToken);

    /// <summary>False when it is not the user's (404).</summary>
    public async Task<bool> MarkReadAsync(Guid userId, Guid notificationId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (await db.Notifications.Where(n => n.Id == notificationId && n.UserId == userId && n.ReadAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken) == 1)
        {
            return true;
        }
        return await db.Notifications.AnyAsync(n => n.Id == notificationId && n.UserId == userId, cancellationToken);
    }

    /// <summary>Marks every unread one read; how many there were.</summary>
    public Task<int> MarkAllReadAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.Notifications.Where(n => n.UserId == userId && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), cancellationToken);
    }
}
