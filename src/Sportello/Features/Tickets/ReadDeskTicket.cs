using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Services;

namespace Sportello.Features.Tickets;

/// <summary>
/// What an agent sees beside a ticket on the Desk: the conversation (<see cref="ReadTicket"/>), the customer's account
/// and services, their other tickets in the agent's departments, and who may take it. Null (404) outside the agent's scope.
/// </summary>
public sealed class ReadDeskTicket(SportelloDb db, ReadTicket readTicket, DeskAccess access, ListServices services, TicketDocuments documents)
{
    public sealed record Person(Guid Id, string Name);

    public sealed record LinkedNotice(Guid Id, string Kind, string Status, string Title, int LinkedTickets);

    /// <param name="Customer">Null when a stranger wrote by mail: then there is no account, and no account data to share.</param>
    public sealed record View(
        TicketResponse Ticket, Ticket Requester, User? Customer, List<Service> Services, List<Ticket> OtherTickets, List<Person> Agents)
    {
        /// <summary>The chat this ticket came from, when an agent escalated one.</summary>
        public Guid? ChatId { get; init; }

        /// <summary>The incident or maintenance the ticket is linked to, with how many tickets are.</summary>
        public LinkedNotice? Notice { get; init; }

        /// <summary>The customer's invoice or order a financial ticket names.</summary>
        public IReadOnlyList<TicketDocument> Documents { get; init; } = [];

        public string? AssigneeName => Agents.FirstOrDefault(a => a.Id == Ticket.AssigneeId)?.Name;
    }

    public async Task<View?> HandleAsync(Guid userId, Guid ticketId, CancellationToken cancellationToken = default)
    {
        if (await readTicket.AsStaffAsync(userId, ticketId, cancellationToken) is not { } detail)
        {
            return null;
        }
        var scope = await access.ScopeAsync(userId, cancellationToken);
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId, cancellationToken);
        User? customer = null;
        List<Service> owned = [];
        List<Ticket> others = [];
        if (ticket.CustomerId is { } customerId)
        {
            customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
            owned = await services.AllAsync(customerId, cancellationToken);
            others = await scope.Tickets(db.Tickets.AsNoTracking()).Where(t => t.CustomerId == customerId && t.Id != ticketId)
                .OrderByDescending(t => t.Id).Take(20).ToListAsync(cancellationToken);
        }
        var agents = await access.AgentsOf(ticket.Department).AsNoTracking().OrderBy(u => u.Name)
            .Select(u => new Person(u.Id, u.Name)).ToListAsync(cancellationToken);
        LinkedNotice? linked = null;
        if (ticket.NoticeId is { } noticeId && await db.Notices.AsNoTracking().FirstOrDefaultAsync(n => n.Id == noticeId, cancellationToken) is { } notice)
        {
            var language = System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en";
            linked = new LinkedNotice(notice.Id, notice.Kind, notice.Status, notice.Title(language),
                await db.Tickets.CountAsync(t => t.NoticeId == noticeId, cancellationToken));
        }
        var named = await documents.ReadAsync(ticket.CustomerId, ticket.InvoiceId, ticket.OrderId, cancellationToken);
        return new View(detail, ticket, customer, owned, others, agents) { ChatId = ticket.SourceChatId, Notice = linked, Documents = named.Summaries };
    }
}
