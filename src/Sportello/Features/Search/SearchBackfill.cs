using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Search;

/// <summary>
/// The data half of the migration that added search: indexes the tickets that existed before it. The migration leaves
/// a <see cref="SearchKinds.Backfill"/> mark; at start, before the node serves, the tickets are indexed in batches, each
/// batch in its own transaction with the mark's progress, so an interrupted start resumes where it stopped, and the mark
/// is removed at the end. New and changed tickets are indexed as they are saved, so there is never a reindex job.
/// </summary>
public static class SearchBackfill
{
    private const int Batch = 500;

    /// <summary>Indexes every ticket not yet indexed when a mark asks for it; returns how many tickets were indexed.</summary>
    public static async Task<long> RunAsync(SportelloDb db, TextWriter? progress = null, CancellationToken cancellationToken = default)
    {
        var mark = await db.SearchDocuments.AsNoTracking().Where(d => d.Kind == SearchKinds.Backfill).Select(d => (Guid?)d.TargetId).FirstOrDefaultAsync(cancellationToken);
        if (mark is not { } last)
        {
            return 0;
        }
        var done = 0L;
        while (true)
        {
            var ids = await db.Tickets.AsNoTracking().Where(t => t.Id > last).OrderBy(t => t.Id).Select(t => t.Id).Take(Batch).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                await SearchIndex.WriteAsync(db, ids, cancellationToken);
                last = ids[^1];
                await db.SearchDocuments.Where(d => d.Kind == SearchKinds.Backfill).ExecuteUpdateAsync(d => d.SetProperty(x => x.TargetId, last), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            done += ids.Count;
            if (progress is not null && done % 50_000 < Batch)
            {
                await progress.WriteLineAsync($"Search: {done:N0} existing tickets indexed…");
            }
        }
        await db.SearchDocuments.Where(d => d.Kind == SearchKinds.Backfill).ExecuteDeleteAsync(cancellationToken);
        if (progress is not null && done > 0)
        {
            await progress.WriteLineAsync($"Search: {done:N0} existing tickets indexed.");
        }
        return done;
    }
}
