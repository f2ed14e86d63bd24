using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Notices;

public sealed record NoticeSummary(
    Guid Id, string Kind, string Status, NoticeText Title, DateTime StartsAt, DateTime? EndsAt, int Recipients, DateTime CreatedAt, DateTime? ClosedAt,
    NoticeAffects Affects)
{
    public static NoticeSummary From(Notice n) => new(n.Id, n.Kind, n.Status, new NoticeText(n.TitleEn, n.TitleIt),
        Utc(n.StartsAt), n.EndsAt is { } end ? Utc(end) : null, n.Recipients, Utc(n.CreatedAt), n.ClosedAt is { } closed ? Utc(closed) : null,
        new NoticeAffects(n.Locations, n.Products, n.ServiceIds));

    internal static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}

public sealed record NoticeUpdateView(Guid Id, string Status, NoticeText Body, DateTime? StartsAt, DateTime? EndsAt, DateTime CreatedAt,
    int Notified, DateTime? DeliveredAt, int Subscribers, DateTime? SubscribersAt)
{
    public static NoticeUpdateView From(NoticeUpdate u) => new(u.Id, u.Status, new NoticeText(u.BodyEn, u.BodyIt),
        u.StartsAt is { } s ? NoticeSummary.Utc(s) : null, u.EndsAt is { } e ? NoticeSummary.Utc(e) : null, NoticeSummary.Utc(u.CreatedAt),
        u.Notified, u.DeliveredAt is { } d ? NoticeSummary.Utc(d) : null, u.Subscribers, u.SubscribersAt is { } m ? NoticeSummary.Utc(m) : null);
}

/// <summary>Per channel: the inbox rows written, and the mails by their delivery state.</summary>
public sealed record NoticeDelivery(int InboxRows, int Read, int MailsPending, int MailsSent, int MailsFailed, int MailsBounced, List<NoticeFailure> Failures);

public sealed record NoticeFailure(Guid CustomerId, string Address, string State, string? Error, Guid UpdateId);

/// <param name="LinkedTickets">Tickets opened about a covered service while it was under way; <paramref name="Tickets"/> lists the latest <see cref="ReadNotices.MaxTicketsShown"/>.</param>
public sealed record NoticeDetail(NoticeSummary Notice, NoticeText Body, List<NoticeUpdateView> Updates, NoticeDelivery Delivery,
    int LinkedTickets, List<LinkedTicket> Tickets);

/// <summary>One customer a notice reached: their inbox rows (one per update delivered so far; how many read) and their mails by state.</summary>
public sealed record NoticeRecipientView(Guid CustomerId, string Name, string Email, int Notifications, int Read,
    int MailsSent, int MailsPending, int MailsFailed, int MailsBounced);

public sealed record LinkedTicket(Guid Id, string Number, string Subject, string Status, string Department, DateTime CreatedAt);

/// <summary>Admins: the notices, and per notice its updates, who was notified by which channel, and what failed.</summary>
public sealed class ReadNotices(SportelloDb db)
{
    public const int MaxFailuresShown = 100;
    public const int MaxTicketsShown = 100;

    public async Task<List<NoticeSummary>> ListAsync(int take = 200, CancellationToken cancellationToken = default) =>
        (await db.Notices.AsNoTracking().OrderByDescending(n => n.CreatedAt).Take(take).ToListAsync(cancellationToken)).Select(NoticeSummary.From).ToList();

