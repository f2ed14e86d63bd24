using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Chat;
using Sportello.Web;

namespace Sportello.Features.Search;

/// <summary>One ended chat found, and the passage of its transcript that matched.</summary>
public sealed record ChatHit(Conversation Chat, Snippet Snippet);

/// <summary>
/// Search of ended chats' transcripts, for the Desk (its departments only, agents' notes included), with the same
/// query language and index as tickets: most recently ended first, a page at a time.
/// </summary>
public sealed class SearchChats(SportelloDb db, DeskAccess access)
{
    public async Task<SearchPage<ChatHit>> AsStaffAsync(Guid userId, string? q, string? department, int? limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        department = string.IsNullOrWhiteSpace(department) ? null : department.Trim();
        if (department is not null && !Departments.All.Contains(department))
        {
            errors.Add("department", "department must be one of: {0}.", string.Join(", ", Departments.All));
        }
        var request = SearchRequest.Read(q, limit, cursor, errors);
        if (request is not { Valid: true, Query: { } query })
        {
            return new([], errors, null, request.Limit);
        }
        var (before, size) = (request.Before, request.Limit);
        var scope = await access.ScopeAsync(userId, cancellationToken);
        var chats = db.Conversations.AsNoTracking().Where(c => scope.IsAdmin || scope.Departments.Contains(c.Department));
        if (department is not null)
        {
            chats = chats.Where(c => c.Department == department);
        }
        var (found, next) = await SearchStore.PageAsync(db, query, null, SearchKinds.Chat, chats, c => c.Id, before, size, cancellationToken);
        var ids = found.Select(c => c.Id).ToList();
        var bodies = (await db.ChatMessages.AsNoTracking().Where(m => ids.Contains(m.ConversationId))
            .OrderByDescending(m => m.Seq)
            .Select(m => new { m.ConversationId, Body = m.Body.Length > 20_000 ? m.Body.Substring(0, 20_000) : m.Body })
            .ToListAsync(cancellationToken)).ToLookup(m => m.ConversationId, m => m.Body);
        var hits = found.Select(c => new ChatHit(c, Snippet.Of(query, bodies[c.Id].Append(c.VisitorName)))).ToList();
        return new(hits, errors, next, size);
    }
}
