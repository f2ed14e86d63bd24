using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Sportello.Data;

/// <summary>
/// Many new rows of one table as multi-row INSERTs built from the EF model (its table, columns, and each column's type
/// mapping and value converter, so a value is stored exactly as EF would store it), in the caller's transaction, without
/// change tracking. For the writers of thousands of rows at a time (the notice fan-out), where EF's tracker and its one
/// statement per row cost more than the rows. What it writes is not tracked: the caller's context does not see it.
/// </summary>
public static class BulkInsert
{
    // PostgreSQL takes up to 65,535 parameters per statement. SQLite allows 32,766, but Microsoft.Data.Sqlite finds each
    // parameter by name with a linear search (sqlite3_bind_parameter_index), so a statement with P of them costs P²
    // comparisons: there, small statements, which cost little as well (no round trip).
    private const int MaxParameters = 30_000;
    private const int MaxParametersSqlite = 250;
    private const int MaxRowsPerStatement = 1_000;

    private sealed record Column(PropertyInfo Property, string Name, RelationalTypeMapping Mapping, bool Nullable);

    public static async Task InsertAsync<T>(SportelloDb db, IReadOnlyList<T> rows, CancellationToken cancellationToken = default) where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = entity.GetProperties().Where(p => p.PropertyInfo is not null && p.GetColumnName(table) is not null)
            .Select(p => new Column(p.PropertyInfo!, sql.DelimitIdentifier(p.GetColumnName(table)!), p.GetRelationalTypeMapping(), p.IsNullable))
            .ToList();
        var perStatement = Math.Max(1, Math.Min(MaxRowsPerStatement, (db.Database.IsSqlite() ? MaxParametersSqlite : MaxParameters) / columns.Count));
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = db.Database.GetDbConnection();
            var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ";
            // One command per statement size, kept (and so prepared once) while the size is the same.
            DbCommand? command = null;
            var commandRows = 0;
            try
            {
                for (var done = 0; done < rows.Count; done += perStatement)
                {
                    var count = Math.Min(perStatement, rows.Count - done);
                    if (command is null || commandRows != count)
                    {
                        if (command is not null)
                        {
                            await command.DisposeAsync();
                        }
                        command = connection.CreateCommand();
                        command.Transaction = transaction;
                        command.CommandText = head + string.Join(", ", Enumerable.Range(0, count).Select(r =>
                            "(" + string.Join(", ", Enumerable.Range(0, columns.Count).Select(c => $"@p{(r * columns.Count) + c}")) + ")"));
                        commandRows = count;
                    }
                    command.Parameters.Clear();
                    for (var r = 0; r < count; r++)
                    {
                        for (var c = 0; c < columns.Count; c++)
                        {
                            var column = columns[c];
                            command.Parameters.Add(column.Mapping.CreateParameter(command, $"@p{(r * columns.Count) + c}", column.Property.GetValue(rows[done + r]), column.Nullable));
                        }
                    }
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            finally
            {
                if (command is not null)
                {
                    await command.DisposeAsync();
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
