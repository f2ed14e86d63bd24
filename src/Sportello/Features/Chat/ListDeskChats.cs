using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>Waiting and active chats of the agent's departments (admins every one), the longest wait first.</summary>
public sealed class ListDeskChats(SportelloDb db, ChatAccess access, TimeProvider clock)
{
    public async Task<Paged<ChatSummary>> HandleAsync(Guid userId, Page page, CancellationToken cancellationToken = default)
    {
        var scope = await access.ScopeAsync(userId, cancellationToken);
        var departments = scope.IsAdmin ? null : scope.Departments.ToList();
        // Ids are time-ordered: oldest chat first, and the cursor is the last id seen.
        var rows = await db.Conversations.AsNoTracking()
            .Where(c => c.Status != ChatStatus.Closed && (departments == null || departments.Contains(c.Department)))
            .Where(c => page.After == null || c.Id > page.After)
            .OrderBy(c => c.Id).Take(page.Limit + 1)
            .Select(c => new ChatSummary(c.Id, c.Status, c.Department, c.WaitingSince, c.AcceptedAt, c.CustomerId != null,
                c.CustomerId == null ? null : new ChatCustomerView(c.CustomerId.Value, db.Users.Where(u => u.Id == c.CustomerId).Select(u => u.Name).First()),
                c.VisitorName, c.AgentId, c.LastSeq, c.TicketId))
            .ToListAsync(cancellationToken);
        var pickup = await db.SlaPolicies.Where(p => p.Channel == Tickets.Channels.Chat && p.Priority == Tickets.Priorities.Normal)
            .Select(p => p.PickupSeconds).FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var timed = rows.Select(c => c with
        {
            PickupDueAt = c.Status == ChatStatus.Waiting ? Sla.ChatPickup.DueAt(c.WaitingSince, pickup) : null,
            SlaState = Sla.ChatPickup.StateOf(c.Status == ChatStatus.Waiting, c.WaitingSince, pickup, now),
        }).ToList();
        return page.Cut(timed, c => c.Id);
    }
}
