using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Services;
using Sportello.Features.Tickets;

namespace Sportello.Features.Chat;

/// <summary>
/// A chat as the Desk's console shows it: the conversation (internal notes too), who the visitor is, and, for a
/// verified customer only, their services and open tickets. Null (404) outside the agent's departments.
/// </summary>
public sealed class ReadDeskChat(SportelloDb db, ChatAccess access, ReadChat read, ListServices services, DeskAccess desk)
{
    public sealed record View(
        Conversation Chat, List<ChatMessageView> Messages, User? Customer, List<Service> Services, List<Ticket> OpenTickets,
        string? TicketNumber, List<ReadDeskTicket.Person> Agents);

    public async Task<View?> HandleAsync(Guid userId, Guid conversationId, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(userId, conversationId, cancellationToken) is not { } chat
            || (await read.AsStaffAsync(userId, conversationId, 0, cancellationToken))?.Value is not { } messages)
        {
            return null;
        }
        User? customer = null;
        List<Service> owned = [];
        List<Ticket> open = [];
        // Account data only for a verified chat: an anonymous visitor gets general answers.
        if (chat.CustomerId is { } customerId)
        {
            customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
            owned = await services.AllAsync(customerId, cancellationToken);
            open = await db.Tickets.AsNoTracking().Where(t => t.CustomerId == customerId && t.Status != TicketStatus.Closed)
                .OrderByDescending(t => t.Id).Take(10).ToListAsync(cancellationToken);
        }
        var number = chat.TicketId is { } ticketId
            ? await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.Number).FirstOrDefaultAsync(cancellationToken)
            : null;
        var agents = await desk.AgentsOf(chat.Department).AsNoTracking().Where(u => u.Id != userId).OrderBy(u => u.Name)
            .Select(u => new ReadDeskTicket.Person(u.Id, u.Name)).ToListAsync(cancellationToken);
        return new View(chat, messages, customer, owned, open, number, agents);
    }
}
