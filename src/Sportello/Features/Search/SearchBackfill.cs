using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Chat;

namespace Sportello.Features.Search;

/// <summary>
/// The data half of the migration that added search: indexes the tickets, the chats that had ended, the notices and the
/// abuse cases that existed before it. The migration leaves a mark per kind (<see cref="SearchKinds.Backfill"/>, <see cref="SearchKinds.ChatBackfill"/>);
/// at start, before the node serves, they are indexed in batches, each batch in its own transaction with the mark's
/// progress, so an interrupted start resumes where it stopped, and the mark is removed at the end. New and changed
/// tickets are indexed as they are saved, so there is never a reindex job.
/// </summary>
public static class SearchBackfill
{
    private const int Batch = 500;

    /// <summary>Indexes what a mark asks for; returns how many tickets and chats were indexed.</summary>
    public static async Task<long> RunAsync(SportelloDb db, TextWriter? progress = null, CancellationToken cancellationToken = default) =>
        await RunAsync(db, SearchKinds.Backfill, "tickets",
            last => db.Tickets.AsNoTracking().Where(t => t.Id > last).OrderBy(t => t.Id).Select(t => t.Id),
            ids => new SearchIndex.Changes().With(tickets: ids), progress, cancellationToken)
        + await RunAsync(db, SearchKinds.ChatBackfill, "ended chats",
            last => db.Conversations.AsNoTracking().Where(c => c.Id > last && c.Status == ChatStatus.Closed).OrderBy(c => c.Id).Select(c => c.Id),
            ids => new SearchIndex.Changes().With(chats: ids), progress, cancellationToken)
        + await RunAsync(db, SearchKinds.NoticeBackfill, "notices",
            last => db.Notices.AsNoTracking().Where(n => n.Id > last).OrderBy(n => n.Id).Select(n => n.Id),
            ids => new SearchIndex.Changes().With(notices: ids), progress, cancellationToken)
        + await RunAsync(db, SearchKinds.AbuseBackfill, "abuse cases",
            last => db.AbuseCases.AsNoTracking().Where(c => c.Id > last).OrderBy(c => c.Id).Select(c => c.Id),
            ids => new SearchIndex.Changes().With(abuseCases: ids), progress, cancellationToken);

    private static async Task<long> RunAsync(
        SportelloDb db, string mark, string what, Func<Guid, IQueryable<Guid>> after, Func<List<Guid>, SearchIndex.Changes> changes,
        TextWriter? progress, CancellationToken cancellationToken)
    {
        var from = await db.SearchDocuments.AsNoTracking().Where(d => d.Kind == mark).Select(d => (Guid?)d.TargetId).FirstOrDefaultAsync(cancellationToken);
        if (from is not { } last)
        {
            return 0;
        }
        var done = 0L;
        while (true)
        {
            var ids = await after(last).Take(Batch).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                await SearchIndex.WriteAsync(db, changes(ids), cancellationToken);
                last = ids[^1];
                await db.SearchDocuments.Where(d => d.Kind == mark).ExecuteUpdateAsync(d => d.SetProperty(x => x.TargetId, last), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            done += ids.Count;
            if (progress is not null && done % 50_000 < Batch)
            {
                await progress.WriteLineAsync($"Search: {done:N0} existing {what} indexed…");
            }
        }
        await db.SearchDocuments.Where(d => d.Kind == mark).ExecuteDeleteAsync(cancellationToken);
        if (progress is not null && done > 0)
        {
            await progress.WriteLineAsync($"Search: {done:N0} existing {what} indexed.");
        }
        return done;
    }
}
