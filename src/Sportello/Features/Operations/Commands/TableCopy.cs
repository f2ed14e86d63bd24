using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using Sportello.Features.Search;

namespace Sportello.Features.Operations.Commands;

/// <summary>
/// Copies tables of the model from SQLite to PostgreSQL, value by value through EF Core's own type mappings: a value
/// is read as SQLite's provider type, converted to the model's value by the SQLite mapping, then to PostgreSQL's provider
/// type by its mapping, and written with binary COPY. The copy is verified by a count and an order-free checksum
/// (the wrapping sum of each row's SHA-256) of the values written, compared with the same figure read back.
/// </summary>
public static class TableCopy
{
    /// <summary>A value PostgreSQL refused, named by table and column.</summary>
    public sealed class CopyException(string message, Exception inner) : Exception(message, inner);

    public sealed record Column(string Name, string PostgresType, Func<DbDataReader, int, object?> ReadSqlite, ValueConverter? FromSqlite,
        ValueConverter? ToPostgres, Func<DbDataReader, int, object?> ReadPostgres);

    public sealed record Table(string Name, IReadOnlyList<Column> Columns, bool Seeded);

    public sealed record Result(string Table, long Rows, UInt128 Sum, TimeSpan Elapsed);

    /// <summary>
    /// Tables whose rows are not data of their own: the search documents (rebuilt after the copy, as SQLite's index is
    /// an FTS5 table PostgreSQL cannot take).
    /// </summary>
    private static readonly HashSet<string> Rebuilt = new(StringComparer.Ordinal) { "SearchDocuments" };

    public static List<Table> Plan(IModel sqlite, IModel postgres)
    {
        var sqliteTables = sqlite.GetRelationalModel().Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var seeded = postgres.GetEntityTypes().Where(e => e.GetSeedData().Any()).Select(e => e.GetTableName()).ToHashSet(StringComparer.Ordinal);
        var plan = new List<Table>();
        foreach (var table in postgres.GetRelationalModel().Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            if (Rebuilt.Contains(table.Name) || !sqliteTables.TryGetValue(table.Name, out var from))
            {
                continue;
            }
            var columns = new List<Column>();
            foreach (var column in table.Columns)
            {
                if (from.FindColumn(column.Name) is not { } source)
                {
                    continue;
                }
                var read = source.PropertyMappings[0].TypeMapping;
                var write = column.PropertyMappings[0].TypeMapping;
                columns.Add(new Column(column.Name, BaseType(column.StoreType),
                    Reader(read.Converter?.ProviderClrType ?? read.ClrType), read.Converter,
                    write.Converter, Reader(write.Converter?.ProviderClrType ?? write.ClrType)));
            }
            plan.Add(new Table(table.Name, columns, seeded.Contains(table.Name)));
        }
        return plan;
    }

