using System.Data.Common;
using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Sportello.Data;

namespace Sportello.Bench;

/// <summary>
/// Bulk loading for the scale seed, shaped by the EF model (each table's columns, type mappings and value converters,
/// so a value is stored as EF would store it): PostgreSQL by binary COPY, SQLite by one prepared single-row INSERT per
/// table inside the caller's big transactions (journal and sync off for the load only; <see cref="FinishAsync"/> puts WAL back).
/// </summary>
internal abstract class ScaleWriter : IAsyncDisposable
{
    private sealed record Column(string Name, Func<object, object?> Get, RelationalTypeMapping Mapping, bool Nullable);

    private sealed record Shape(string Table, IReadOnlyList<Column> Columns);

    private readonly Dictionary<Type, Shape> shapes = [];

    protected ScaleWriter(SportelloDb model) => Model = model;

    protected SportelloDb Model { get; }

    public static async Task<ScaleWriter> OpenAsync(SportelloDb model, string connectionString)
    {
        ScaleWriter writer = model.Database.IsNpgsql() ? new Postgres(model, connectionString) : new Sqlite(model, connectionString);
        await writer.OpenAsync();
        return writer;
    }

    protected abstract Task OpenAsync();

    /// <summary>Starts a batch (SQLite: a transaction; PostgreSQL: each COPY commits on its own).</summary>
    public abstract Task BeginAsync();

    public abstract Task CommitAsync();

    public abstract Task WriteAsync<T>(IReadOnlyList<T> rows) where T : class;

    /// <summary>After the load: SQLite back to WAL; PostgreSQL vacuumed and analysed, as autovacuum would leave it.</summary>
    public abstract Task FinishAsync();

    public abstract ValueTask DisposeAsync();

    private Shape ShapeOf(Type type)
    {
        if (shapes.TryGetValue(type, out var known))
        {
            return known;
        }
        var entity = Model.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = Model.GetService<ISqlGenerationHelper>();
        var columns = entity.GetProperties().Where(p => p.GetColumnName(table) is not null).Select(p =>
        {
            if (p.PropertyInfo is null)
            {
                throw new InvalidOperationException($"{type.Name}.{p.Name} is a shadow property: the seed cannot fill it.");
            }
            var row = Expression.Parameter(typeof(object));
            var get = Expression.Lambda<Func<object, object?>>(
                Expression.Convert(Expression.Property(Expression.Convert(row, type), p.PropertyInfo), typeof(object)), row).Compile();
            return new Column(sql.DelimitIdentifier(p.GetColumnName(table)!), get, p.GetRelationalTypeMapping(), p.IsNullable);
        }).ToList();
        return shapes[type] = new Shape(sql.DelimitIdentifier(table.Name, table.Schema), columns);
    }

    private static object? ProviderValue(Column column, object row)
    {
        var value = column.Get(row);
        return value is null ? null : column.Mapping.Converter?.ConvertToProvider(value) ?? value;
    }

    private sealed class Sqlite(SportelloDb model, string connectionString) : ScaleWriter(model)
    {
        private readonly SqliteConnection connection = new(connectionString);
        private readonly Dictionary<Type, SqliteCommand> inserts = [];
        private SqliteTransaction? transaction;

        protected override async Task OpenAsync()
        {
            await connection.OpenAsync();
            await ExecuteAsync("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY;");
        }

        public override Task BeginAsync()
        {
            transaction = connection.BeginTransaction();
            foreach (var insert in inserts.Values)
            {
                insert.Transaction = transaction;
            }
            return Task.CompletedTask;
        }

        public override async Task CommitAsync()
        {
            await transaction!.CommitAsync();
            await transaction.DisposeAsync();
            transaction = null;
        }

