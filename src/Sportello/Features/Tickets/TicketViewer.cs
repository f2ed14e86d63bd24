using Sportello.Features.Accounts;

namespace Sportello.Features.Tickets;

/// <summary>
/// Who is looking at tickets, and so which ones exist for them: a customer, their own (never internal notes); staff,
/// the tickets of their <see cref="DeskScope"/>. Everything else answers exactly like a missing ticket.
/// </summary>
public sealed record TicketViewer(Guid? CustomerId, DeskScope? Desk)
{
    public static TicketViewer Customer(Guid customerId) => new(customerId, null);

    public static TicketViewer Staff(DeskScope scope) => new(null, scope);

    public bool IsCustomer => CustomerId is not null;

    public IQueryable<Ticket> Visible(IQueryable<Ticket> tickets) =>
        CustomerId is { } customer ? tickets.Where(t => t.CustomerId == customer) : (Desk ?? DeskScope.Nobody).Tickets(tickets);
}
