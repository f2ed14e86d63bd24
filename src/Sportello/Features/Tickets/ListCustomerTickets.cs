using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>A customer's own tickets, newest first, a page at a time (the API's list and the Client Area's).</summary>
public sealed class ListCustomerTickets(SportelloDb db, TimeProvider clock)
{
    public async Task<Paged<TicketResponse>> HandleAsync(Guid customerId, Page page, CancellationToken cancellationToken = default)
    {
        // Ids are time-ordered (UUIDv7), so newest first is descending id, and the cursor is the last id seen.
        var rows = await db.Tickets.AsNoTracking()
            .Where(t => t.CustomerId == customerId && (page.After == null || t.Id < page.After))
            .OrderByDescending(t => t.Id).Take(page.Limit + 1).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return page.Cut(rows.Select(t => TicketResponse.From(t, now)).ToList(), t => t.Id);
    }

    /// <summary>How many of the customer's tickets are not closed.</summary>
    public Task<int> CountOpenAsync(Guid customerId, CancellationToken cancellationToken = default) =>
        db.Tickets.CountAsync(t => t.CustomerId == customerId && t.Status != TicketStatus.Closed, cancellationToken);
}
