using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Abuse;
using Sportello.Features.Notices;
using Sportello.Web;

namespace Sportello.Features.Search;

/// <summary>A notice found, and the passage that matched.</summary>
public sealed record NoticeHit(Notice Notice, Snippet Snippet);

/// <summary>An abuse case found, and the passage that matched.</summary>
public sealed record AbuseHit(AbuseCase Case, Snippet Snippet);

/// <summary>A page of hits of one kind, or the errors of the request.</summary>
public sealed record SearchPage<T>(List<T> Hits, ValidationErrors Errors, string? NextCursor, int Limit);

/// <summary>
/// Search of the Desk's other records with the same query language and index as tickets, most recently changed first:
/// service notices (every member of staff: they are the provider's own announcements), and abuse cases (the abuse
/// desk and admins only; for everyone else, as on every abuse route, there is nothing: null, a 404).
/// </summary>
public sealed class SearchRecords(SportelloDb db, AbuseAccess abuse)
{
    public async Task<SearchPage<NoticeHit>> NoticesAsync(string? q, int? limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var request = SearchRequest.Read(q, limit, cursor);
        if (request is not { Valid: true, Query: { } query })
        {
            return new([], request.Errors, null, request.Limit);
        }
        var (found, next) = await SearchStore.PageAsync(db, query, null, SearchKinds.Notice, db.Notices.AsNoTracking(), n => n.Id, request.Before, request.Limit, cancellationToken);
        var ids = found.Select(n => n.Id).ToList();
        var updates = (await db.NoticeUpdates.AsNoTracking().Where(u => ids.Contains(u.NoticeId)).OrderByDescending(u => u.CreatedAt)
            .Select(u => new { u.NoticeId, u.BodyEn, u.BodyIt }).ToListAsync(cancellationToken)).ToLookup(u => u.NoticeId);
        return new(found.Select(n => new NoticeHit(n, Snippet.Of(query,
            updates[n.Id].SelectMany(u => new[] { u.BodyEn, u.BodyIt }).Concat([n.BodyEn, n.BodyIt, n.TitleEn, n.TitleIt])))).ToList(), request.Errors, next, request.Limit);
    }

    /// <summary>The abuse cases matching <paramref name="q"/>; null when <paramref name="userId"/> does not work the abuse desk.</summary>
    public async Task<SearchPage<AbuseHit>?> AbuseCasesAsync(Guid userId, string? q, int? limit, string? cursor, CancellationToken cancellationToken = default)
    {
        if (!await abuse.WorksAbuseAsync(userId, cancellationToken))
        {
            return null;
        }
        var request = SearchRequest.Read(q, limit, cursor);
        if (request is not { Valid: true, Query: { } query })
        {
            return new([], request.Errors, null, request.Limit);
        }
        var (found, next) = await SearchStore.PageAsync(db, query, null, SearchKinds.Abuse, db.AbuseCases.AsNoTracking(), c => c.Id, request.Before, request.Limit, cancellationToken);
        var ids = found.Select(c => c.Id).ToList();
        var messages = (await db.AbuseMessages.AsNoTracking().Where(m => ids.Contains(m.CaseId)).OrderByDescending(m => m.At)
            .Select(m => new { m.CaseId, Body = m.Body.Length > 20_000 ? m.Body.Substring(0, 20_000) : m.Body }).ToListAsync(cancellationToken)).ToLookup(m => m.CaseId, m => m.Body);
        var reports = (await db.AbuseReports.AsNoTracking().Where(r => ids.Contains(r.CaseId)).OrderByDescending(r => r.ReceivedAt)
            .Select(r => new { r.CaseId, Evidence = r.Evidence.Length > 20_000 ? r.Evidence.Substring(0, 20_000) : r.Evidence }).ToListAsync(cancellationToken))
            .ToLookup(r => r.CaseId, r => r.Evidence);
        return new(found.Select(c => new AbuseHit(c, Snippet.Of(query, messages[c.Id].Concat(reports[c.Id]).Append(c.Resolution).Append(c.Ips)))).ToList(), request.Errors, next, request.Limit);
    }
}
