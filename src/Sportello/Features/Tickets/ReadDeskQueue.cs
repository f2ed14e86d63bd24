using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>
/// The tickets waiting on support, in working order: High before Normal, then by the due time of the running
/// target (first response, else next response), oldest first among equals.
/// </summary>
public sealed class ReadDeskQueue(SportelloDb db, DeskAccess access, TimeProvider clock)
{
    public sealed record Query(string? Department, string? Status, string? Assignee, int? Limit, string? Cursor);

    public sealed record Result(List<TicketResponse> Tickets, ValidationErrors Errors, string? NextCursor, int Limit);

    /// <summary>The queue as <paramref name="userId"/> sees it: only the departments they work (admins every one).</summary>
    public async Task<Result> HandleAsync(Guid userId, Query query, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var department = Blank(query.Department);
        if (department is not null && !Departments.All.Contains(department))
        {
            errors.Add("department", "department must be 'technical' or 'financial'.");
        }
        var status = Blank(query.Status);
        if (status is not null && !TicketStatus.WaitingOnSupport.Contains(status))
        {
            errors.Add("status", "status must be 'open' or 'customer-reply' (the queue holds tickets waiting on support).");
        }
        var assignee = Blank(query.Assignee);
        Guid? assigneeId = null;
        if (assignee is not null && assignee is not ("me" or "none"))
        {
            if (Guid.TryParse(assignee, out var id))
            {
                assigneeId = id;
            }
            else
            {
                errors.Add("assignee", "assignee must be 'me', 'none' or an agent's id.");
            }
        }
        var limit = query.Limit ?? Page.DefaultLimit;
        if (limit is < 1 or > Page.MaxLimit)
        {
            errors.Add("limit", "limit must be between 1 and {0}.", Page.MaxLimit);
        }
        var offset = 0;
        if (!string.IsNullOrEmpty(query.Cursor) && (!int.TryParse(query.Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            errors.Add("cursor", "cursor is not one this API handed out.");
        }
        if (errors.Any)
        {
            return new Result([], errors, null, limit);
        }

        var me = userId;
        var scope = await access.ScopeAsync(userId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        // Only the departments the reader works: another department's tickets are not there, even when named.
        var tickets = scope.Tickets(db.Tickets.AsNoTracking()).Where(t => t.QueueRank != null);
        if (department is not null)
        {
            tickets = tickets.Where(t => t.Department == department);
        }
        if (status is not null)
        {
            tickets = tickets.Where(t => t.Status == status);
        }
        tickets = assignee switch
        {
            "me" => tickets.Where(t => t.AssigneeId == me),
            "none" => tickets.Where(t => t.AssigneeId == null),
            _ when assigneeId is not null => tickets.Where(t => t.AssigneeId == assigneeId),
            _ => tickets,
        };
        var rows = await tickets
            .OrderBy(t => t.QueueRank)
            .ThenBy(t => t.DueAt)
            .ThenBy(t => t.CreatedAt)
            .ThenBy(t => t.Id)
            .Skip(offset).Take(limit + 1).ToListAsync(cancellationToken);
        var next = rows.Count > limit ? (offset + limit).ToString(CultureInfo.InvariantCulture) : null;
        return new Result(rows.Take(limit).Select(t => TicketResponse.From(t, now)).ToList(), errors, next, limit);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();
}
