using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;
using Npgsql;
using Sportello.Data;
using Sportello.Features.Search;

namespace Sportello.Features.Operations.Commands;

/// <summary>
/// <c>migrate-data --to-postgres "CONNECTION"</c>: moves a SQLite installation to PostgreSQL.
/// <list type="number">
/// <item>The target is migrated to this version's schema and must hold no data (only what the migrations seed).</item>
/// <item>Every table of the model is read from one SQLite snapshot and written with PostgreSQL's binary COPY, each
/// value through EF Core's own converters of both providers (<see cref="TableCopy"/>), all in one PostgreSQL
/// transaction: foreign keys are dropped for the copy and recreated (and so checked) at the end, identity sequences
/// continue after the copied ids.</item>
/// <item>Before commit each table is read back and compared with what was read from SQLite: the count and an
/// order-free checksum of every row. Any difference rolls everything back and exits 1; the target stays empty.</item>
/// <item>After commit the search index is built for the copied tickets, chats, notices and abuse cases (PostgreSQL's
/// <c>tsvector</c>s cannot be copied from SQLite's FTS5 table); it resumes at the next start if interrupted.</item>
/// </list>
/// </summary>
public static class MigrateDataCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, string connection, TextWriter output, TextWriter error)
    {
        var options = services.GetRequiredService<IOptions<SportelloOptions>>().Value;
        if (options.Database.Provider != DatabaseProvider.Sqlite)
        {
            await error.WriteLineAsync("migrate-data moves a SQLite installation: this configuration already uses PostgreSQL.");
            return OperationsCommands.Failed;
        }
        NpgsqlConnectionStringBuilder target;
        try
        {
            target = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"--to-postgres is not a PostgreSQL connection string: {ex.Message}");
            return OperationsCommands.Failed;
        }
        var where = $"PostgreSQL {target.Host}:{target.Port}/{target.Database}";
        var watch = Stopwatch.StartNew();

        await using var scope = services.CreateAsyncScope();
        var source = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var sourceFile = new SqliteConnectionStringBuilder(source.Database.GetConnectionString()).DataSource;
        if (!File.Exists(sourceFile))
        {
            await error.WriteLineAsync($"There is no Sportello database at {sourceFile}: check --Sportello:DataDir or ConnectionStrings:Sportello.");
            return OperationsCommands.Failed;
        }
        var pending = (await source.Database.GetPendingMigrationsAsync()).ToList();
        if (pending.Count > 0)
        {
            await error.WriteLineAsync(
                $"The SQLite database {sourceFile} is not at this version's schema ({pending.Count} migrations pending): " +
                "start this version of Sportello on it once, stop it, then move it.");
            return OperationsCommands.Failed;
        }

        await using var postgres = new PostgresSportelloDb(new DbContextOptionsBuilder<PostgresSportelloDb>()
            .UseNpgsql(target.ConnectionString, DatabaseFeature.NpgsqlOptions).Options);
        var tables = TableCopy.Plan(source.GetService<IDesignTimeModel>().Model, postgres.GetService<IDesignTimeModel>().Model);
        try
        {
            var unknown = (await postgres.Database.GetAppliedMigrationsAsync()).Except(postgres.Database.GetMigrations()).ToList();
            if (unknown.Count > 0)
            {
                await error.WriteLineAsync($"The target ({where}) has a newer schema than this version of Sportello ({string.Join(", ", unknown)}).");
                return OperationsCommands.Failed;
            }
            // Refused before anything is changed: a database holding data is never migrated by this command, even when
            // its schema is older (checked again inside the copy's transaction, in case a node starts meanwhile).
            if (await HoldingAsync(postgres, tables) is { Count: > 0 } holding)
            {
                await error.WriteLineAsync(Holds(where, holding));
                return OperationsCommands.Failed;
            }
            await postgres.Database.MigrateAsync();
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await error.WriteLineAsync($"The target ({where}) is unreachable or refused the schema: {ex.GetBaseException().Message}");
            return OperationsCommands.Failed;
        }
        await output.WriteLineAsync($"Moving {sourceFile} to {where}…");

        var pg = (NpgsqlConnection)postgres.Database.GetDbConnection();
        await pg.OpenAsync();
        await using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sourceFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await sqlite.OpenAsync();
        List<TableCopy.Result> results = [];
        try
        {
            await using var write = await pg.BeginTransactionAsync();
            if (await TableCopy.TablesWithDataAsync(pg, tables) is { Count: > 0 } holding)
            {
                await error.WriteLineAsync(Holds(where, holding));
                return OperationsCommands.Failed;
            }
            // One read transaction: every table comes from the same snapshot, even if a node is still writing.
            await using var read = sqlite.BeginTransaction(deferred: true);
            var foreignKeys = await TableCopy.DropForeignKeysAsync(pg);
            foreach (var table in tables)
            {
                results.Add(await TableCopy.CopyAsync(sqlite, pg, table));
                var last = results[^1];
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {last.Table,-32} {last.Rows,12:N0} rows  {last.Elapsed.TotalSeconds,7:0.0} s"));
            }
            await TableCopy.RestoreForeignKeysAsync(pg, foreignKeys);
            await TableCopy.ContinueIdentitiesAsync(pg);
            await TableCopy.MarkSearchBackfillAsync(pg);
            var mismatches = new List<string>();
            foreach (var (table, copied) in tables.Zip(results))
            {
                var stored = await TableCopy.ChecksumAsync(pg, table);
                if (stored.Rows != copied.Rows || stored.Sum != copied.Sum)
                {
                    mismatches.Add($"{table.Name} (read {copied.Rows:N0} rows, stored {stored.Rows:N0}{(stored.Rows == copied.Rows ? ", checksums differ" : "")})");
                }
            }
            if (mismatches.Count > 0)
            {
                await error.WriteLineAsync($"Verification failed, nothing was kept: {string.Join("; ", mismatches)}.");
                return OperationsCommands.Failed;
            }
            await write.CommitAsync();
        }
        catch (Exception ex) when (ex is DbException or TableCopy.CopyException)
        {
            await error.WriteLineAsync($"The move failed and was rolled back, the target is as before: {ex.Message}");
            return OperationsCommands.Failed;
        }
        var copiedAt = watch.Elapsed;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Copied and verified {results.Count} tables, {results.Sum(r => r.Rows):N0} rows (counts and checksums match) in {copiedAt.TotalSeconds:0.0} s."));

        postgres.ChangeTracker.Clear();
        var indexed = await SearchBackfill.RunAsync(postgres, output);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Search index built for {indexed:N0} tickets, chats, notices and abuse cases in {(watch.Elapsed - copiedAt).TotalSeconds:0.0} s."));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Done in {watch.Elapsed.TotalSeconds:0.0} s. Start Sportello with --Sportello:Database:Provider Postgres and this connection string."));
        return OperationsCommands.Done;
    }

    private static async Task<List<string>> HoldingAsync(PostgresSportelloDb postgres, IReadOnlyList<TableCopy.Table> tables)
    {
        var pg = (NpgsqlConnection)postgres.Database.GetDbConnection();
        await pg.OpenAsync();
        try
        {
            return await TableCopy.TablesWithDataAsync(pg, tables);
        }
        finally
        {
            await pg.CloseAsync();
        }
    }

    private static string Holds(string where, IEnumerable<string> tables) =>
        $"The target ({where}) already holds data, in {string.Join(", ", tables)}: migrate-data only fills an empty database. " +
        "Create a new one (CREATE DATABASE …) and name it.";
}
