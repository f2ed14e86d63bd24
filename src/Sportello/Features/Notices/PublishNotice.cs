using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Notices;

/// <summary><c>POST /admin/notices</c> and the admin page's form.</summary>
public sealed record NoticeRequest(string? Kind, NoticeText? Title, NoticeText? Body, string? StartsAt, string? EndsAt, string? TimeZone, NoticeAffects? Affects);

/// <summary>Whom a notice would reach, before it is published: counts and the first customers with their services.</summary>
public sealed record NoticePreview(int Customers, int Services, List<NoticePreviewCustomer> Sample);

public sealed record NoticePreviewCustomer(Guid Id, string Name, string Email, List<string> Services);

/// <summary>
/// Publishes a notice: checks it, stores it with its first update, and counts the customers it reaches. The inbox rows
/// and the mails are written by <see cref="NoticeFanOut"/>, never in the admin's request.
/// </summary>
public sealed class PublishNotice(SportelloDb db, TimeProvider clock, NoticeWake wake, IOptions<NoticeOptions> options)
{
    public const int MaxTitle = 200;
    public const int MaxBody = 10_000;
    public const int MaxTargets = 500;
    public const int SampleSize = 10;

    private sealed record Draft(string Kind, NoticeText Title, NoticeText Body, DateTime StartsAt, DateTime? EndsAt,
        List<string> Locations, List<string> Products, List<Guid> ServiceIds);

    public async Task<Outcome<NoticePreview>> PreviewAsync(NoticeRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var draft = await CheckAsync(request, errors, cancellationToken);
        if (draft is null)
        {
            return Outcome<NoticePreview>.Invalid(errors);
        }
        var affected = NoticeTargets.Affected(db.Services.AsNoTracking(), draft.Locations, draft.Products, draft.ServiceIds);
        var customers = await affected.Select(s => s.CustomerId).Distinct().CountAsync(cancellationToken);
        var services = await affected.CountAsync(cancellationToken);
        var firstCustomers = await affected.Select(s => s.CustomerId).Distinct().OrderBy(c => c).Take(SampleSize).ToListAsync(cancellationToken);
        var people = await db.Users.AsNoTracking().Where(u => firstCustomers.Contains(u.Id))
            .Select(u => new { u.Id, u.Name, u.Email }).ToListAsync(cancellationToken);
        var theirs = await affected.Where(s => firstCustomers.Contains(s.CustomerId)).Select(s => new { s.CustomerId, s.Name }).ToListAsync(cancellationToken);
        var sample = people.OrderBy(p => p.Name, StringComparer.CurrentCulture)
            .Select(p => new NoticePreviewCustomer(p.Id, p.Name, p.Email ?? "",
                [.. theirs.Where(s => s.CustomerId == p.Id).Select(s => s.Name).Order(StringComparer.CurrentCulture)]))
            .ToList();
        return Outcome<NoticePreview>.Ok(new NoticePreview(customers, services, sample));
    }

