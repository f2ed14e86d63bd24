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
        QueuePosition? after = null;
        if (!string.IsNullOrEmpty(query.Cursor) && (after = QueuePosition.Parse(query.Cursor)) is null)
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
        // The queue is the tickets with a rank: the first page asks for one, each later range names its rank.
        var tickets = scope.Tickets(db.Tickets.AsNoTracking());
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
        var rows = await PageAsync(tickets, after, limit + 1, cancellationToken);
        var next = rows.Count > limit ? QueuePosition.Of(rows[limit - 1]).ToString() : null;
        return new Result(rows.Take(limit).Select(t => TicketResponse.From(t, now)).ToList(), errors, next, limit);
    }

    // Keyset paging: a page starts right after the last ticket seen, so a deep page costs what the first does
    // (an OFFSET walked every ticket before it). The order's key is the queue index's, ending in Id so it is total.
    private async Task<List<Ticket>> PageAsync(IQueryable<Ticket> tickets, QueuePosition? after, int take, CancellationToken cancellationToken)
    {
        if (after is null)
        {
            return await InQueueOrder(tickets.Where(t => t.QueueRank != null)).Take(take).ToListAsync(cancellationToken);
        }
        var rows = new List<Ticket>(take);
        foreach (var segment in After(tickets, after))
        {
            rows.AddRange(await InQueueOrder(segment).Take(take - rows.Count).ToListAsync(cancellationToken));
            if (rows.Count == take)
            {
                break;
            }
        }
        return rows;
    }

    private static IQueryable<Ticket> InQueueOrder(IQueryable<Ticket> tickets) =>
        tickets.OrderBy(t => t.QueueRank).ThenBy(t => t.DueAt).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id);

    /// <summary>
    /// What follows <paramref name="at"/> in queue order, as index ranges read one after another: the rest of its rank
    /// from its due time on, then the later ranks. An unset due time sorts first on SQLite and last on PostgreSQL.
    /// Each range names its rank (which implies one is set, so the queue's partial index serves it) and does not ask
    /// for a rank besides: PostgreSQL would count that condition as independent of the others and expect a hundredth
    /// of the tickets it reads, then bitmap-scan and sort every ticket after the cursor instead of walking the index
    /// (a deep page at 100,000 went from 2 to 12 ms with the queue's index partial).
    /// </summary>
    private IEnumerable<IQueryable<Ticket>> After(IQueryable<Ticket> tickets, QueuePosition at)
    {
        var nullsFirst = db.Database.IsSqlite();
        var (rank, created, id) = (at.Rank, at.CreatedAt, at.Id);
        if (at.DueAt is { } due)
        {
            yield return tickets.Where(t => t.QueueRank == rank && t.DueAt >= due
                && (t.DueAt > due || t.CreatedAt > created || (t.CreatedAt == created && t.Id > id)));
            if (!nullsFirst)
            {
                yield return tickets.Where(t => t.QueueRank == rank && t.DueAt == null);
            }
        }
        else
        {
            yield return tickets.Where(t => t.QueueRank == rank && t.DueAt == null && (t.CreatedAt > created || (t.CreatedAt == created && t.Id > id)));
            if (nullsFirst)
            {
                yield return tickets.Where(t => t.QueueRank == rank && t.DueAt != null);
            }
        }
        yield return tickets.Where(t => t.QueueRank > rank);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();
}

/// <summary>A ticket's place in queue order, as the queue's cursor: rank, due time, creation time and id.</summary>
internal sealed record QueuePosition(int Rank, DateTime? DueAt, DateTime CreatedAt, Guid Id)
{
    public static QueuePosition Of(Ticket ticket) => new(ticket.QueueRank ?? 0, ticket.DueAt, ticket.CreatedAt, ticket.Id);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Rank}.{(DueAt is { } due ? due.Ticks.ToString(CultureInfo.InvariantCulture) : "-")}.{CreatedAt.Ticks}.{Id:N}");

    public static QueuePosition? Parse(string cursor)
    {
        var parts = cursor.Split('.');
        return parts.Length == 4
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rank)
            && (parts[1] == "-" || Ticks(parts[1]) is not null)
            && Ticks(parts[2]) is { } created
            && Guid.TryParseExact(parts[3], "N", out var id)
                ? new QueuePosition(rank, parts[1] == "-" ? null : Ticks(parts[1]), created, id)
                : null;
    }

    private static DateTime? Ticks(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks
            ? new DateTime(ticks, DateTimeKind.Utc)
            : null;
}