    /// <summary>The tables of the target that hold rows the migrations did not put there.</summary>
    public static async Task<List<string>> TablesWithDataAsync(NpgsqlConnection pg, IEnumerable<Table> tables)
    {
        var holding = new List<string>();
        // Only the tables the target has: an older schema lacks the newer ones (and is checked before it is migrated).
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var list = new NpgsqlCommand(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')", pg))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                present.Add(reader.GetString(0));
            }
        }
        foreach (var table in tables.Where(t => !t.Seeded && present.Contains(t.Name)))
        {
            await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Quote(table.Name)})", pg);
            if ((bool)(await command.ExecuteScalarAsync())!)
            {
                holding.Add(table.Name);
            }
        }
        return holding;
    }

    public static async Task<List<(string Table, string Name, string Definition)>> DropForeignKeysAsync(NpgsqlConnection pg)
    {
        var keys = new List<(string, string, string)>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
            """, pg))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        foreach (var (table, name, _) in keys)
        {
            await ExecuteAsync(pg, $"ALTER TABLE {table} DROP CONSTRAINT {Quote(name)}");
        }
        return keys;
    }

    /// <summary>Recreates the foreign keys, which checks every copied row against them.</summary>
    public static async Task RestoreForeignKeysAsync(NpgsqlConnection pg, IEnumerable<(string Table, string Name, string Definition)> keys)
    {
        foreach (var (table, name, definition) in keys)
        {
            await ExecuteAsync(pg, $"ALTER TABLE {table} ADD CONSTRAINT {Quote(name)} {definition}");
        }
    }

    /// <summary>Identity columns continue after the largest copied id.</summary>
    public static async Task ContinueIdentitiesAsync(NpgsqlConnection pg)
    {
        var identities = new List<(string Table, string Column)>();
        await using (var command = new NpgsqlCommand(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'", pg))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                identities.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        foreach (var (table, column) in identities)
        {
            await ExecuteAsync(pg,
                $"SELECT setval(pg_get_serial_sequence('{Quote(table).Replace("'", "''", StringComparison.Ordinal)}', '{column.Replace("'", "''", StringComparison.Ordinal)}'), " +
                $"COALESCE((SELECT max({Quote(column)}) FROM {Quote(table)}), 0) + 1, false)");
        }
    }

    /// <summary>Leaves the marks the search migration leaves, so the copied rows are indexed (now, and at start if interrupted).</summary>
    public static async Task MarkSearchBackfillAsync(NpgsqlConnection pg)
    {
        await ExecuteAsync(pg, """DELETE FROM "SearchDocuments" """);
        var marks = string.Join(", ", new[] { SearchKinds.Backfill, SearchKinds.ChatBackfill, SearchKinds.NoticeBackfill, SearchKinds.AbuseBackfill }
            .Select(kind => $"('{kind}', '{Guid.Empty}')"));
        await ExecuteAsync(pg, $"""INSERT INTO "SearchDocuments" ("Kind", "TargetId") VALUES {marks}""");
    }

    public static async Task<Result> CopyAsync(SqliteConnection sqlite, NpgsqlConnection pg, Table table)
    {
        var watch = Stopwatch.StartNew();
        if (table.Seeded)
        {
            // The migrations' rows (roles, SLA policies, VAT rates) give way to the installation's own, edited or not.
            await ExecuteAsync(pg, $"DELETE FROM {Quote(table.Name)}");
        }
        var names = string.Join(", ", table.Columns.Select(c => Quote(c.Name)));
        await using var select = sqlite.CreateCommand();
        select.CommandText = $"SELECT {names} FROM {Quote(table.Name)}";
        select.CommandTimeout = 0;
        await using var reader = await select.ExecuteReaderAsync();
        var checksum = new RowChecksum();
        var rows = 0L;
        var values = new object?[table.Columns.Count];
        var column = 0;
        try
        {
            await using var importer = await pg.BeginBinaryImportAsync($"COPY {Quote(table.Name)} ({names}) FROM STDIN (FORMAT BINARY)");
            while (await reader.ReadAsync())
            {
                for (column = 0; column < values.Length; column++)
                {
                    var spec = table.Columns[column];
                    var value = spec.ReadSqlite(reader, column);
                    if (value is not null && spec.FromSqlite is { } from)
                    {
                        value = from.ConvertFromProvider(value);
                    }
                    if (value is not null && spec.ToPostgres is { } to)
                    {
                        value = to.ConvertToProvider(value);
                    }
                    values[column] = value;
                }
                await importer.StartRowAsync();
                for (column = 0; column < values.Length; column++)
                {
                    if (values[column] is { } value)
                    {
                        await importer.WriteAsync(value, table.Columns[column].PostgresType);
                    }
                    else
                    {
                        await importer.WriteNullAsync();
                    }
                }
                checksum.Add(values);
                rows++;
            }
            await importer.CompleteAsync();
        }
        catch (Exception ex) when (ex is PostgresException or NpgsqlException or InvalidCastException or FormatException or ArgumentException or InvalidOperationException)
        {
            var at = column < table.Columns.Count ? table.Columns[column].Name : "?";
            throw new CopyException($"{table.Name}, row {rows + 1:N0}, column {at}: {ex.Message}", ex);
        }
        return new Result(table.Name, rows, checksum.Sum, watch.Elapsed);
    }

    /// <summary>The count and checksum of a table as PostgreSQL now holds it.</summary>
    public static async Task<(long Rows, UInt128 Sum)> ChecksumAsync(NpgsqlConnection pg, Table table)
    {
        await using var command = new NpgsqlCommand($"SELECT {string.Join(", ", table.Columns.Select(c => Quote(c.Name)))} FROM {Quote(table.Name)}", pg);
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync();
        var checksum = new RowChecksum();
        var values = new object?[table.Columns.Count];
        var rows = 0L;
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = table.Columns[i].ReadPostgres(reader, i);
            }
            checksum.Add(values);
            rows++;
        }
        return (rows, checksum.Sum);
    }

    private static async Task ExecuteAsync(NpgsqlConnection pg, string sql)
    {
        await using var command = new NpgsqlCommand(sql, pg) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    // "character varying(200)" → "character varying": the binary format is the type's, whatever its length.
    private static string BaseType(string storeType) =>
        storeType.IndexOf('(', StringComparison.Ordinal) is var open and > 0
            ? storeType[..open] + storeType[(storeType.IndexOf(')', StringComparison.Ordinal) + 1)..]
            : storeType;

    private static readonly MethodInfo TypedReader = typeof(TableCopy).GetMethod(nameof(Typed), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static Func<DbDataReader, int, object?> Reader(Type type) =>
        (Func<DbDataReader, int, object?>)TypedReader.MakeGenericMethod(Nullable.GetUnderlyingType(type) ?? type).Invoke(null, null)!;

    private static Func<DbDataReader, int, object?> Typed<T>() => (reader, i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<T>(i);

    /// <summary>
    /// The wrapping sum of each row's SHA-256 (first 128 bits) over a canonical form of its values, so the order rows
    /// are read in does not matter. Times count to the microsecond, PostgreSQL's precision.
    /// </summary>
    private sealed class RowChecksum
    {
        private readonly ArrayBufferWriter<byte> row = new();
        public UInt128 Sum { get; private set; }

        public void Add(object?[] values)
        {
            row.ResetWrittenCount();
            foreach (var value in values)
            {
                Write(value);
            }
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(row.WrittenSpan, hash);
            Sum += BinaryPrimitives.ReadUInt128LittleEndian(hash);
        }

        private void Write(object? value)
        {
            switch (value)
            {
                case null:
                    Tag(0);
                    break;
                case string text:
                    Tag(1);
                    Bytes(Encoding.UTF8.GetBytes(text));
                    break;
                case byte[] bytes:
                    Tag(2);
                    Bytes(bytes);
                    break;
                case DateTime time:
                    Text("t" + (time.Ticks / 10).ToString(CultureInfo.InvariantCulture));
                    break;
                case DateTimeOffset time:
                    Text("o" + (time.UtcTicks / 10).ToString(CultureInfo.InvariantCulture));
                    break;
                case decimal number:
                    Text("d" + number.ToString("G29", CultureInfo.InvariantCulture));
                    break;
                case double number:
                    Text("f" + number.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case IEnumerable items:
                    Tag(4);
                    foreach (var item in items)
                    {
                        Write(item);
                    }
                    Tag(5);
                    break;
                case IFormattable formattable:
                    Text(formattable.ToString(null, CultureInfo.InvariantCulture));
                    break;
                default:
                    Text(value.ToString() ?? "");
                    break;
            }
        }

        private void Text(string text)
        {
            Tag(3);
            Bytes(Encoding.UTF8.GetBytes(text));
        }

        private void Tag(byte tag) => row.Write([tag]);

        private void Bytes(ReadOnlySpan<byte> bytes)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            row.Write(length);
            row.Write(bytes);
        }
    }
}