    public async Task<NoticeDetail?> DetailAsync(Guid noticeId, CancellationToken cancellationToken = default)
    {
        if (await db.Notices.AsNoTracking().FirstOrDefaultAsync(n => n.Id == noticeId, cancellationToken) is not { } notice)
        {
            return null;
        }
        var updates = await db.NoticeUpdates.AsNoTracking().Where(u => u.NoticeId == noticeId).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).ToListAsync(cancellationToken);
        var rows = db.Notifications.AsNoTracking().Where(n => n.NoticeId == noticeId);
        var inbox = await rows.CountAsync(cancellationToken);
        var read = await rows.CountAsync(n => n.ReadAt != null, cancellationToken);
        var mails = from n in rows join m in db.OutboxMessages on n.MailId equals m.Id select new { n.UserId, n.NoticeUpdateId, m.ToAddress, m.State, m.LastError };
        var states = await mails.GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        int Count(string state) => states.FirstOrDefault(s => s.Key == state)?.Count ?? 0;
        var failures = await mails.Where(m => m.State == OutboxStates.Failed || m.State == OutboxStates.Bounced).OrderBy(m => m.ToAddress).Take(MaxFailuresShown)
            .Select(m => new NoticeFailure(m.UserId, m.ToAddress, m.State, m.LastError, m.NoticeUpdateId ?? Guid.Empty)).ToListAsync(cancellationToken);
        var linked = db.Tickets.AsNoTracking().Where(t => t.NoticeId == noticeId);
        var tickets = await linked.OrderByDescending(t => t.Id).Take(MaxTicketsShown)
            .Select(t => new LinkedTicket(t.Id, t.Number, t.Subject, t.Status, t.Department, t.CreatedAt)).ToListAsync(cancellationToken);
        return new NoticeDetail(NoticeSummary.From(notice), new NoticeText(notice.BodyEn, notice.BodyIt), updates.Select(NoticeUpdateView.From).ToList(),
            new NoticeDelivery(inbox, read, Count(OutboxStates.Pending), Count(OutboxStates.Sent), Count(OutboxStates.Failed), Count(OutboxStates.Bounced), failures),
            await linked.CountAsync(cancellationToken), [.. tickets.Select(t => t with { CreatedAt = NoticeSummary.Utc(t.CreatedAt) })]);
    }

    /// <summary>Who a notice reached, in customer id order, a page at a time: by which channel, and whether it arrived.</summary>
    public async Task<Paged<NoticeRecipientView>> RecipientsAsync(Guid noticeId, Page page, CancellationToken cancellationToken = default)
    {
        var ids = await db.NoticeRecipients.AsNoTracking().Where(r => r.NoticeId == noticeId && (page.After == null || r.CustomerId > page.After))
            .OrderBy(r => r.CustomerId).Select(r => r.CustomerId).Take(page.Limit + 1).ToListAsync(cancellationToken);
        var people = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.Name, u.Email }).ToDictionaryAsync(u => u.Id, cancellationToken);
        var rows = db.Notifications.AsNoTracking().Where(n => n.NoticeId == noticeId && ids.Contains(n.UserId));
        var inbox = await rows.GroupBy(n => n.UserId).Select(g => new { g.Key, Count = g.Count(), Read = g.Count(n => n.ReadAt != null) })
            .ToDictionaryAsync(g => g.Key, cancellationToken);
        var mails = (await (from n in rows join m in db.OutboxMessages on n.MailId equals m.Id
                    group m by new { n.UserId, m.State } into g select new { g.Key.UserId, g.Key.State, Count = g.Count() })
                .ToListAsync(cancellationToken))
            .ToLookup(m => m.UserId);
        int Mails(Guid id, string state) => mails[id].FirstOrDefault(m => m.State == state)?.Count ?? 0;
        var views = ids.Where(people.ContainsKey).Select(id => new NoticeRecipientView(id, people[id].Name, people[id].Email ?? "",
                inbox.TryGetValue(id, out var i) ? i.Count : 0, i?.Read ?? 0,
                Mails(id, OutboxStates.Sent), Mails(id, OutboxStates.Pending), Mails(id, OutboxStates.Failed), Mails(id, OutboxStates.Bounced)))
            .ToList();
        return page.Cut(views, v => v.CustomerId);
    }

    public Task<bool> ExistsAsync(Guid noticeId, CancellationToken cancellationToken = default) => db.Notices.AnyAsync(n => n.Id == noticeId, cancellationToken);

    /// <summary>Notices not yet resolved, cancelled or completed.</summary>
    public Task<int> OpenCountAsync(CancellationToken cancellationToken = default) => db.Notices.CountAsync(n => n.ClosedAt == null, cancellationToken);

    /// <summary>The locations and products services are in, for the admin's form.</summary>
    public async Task<(List<string> Locations, List<string> Products)> PlacesAsync(CancellationToken cancellationToken = default) =>
        (await db.Services.AsNoTracking().Select(s => s.Location).Distinct().OrderBy(l => l).ToListAsync(cancellationToken),
         await db.Services.AsNoTracking().Select(s => s.Product).Distinct().OrderBy(p => p).ToListAsync(cancellationToken));
}