        public override async Task WriteAsync<T>(IReadOnlyList<T> rows)
        {
            if (rows.Count == 0)
            {
                return;
            }
            var shape = ShapeOf(typeof(T));
            if (!inserts.TryGetValue(typeof(T), out var insert))
            {
                insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = $"INSERT INTO {shape.Table} ({string.Join(", ", shape.Columns.Select(c => c.Name))}) " +
                    $"VALUES ({string.Join(", ", shape.Columns.Select((_, i) => $"@p{i}"))})";
                // Each parameter configured by its column's type mapping once (as EF would), then only its value changes.
                for (var i = 0; i < shape.Columns.Count; i++)
                {
                    var column = shape.Columns[i];
                    insert.Parameters.Add((SqliteParameter)column.Mapping.CreateParameter(insert, $"@p{i}", column.Get(rows[0]), column.Nullable));
                }
                insert.Prepare();
                inserts[typeof(T)] = insert;
            }
            foreach (var row in rows)
            {
                for (var i = 0; i < shape.Columns.Count; i++)
                {
                    insert.Parameters[i].Value = ProviderValue(shape.Columns[i], row) ?? DBNull.Value;
                }
                await insert.ExecuteNonQueryAsync();
            }
        }

        public override async Task FinishAsync()
        {
            foreach (var insert in inserts.Values)
            {
                await insert.DisposeAsync();
            }
            inserts.Clear();
            await ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
        }

        private async Task ExecuteAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync();
        }

        public override async ValueTask DisposeAsync()
        {
            foreach (var insert in inserts.Values)
            {
                await insert.DisposeAsync();
            }
            await connection.DisposeAsync();
        }
    }

    private sealed class Postgres(SportelloDb model, string connectionString) : ScaleWriter(model)
    {
        private readonly NpgsqlConnection connection = new(connectionString);

        protected override Task OpenAsync() => connection.OpenAsync();

        public override Task BeginAsync() => Task.CompletedTask;

        public override Task CommitAsync() => Task.CompletedTask;

        public override async Task WriteAsync<T>(IReadOnlyList<T> rows)
        {
            if (rows.Count == 0)
            {
                return;
            }
            var shape = ShapeOf(typeof(T));
            await using var copy = await connection.BeginBinaryImportAsync(
                $"COPY {shape.Table} ({string.Join(", ", shape.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)");
            foreach (var row in rows)
            {
                await copy.StartRowAsync();
                foreach (var column in shape.Columns)
                {
                    await WriteAsync(copy, ProviderValue(column, row));
                }
            }
            await copy.CompleteAsync();
        }

        private static Task WriteAsync(NpgsqlBinaryImporter copy, object? value) => value switch
        {
            null => copy.WriteNullAsync(),
            string text => copy.WriteAsync(text, NpgsqlDbType.Text),
            Guid id => copy.WriteAsync(id, NpgsqlDbType.Uuid),
            DateTime at => copy.WriteAsync(at, NpgsqlDbType.TimestampTz),
            DateTimeOffset at => copy.WriteAsync(at, NpgsqlDbType.TimestampTz),
            int number => copy.WriteAsync(number, NpgsqlDbType.Integer),
            long number => copy.WriteAsync(number, NpgsqlDbType.Bigint),
            short number => copy.WriteAsync(number, NpgsqlDbType.Smallint),
            bool flag => copy.WriteAsync(flag, NpgsqlDbType.Boolean),
            double number => copy.WriteAsync(number, NpgsqlDbType.Double),
            decimal number => copy.WriteAsync(number, NpgsqlDbType.Numeric),
            byte[] bytes => copy.WriteAsync(bytes, NpgsqlDbType.Bytea),
            _ => throw new InvalidOperationException($"The seed cannot COPY a {value.GetType().Name}."),
        };

        public override async Task FinishAsync()
        {
            await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE", connection) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync();
        }

        public override ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}

/// <summary>The file or database size a seeded store takes on disk.</summary>
internal static class ScaleStore
{
    public static async Task<long> SizeAsync(DbConnection connection)
    {
        if (connection is NpgsqlConnection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT pg_database_size(current_database())";
            return (long)(await command.ExecuteScalarAsync())!;
        }
        var file = new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource;
        return new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
    }
}
