using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Search;

/// <summary>One ticket found: why (an exact reference, or its text), and the passage that matched.</summary>
public sealed record SearchHit(Ticket Ticket, Snippet Snippet, bool Reference);

/// <summary>
/// Ticket search, for the Desk (its departments only, internal notes included) and for a customer (their own tickets,
/// public text only): the API and the pages call it alike. An exact reference (ticket number, order number, IP
/// address) ranks first, on the first page; then the text matches, most recently active first, a page at a time.
/// </summary>
public sealed class SearchTickets(SportelloDb db, DeskAccess access)
{
    private const int MaxReferences = 10;

    public sealed record Filters(
        string? Q, string? Department = null, string? Status = null, string? Priority = null, string? Channel = null,
        string? From = null, string? To = null, int? Limit = null, string? Cursor = null);

    public sealed record Result(List<SearchHit> Hits, ValidationErrors Errors, string? NextCursor, int Limit, SearchQuery? Query);

    public Task<Result> AsStaffAsync(Guid userId, Filters filters, CancellationToken cancellationToken = default) =>
        SearchAsync(userId, customerId: null, filters, cancellationToken);

    public Task<Result> AsCustomerAsync(Guid customerId, Filters filters, CancellationToken cancellationToken = default) =>
        SearchAsync(customerId, customerId, filters, cancellationToken);

    private async Task<Result> SearchAsync(Guid userId, Guid? customerId, Filters filters, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var department = Blank(filters.Department);
        if (department is not null && !Departments.All.Contains(department))
        {
            errors.Add("department", "department must be one of: {0}.", string.Join(", ", Departments.All));
        }
        var status = Blank(filters.Status);
        if (status is not null && !TicketStatus.All.Contains(status))
        {
            errors.Add("status", "status must be one of: {0}.", string.Join(", ", TicketStatus.All));
        }
        var priority = Blank(filters.Priority);
        if (priority is not null && !Priorities.All.Contains(priority))
        {
            errors.Add("priority", "priority must be one of: {0}.", string.Join(", ", Priorities.All));
        }
        var channel = Blank(filters.Channel);
        if (channel is not null && !Channels.All.Contains(channel))
        {
            errors.Add("channel", "channel must be one of: {0}.", string.Join(", ", Channels.All));
        }
        var from = Instant(filters.From, "from", errors, endOfDay: false);
        var to = Instant(filters.To, "to", errors, endOfDay: true);
        var request = SearchRequest.Read(filters.Q, filters.Limit, filters.Cursor, errors);
        var (limit, before) = (request.Limit, request.Before);
        if (request is not { Valid: true, Query: { } query })
        {
            return new Result([], errors, null, limit, request.Query);
        }

        // Who may see what: a customer their own tickets; staff the departments they work. Then the filters.
        var tickets = customerId is { } customer
            ? db.Tickets.AsNoTracking().Where(t => t.CustomerId == customer)
            : (await access.ScopeAsync(userId, cancellationToken)).Tickets(db.Tickets.AsNoTracking());
        if (department is not null)
        {
            tickets = tickets.Where(t => t.Department == department);
        }
        if (status is not null)
        {
            tickets = tickets.Where(t => t.Status == status);
        }
        if (priority is not null)
        {
            tickets = tickets.Where(t => t.Priority == priority);
        }
        if (channel is not null)
        {
            tickets = tickets.Where(t => t.Channel == channel);
        }
        if (from is { } after)
        {
            tickets = tickets.Where(t => t.CreatedAt >= after);
        }
        if (to is { } until)
        {
            tickets = tickets.Where(t => t.CreatedAt <= until);
        }

        var references = query.Reference is { } reference ? await ReferencesAsync(tickets, reference, cancellationToken) : [];
        var referenceIds = references.Select(t => t.Id).ToList();
        var (found, next) = await SearchStore.PageAsync(db, query, customerId, SearchKinds.Ticket,
            tickets.Where(t => !referenceIds.Contains(t.Id)), t => t.Id, before, limit, cancellationToken);
        var shown = (before is null ? references : []).Select(t => (t, true)).Concat(found.Select(t => (t, false))).ToList();
        var snippets = await SnippetsAsync(query, shown.Select(s => s.Item1).ToList(), internalNotes: customerId is null, cancellationToken);
        var hits = shown.Select(s => new SearchHit(s.Item1, snippets[s.Item1.Id], s.Item2)).ToList();
        return new Result(hits, errors, next, limit, query);
    }

    private async Task<List<Ticket>> ReferencesAsync(IQueryable<Ticket> tickets, SearchReference reference, CancellationToken cancellationToken)
    {
        if (reference.TicketNumber is { } number)
        {
            tickets = tickets.Where(t => t.Number == number);
        }
        else if (reference.OrderNumber is { } order)
        {
            tickets = tickets.Where(t => db.Services.Any(s => s.Id == t.ServiceId && s.OrderNumber == order)
                || db.Orders.Any(o => o.Id == t.OrderId && o.Number == order));
        }
        else if (reference.IpAddress is { } ip)
        {
            tickets = tickets.Where(t => db.ServiceAddresses.Any(a => a.ServiceId == t.ServiceId && a.Address == ip));
        }
        return await tickets.OrderByDescending(t => t.UpdatedAt).Take(MaxReferences).ToListAsync(cancellationToken);
    }

    // The passage that matched: the newest message that has a match (public ones only for customers), else the subject.
    private async Task<Dictionary<Guid, Snippet>> SnippetsAsync(SearchQuery query, List<Ticket> tickets, bool internalNotes, CancellationToken cancellationToken)
    {
        var ids = tickets.Select(t => t.Id).ToList();
        var bodies = (await db.TicketMessages.AsNoTracking()
            .Where(m => ids.Contains(m.TicketId) && (internalNotes || !m.Internal))
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Select(m => new { m.TicketId, Body = m.Body.Length > 20_000 ? m.Body.Substring(0, 20_000) : m.Body })
            .ToListAsync(cancellationToken)).ToLookup(m => m.TicketId, m => m.Body);
        var snippets = new Dictionary<Guid, Snippet>();
        foreach (var ticket in tickets)
        {
            snippets[ticket.Id] = Snippet.Of(query, bodies[ticket.Id].Append(ticket.Subject));
        }
        return snippets;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // A day (2026-11-01: its start, or its end for "to") or an instant (ISO 8601, UTC unless an offset is given).
    private static DateTime? Instant(string? value, string field, ValidationErrors errors, bool endOfDay)
    {
        if (Blank(value) is not { } text)
        {
            return null;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day.ToDateTime(endOfDay ? TimeOnly.MaxValue : TimeOnly.MinValue, DateTimeKind.Utc);
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            && text.Contains('T', StringComparison.Ordinal))
        {
            return instant.UtcDateTime;
        }
        errors.Add(field, "{0} must be a date (2026-11-01) or an instant (2026-11-01T09:00:00Z).", field);
        return null;
    }
}
