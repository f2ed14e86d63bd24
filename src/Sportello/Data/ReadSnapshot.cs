using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Sportello.Data;

/// <summary>
/// A read-only transaction, so a view made of several queries sees one moment: without it, a reply committed between
/// reading a ticket and reading its messages shows with the old status. On SQLite the transaction is deferred (a read
/// transaction: WAL gives it a snapshot and it never takes the write lock); on PostgreSQL it is REPEATABLE READ.
/// </summary>
public static class ReadSnapshot
{
    public static async Task<IAsyncDisposable> BeginSnapshotAsync(this SportelloDb db, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return NoSnapshot.Instance;
        }
        if (db.Database.GetDbConnection() is SqliteConnection sqlite)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            var transaction = sqlite.BeginTransaction(deferred: true);
            return new Snapshot(db, await db.Database.UseTransactionAsync(transaction, cancellationToken), transaction);
        }
        return new Snapshot(db, await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken), null);
    }

    private sealed class Snapshot(SportelloDb db, IDbContextTransaction? transaction, SqliteTransaction? sqlite) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
            if (sqlite is not null)
            {
                await sqlite.DisposeAsync();
                await db.Database.UseTransactionAsync(null);
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private sealed class NoSnapshot : IAsyncDisposable
    {
        public static readonly NoSnapshot Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
