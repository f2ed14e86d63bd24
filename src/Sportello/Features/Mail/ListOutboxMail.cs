using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Mail;

public sealed record OutboxView(
    Guid Id, string MessageId, string Kind, string To, string Subject, DateTime CreatedAt, string State, int Attempts,
    DateTime NextAttemptAt, DateTime? SentAt, string? LastError, Guid? TicketId);

/// <summary>Mail Sportello sends, for admins, newest first: all of it, one state, or the trouble (failed, bounced, retrying).</summary>
public sealed class ListOutboxMail(SportelloDb db)
{
    public async Task<Paged<OutboxView>> PageAsync(string? state, Page page, CancellationToken cancellationToken = default)
    {
        var rows = await Query(InState(state)).Where(m => page.After == null || m.Id < page.After).OrderByDescending(m => m.Id)
            .Take(page.Limit + 1).ToListAsync(cancellationToken);
        return page.Cut(rows, m => m.Id);
    }

    public Task<List<OutboxView>> NewestAsync(string? state, int take, CancellationToken cancellationToken = default) =>
        Query(InState(state)).Take(take).ToListAsync(cancellationToken);

    /// <summary>What needs an admin's eye: given up, bounced, or still retrying after a failed attempt.</summary>
    public Task<List<OutboxView>> TroubleAsync(int take, CancellationToken cancellationToken = default) =>
        Query(db.OutboxMessages.Where(m => m.State == OutboxStates.Failed || m.State == OutboxStates.Bounced
            || (m.State == OutboxStates.Pending && m.Attempts > 0))).Take(take).ToListAsync(cancellationToken);

    private IQueryable<OutboxMessage> InState(string? state) => db.OutboxMessages.Where(m => state == null || m.State == state);

    private static IQueryable<OutboxView> Query(IQueryable<OutboxMessage> source) =>
        source.AsNoTracking()
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => new OutboxView(m.Id, m.MessageId, m.Kind, m.ToAddress, m.Subject, m.CreatedAt, m.State, m.Attempts,
                m.NextAttemptAt, m.SentAt, m.LastError, m.TicketId));
}
