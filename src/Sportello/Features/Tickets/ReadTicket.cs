using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Tickets;

/// <summary>
/// A ticket with its conversation, with the access rule applied once (<see cref="TicketViewer"/>): customers see their
/// own and never internal notes; staff the tickets of their departments, with notes, events and each message's trust.
/// Null (404) for anything else.
/// </summary>
public sealed class ReadTicket(SportelloDb db, DeskAccess access, TimeProvider clock)
{
    public Task<TicketResponse?> AsCustomerAsync(Guid customerId, Guid ticketId, CancellationToken cancellationToken = default) =>
        HandleAsync(ticketId, TicketViewer.Customer(customerId), cancellationToken);

    public async Task<TicketResponse?> AsStaffAsync(Guid userId, Guid ticketId, CancellationToken cancellationToken = default) =>
        await HandleAsync(ticketId, TicketViewer.Staff(await access.ScopeAsync(userId, cancellationToken)), cancellationToken);

    private async Task<TicketResponse?> HandleAsync(Guid ticketId, TicketViewer viewer, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // The ticket, its messages and its events as of one moment.
        await using var snapshot = await db.BeginSnapshotAsync(cancellationToken);
        var ticket = await viewer.Visible(db.Tickets.AsNoTracking()).FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        var forCustomer = viewer.IsCustomer;
        var messages = await db.TicketMessages.AsNoTracking().Include(m => m.Attachments)
            .Where(m => m.TicketId == ticketId && (!forCustomer || !m.Internal))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        var detail = TicketResponse.From(ticket, now) with { Messages = messages.Select(MessageView.From).ToList() };
        if (forCustomer)
        {
            return detail;
        }
        var events = await db.TicketEvents.AsNoTracking().Where(e => e.TicketId == ticketId)
            .OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new EventView(e.Kind, e.Detail, e.At, db.Users.Where(u => u.Id == e.ActorId).Select(u => u.Name).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        return detail with { Events = events, Messages = messages.Select(m => MessageView.From(m) with { Trust = m.Trust }).ToList() };
    }
}
