using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Services;

namespace Sportello.Features.Notices;

/// <summary>A notice under way on a customer's service, as the ticket form shows it ("we know, here is the status").</summary>
public sealed record ActiveNotice(Guid Id, string Kind, string Status, string Title, string Body, DateTime StartsAt, DateTime? EndsAt, List<Guid> ServiceIds);

/// <summary>
/// What is under way now on a service: an incident not yet resolved, or a maintenance or change that has started and is
/// not complete (one to come is not under way). Incidents first, then the latest. The rule of which services a notice
/// covers is <see cref="NoticeTargets"/>'s; a ticket opened about such a service is linked to the first of them.
/// </summary>
public sealed class ActiveNotices(SportelloDb db, TimeProvider clock)
{
    /// <summary>The notice a new ticket about <paramref name="service"/> is linked to, if any.</summary>
    public async Task<Guid?> LinkFor(Service service, CancellationToken cancellationToken = default) =>
        (await OpenAsync(cancellationToken)).FirstOrDefault(n => Covers(n, service))?.Id;

    /// <summary>The notices under way on any of the customer's services, in <paramref name="language"/>, each naming which of them it covers.</summary>
    public async Task<List<ActiveNotice>> ForCustomerAsync(Guid customerId, string language, CancellationToken cancellationToken = default)
    {
        var open = await OpenAsync(cancellationToken);
        if (open.Count == 0)
        {
            return [];
        }
        var services = await db.Services.AsNoTracking().Where(s => s.CustomerId == customerId).ToListAsync(cancellationToken);
        return open.Select(n => (Notice: n, Ids: services.Where(s => Covers(n, s)).Select(s => s.Id).ToList()))
            .Where(x => x.Ids.Count > 0)
            .Select(x => new ActiveNotice(x.Notice.Id, x.Notice.Kind, x.Notice.Status, x.Notice.Title(language), x.Notice.Body(language),
                DateTime.SpecifyKind(x.Notice.StartsAt, DateTimeKind.Utc), x.Notice.EndsAt is { } end ? DateTime.SpecifyKind(end, DateTimeKind.Utc) : null, x.Ids))
            .ToList();
    }

    private async Task<List<Notice>> OpenAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.Notices.AsNoTracking().Where(n => n.ClosedAt == null && (n.Kind == NoticeKinds.Incident || n.StartsAt <= now))
            .OrderBy(n => n.Kind == NoticeKinds.Incident ? 0 : 1).ThenByDescending(n => n.StartsAt).ToListAsync(cancellationToken);
    }

    private static bool Covers(Notice notice, Service service) => NoticeTargets.Affected(new[] { service }.AsQueryable(), notice).Any();
}