    public async Task<Outcome<Notice>> HandleAsync(Guid adminId, NoticeRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        if (await CheckAsync(request, errors, cancellationToken) is not { } draft)
        {
            return Outcome<Notice>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var notice = new Notice
        {
            Kind = draft.Kind,
            TitleEn = draft.Title.En ?? "", TitleIt = draft.Title.It ?? "",
            BodyEn = draft.Body.En ?? "", BodyIt = draft.Body.It ?? "",
            StartsAt = draft.StartsAt, EndsAt = draft.EndsAt,
            Status = NoticeStatuses.First(draft.Kind),
            Locations = draft.Locations, Products = draft.Products, ServiceIds = draft.ServiceIds,
            CreatedAt = now, CreatedById = adminId,
        };
        notice.ReminderSentAt = ReminderWaived(notice, now, options.Value);
        // Counted here, for the answer; the worker writes the rows (the same rule, a moment later).
        notice.Recipients = await NoticeTargets.Affected(db.Services, notice).Select(s => s.CustomerId).Distinct().CountAsync(cancellationToken);
        db.Notices.Add(notice);
        db.NoticeUpdates.Add(new NoticeUpdate
        {
            NoticeId = notice.Id, Status = notice.Status, Opening = true, BodyEn = notice.BodyEn, BodyIt = notice.BodyIt,
            StartsAt = notice.StartsAt, EndsAt = notice.EndsAt, CreatedAt = now, AuthorId = adminId,
        });
        await db.SaveChangesAsync(cancellationToken);
        wake.Wake();
        return Outcome<Notice>.Ok(notice);
    }

    /// <summary>
    /// A maintenance or change gets a reminder <see cref="NoticeOptions.ReminderHours"/> before it starts; one that
    /// starts sooner than that after it is announced needs none (the announcement is the reminder).
    /// </summary>
    internal static DateTime? ReminderWaived(Notice notice, DateTime now, NoticeOptions options) =>
        notice.Kind == NoticeKinds.Incident || notice.StartsAt.AddHours(-options.ReminderHours) <= now ? now : null;

    private async Task<Draft?> CheckAsync(NoticeRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        var kind = request.Kind?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(kind))
        {
            errors.Add("kind", "kind is required: maintenance, incident or change.");
        }
        else if (!NoticeKinds.All.Contains(kind))
        {
            errors.Add("kind", "kind must be maintenance, incident or change.");
        }
        var title = Words(request.Title, "title", MaxTitle, errors);
        var body = Words(request.Body, "body", MaxBody, errors);
        var zone = NoticeTimes.Zone(request.TimeZone, errors);
        var startsAt = NoticeTimes.Parse(request.StartsAt, zone, "startsAt", errors);
        var endsAt = NoticeTimes.Parse(request.EndsAt, zone, "endsAt", errors);
        if (startsAt is null && !errors.Has("startsAt") && !errors.Has("timeZone"))
        {
            if (kind == NoticeKinds.Incident)
            {
                // An incident has already started: now, unless the admin says since when.
                startsAt = clock.GetUtcNow().UtcDateTime;
            }
            else
            {
                errors.Add("startsAt", "startsAt is required: when does it start?");
            }
        }
        if (startsAt is not null && endsAt is not null && endsAt <= startsAt)
        {
            errors.Add("endsAt", "endsAt must be after startsAt.");
        }
        var affects = request.Affects;
        var locations = Names(affects?.Locations, "affects.locations", errors);
        var products = Names(affects?.Products, "affects.products", errors);
        var serviceIds = (affects?.ServiceIds ?? []).Distinct().ToList();
        var orders = (affects?.OrderNumbers ?? []).Select(o => (o ?? "").Trim().TrimStart('#')).Distinct().ToList();
        if (orders.Count > MaxTargets || orders.Any(o => o.Length != 6 || !o.All(char.IsAsciiDigit)))
        {
            errors.Add("affects.orderNumbers", "affects.orderNumbers holds order numbers of six digits, at most {0}.", MaxTargets);
        }
        else if (orders.Count > 0)
        {
            var found = await db.Services.Where(s => orders.Contains(s.OrderNumber)).Select(s => new { s.Id, s.OrderNumber }).ToListAsync(cancellationToken);
            if (orders.FirstOrDefault(o => found.All(f => f.OrderNumber != o)) is { } unknown)
            {
                errors.Add("affects.orderNumbers", "No service has the order number #{0}.", unknown);
            }
            serviceIds = [.. serviceIds.Union(found.Select(f => f.Id))];
        }
        if (serviceIds.Count > MaxTargets * 2)
        {
            errors.Add("affects.serviceIds", "At most {0} services.", MaxTargets * 2);
        }
        else if (serviceIds.Count > 0 && await db.Services.CountAsync(s => serviceIds.Contains(s.Id), cancellationToken) != serviceIds.Count)
        {
            errors.Add("affects.serviceIds", "affects.serviceIds names a service that does not exist.");
        }
        if (locations.Count + products.Count + serviceIds.Count == 0 && !errors.Has("affects.locations") && !errors.Has("affects.products") && !errors.Has("affects.orderNumbers"))
        {
            errors.Add("affects", "affects must name at least one location, product or service.");
        }
        return errors.Any ? null : new Draft(kind!, title!, body!, startsAt!.Value, endsAt, locations, products, serviceIds);
    }

    /// <summary>A title or body in English, Italian or both: at least one, each within <paramref name="max"/> characters.</summary>
    internal static NoticeText? Words(NoticeText? text, string field, int max, ValidationErrors errors, bool required = true)
    {
        var en = Clean(text?.En);
        var it = Clean(text?.It);
        if (en is null && it is null)
        {
            if (required)
            {
                errors.Add(field, "{0} is required, in English, Italian or both.", field);
            }
            return required ? null : new NoticeText(null, null);
        }
        if ((en?.Length ?? 0) > max || (it?.Length ?? 0) > max)
        {
            errors.Add(field, "{0} is at most {1} characters.", field, max);
            return null;
        }
        return new NoticeText(en, it);
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static List<string> Names(List<string>? names, string field, ValidationErrors errors)
    {
        var list = (names ?? []).Select(n => n?.Trim() ?? "").ToList();
        if (list.Count > MaxTargets)
        {
            errors.Add(field, "At most {0} entries.", MaxTargets);
        }
        else if (list.Any(n => n.Length == 0 || n.Length > 100))
        {
            errors.Add(field, "{0} holds names of 1 to 100 characters.", field);
        }
        return [.. list.Distinct(StringComparer.Ordinal)];
    }
}

public sealed class NoticeOptions
{
    public const string Section = "Sportello:Notices";
    /// <summary>Hours before a maintenance window starts that its customers are reminded.</summary>
    public int ReminderHours { get; set; } = 24;
    /// <summary>Whether this node runs the fan-out (every node may: batches are claimed, never written twice).</summary>
    public bool FanOut { get; set; } = true;
    /// <summary>Customers resolved, or notified in their inbox, per transaction of the fan-out.</summary>
    public int BatchSize { get; set; } = 2000;
    /// <summary>Email copies composed and added to the outbox per transaction (after the inbox rows).</summary>
    public int MailBatchSize { get; set; } = 500;
}
