using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Notices;

public sealed record StatusUpdate(Guid Id, string Status, string Title, string Body, DateTime At);

/// <summary>A notice as the public sees it: its words, its window, the locations and products it names; never a customer's service.</summary>
public sealed record StatusNotice(Guid Id, string Kind, string Status, string Title, string Body, DateTime StartsAt, DateTime? EndsAt,
    DateTime? ClosedAt, List<string> Locations, List<string> Products, List<StatusUpdate> Updates);

/// <summary>A location or product and how it is doing now: operational, maintenance or incident.</summary>
public sealed record StatusPlace(string Name, string State);

public sealed record StatusView(List<StatusPlace> Locations, List<StatusPlace> Products, List<StatusNotice> Current,
    List<StatusNotice> Upcoming, List<StatusNotice> History, DateTime Now);

/// <summary>
/// The public status: what is wrong now, what maintenance is coming, per location and product, and the last
/// <see cref="HistoryDays"/> days. Only notices that name a location or a product are public; a notice about specific
/// services is told to their customers and nobody else, and no customer, service name or address is ever shown.
/// </summary>
public sealed class ReadStatus(SportelloDb db, TimeProvider clock, IStringLocalizer<Text> text)
{
    public const int HistoryDays = 90;

    public const string Operational = "operational";
    public const string Maintenance = "maintenance";
    public const string Incident = "incident";

    public async Task<StatusView> HandleAsync(string language, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var notices = await PublicNoticesAsync(language, cancellationToken);
        var current = notices.Where(n => n.ClosedAt is null && (n.Kind == NoticeKinds.Incident || n.StartsAt <= now)).ToList();
        var upcoming = notices.Where(n => n.ClosedAt is null && n.Kind != NoticeKinds.Incident && n.StartsAt > now).OrderBy(n => n.StartsAt).ToList();
        var history = notices.Where(n => n.ClosedAt is not null).OrderByDescending(n => n.ClosedAt).ToList();
        string State(Func<StatusNotice, List<string>> names, string name) =>
            current.Any(n => n.Kind == NoticeKinds.Incident && names(n).Contains(name)) ? Incident
            : current.Any(n => names(n).Contains(name)) ? Maintenance : Operational;
        var locations = await db.Services.AsNoTracking().Select(s => s.Location).Distinct().OrderBy(l => l).ToListAsync(cancellationToken);
        var products = await db.Services.AsNoTracking().Select(s => s.Product).Distinct().OrderBy(p => p).ToListAsync(cancellationToken);
        return new StatusView(
            [.. locations.Select(l => new StatusPlace(l, State(n => n.Locations, l)))],
            [.. products.Select(p => new StatusPlace(p, State(n => n.Products, p)))],
            current, upcoming, history, now);
    }

    /// <summary>The public notices open now or closed within <see cref="HistoryDays"/> days, newest first, with their updates, in <paramref name="language"/>.</summary>
    public async Task<List<StatusNotice>> PublicNoticesAsync(string language, CancellationToken cancellationToken = default)
    {
        var since = clock.GetUtcNow().UtcDateTime.AddDays(-HistoryDays);
        var notices = (await db.Notices.AsNoTracking().Where(n => n.ClosedAt == null || n.ClosedAt >= since)
                .OrderByDescending(n => n.CreatedAt).ToListAsync(cancellationToken))
            .Where(n => n.Public).ToList();
        var ids = notices.Select(n => n.Id).ToList();
        var updates = (await db.NoticeUpdates.AsNoTracking().Where(u => ids.Contains(u.NoticeId)).ToListAsync(cancellationToken))
            .ToLookup(u => u.NoticeId);
        return Outbox.InLanguage(language, () =>
        {
            string T(string english, object[] values) => values.Length == 0 ? text[english].Value : text[english, values].Value;
            return notices.Select(n => new StatusNotice(n.Id, n.Kind, n.Status, n.Title(language), n.Body(language), Utc(n.StartsAt),
                    n.EndsAt is { } end ? Utc(end) : null, n.ClosedAt is { } closed ? Utc(closed) : null, n.Locations, n.Products,
                    [.. updates[n.Id].OrderByDescending(u => u.CreatedAt).ThenByDescending(u => u.Id)
                        .Select(u => new StatusUpdate(u.Id, u.Status, NoticeWords.Title(T, n, u, language), Words(T, n, u, language), Utc(u.CreatedAt)))]))
                .ToList();
        });
    }

    // What an update says, without the window (the page shows it once, in the reader's zone).
    private static string Words(Func<string, object[], string> t, Notice notice, NoticeUpdate update, string language)
    {
        var body = NoticeWords.Body(t, notice, update, language, "UTC");
        var window = NoticeWords.When(t, notice, "UTC");
        return body.EndsWith(window, StringComparison.Ordinal) ? body[..^window.Length].TrimEnd() : body;
    }

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
