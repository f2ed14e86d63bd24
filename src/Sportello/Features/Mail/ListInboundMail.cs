using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Mail.Inbound;
using Sportello.Web;

namespace Sportello.Features.Mail;

public sealed record InboundView(
    Guid Id, string Source, DateTime ReceivedAt, string? RemoteAddress, string? EnvelopeFrom, string? From, string? Subject,
    string State, string? Outcome, string? Reason, string? Authentication, Guid? TicketId, DateTime? ProcessedAt, long Size)
{
    /// <summary>The abuse case it reported to or answered.</summary>
    public Guid? AbuseCaseId { get; init; }
}

/// <summary>Stored inbound mail for admins, newest first, optionally in one state (say, quarantined).</summary>
public sealed class ListInboundMail(SportelloDb db)
{
    /// <summary>A page; ids are time-ordered, so newest first is descending id.</summary>
    public async Task<Paged<InboundView>> PageAsync(string? state, Page page, CancellationToken cancellationToken = default)
    {
        var rows = await Query(state).Where(m => page.After == null || m.Id < page.After).OrderByDescending(m => m.Id)
            .Take(page.Limit + 1).ToListAsync(cancellationToken);
        return page.Cut(rows, m => m.Id);
    }

    /// <summary>The newest <paramref name="take"/> (the older API's <c>take</c>, and the admin page's short lists).</summary>
    public Task<List<InboundView>> NewestAsync(string? state, int take, CancellationToken cancellationToken = default) =>
        Query(state).Take(take).ToListAsync(cancellationToken);

    public Task<List<InboundView>> QuarantinedAsync(int take, CancellationToken cancellationToken = default) =>
        NewestAsync(InboundStates.Quarantined, take, cancellationToken);

    private IQueryable<InboundView> Query(string? state) =>
        db.InboundMessages.AsNoTracking()
            .Where(m => state == null || m.State == state)
            .OrderByDescending(m => m.ReceivedAt)
            .Select(m => new InboundView(m.Id, m.Source, m.ReceivedAt, m.RemoteAddress, m.EnvelopeFrom, m.FromAddress, m.Subject,
                m.State, m.Outcome, m.Reason, m.Authentication, m.TicketId, m.ProcessedAt, m.Size) { AbuseCaseId = m.AbuseCaseId });
}
