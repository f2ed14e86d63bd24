using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;

namespace Sportello.Features.Operations.Commands;

/// <summary>
/// <c>backup --to FILE</c>: a consistent copy of the SQLite database while Sportello keeps writing to it. SQLite's
/// <c>VACUUM INTO</c> reads one snapshot (a read transaction; in WAL mode writers go on) and writes a compact database;
/// it goes to a hidden file beside the target, is checked (<c>PRAGMA integrity_check</c>), flushed to disk, and only
/// then takes the target's name, so a crash never leaves a half backup under that name. An existing file is never
/// overwritten. On PostgreSQL the command refuses and names <c>pg_dump</c> (docs/deploy.md).
/// </summary>
public static class BackupCommand
{
    public static async Task<int> RunAsync(IServiceProvider services, string file, TextWriter output, TextWriter error)
    {
        var options = services.GetRequiredService<IOptions<SportelloOptions>>().Value;
        if (options.Database.Provider != DatabaseProvider.Sqlite)
        {
            await error.WriteLineAsync(
                "backup copies a SQLite database; this configuration uses PostgreSQL. Back it up with pg_dump " +
                "(pg_dump --format=custom --file=FILE DATABASE; see docs/deploy.md, \"Backups\").");
            return OperationsCommands.Failed;
        }
        string source;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            source = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        }
        if (!File.Exists(source))
        {
            await error.WriteLineAsync($"There is no Sportello database at {source}: check --Sportello:DataDir or ConnectionStrings:Sportello.");
            return OperationsCommands.Failed;
        }
        var target = Path.GetFullPath(file);
        if (File.Exists(target) || Directory.Exists(target))
        {
            await error.WriteLineAsync($"{target} already exists: a backup never overwrites a file. Name a new one.");
            return OperationsCommands.Failed;
        }
        var folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
        {
            await error.WriteLineAsync($"The folder {folder} does not exist.");
            return OperationsCommands.Failed;
        }
        if (string.Equals(target, Path.GetFullPath(source), StringComparison.Ordinal))
        {
            await error.WriteLineAsync($"{target} is the database itself.");
            return OperationsCommands.Failed;
        }

        var partial = Path.Combine(folder, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        var watch = Stopwatch.StartNew();
        try
        {
            await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                // busy_timeout: a checkpoint or the first open of WAL may hold a lock for a moment.
                command.CommandText = "PRAGMA busy_timeout = 30000; VACUUM INTO $file;";
                command.Parameters.AddWithValue("$file", partial);
                command.CommandTimeout = 0;
                await command.ExecuteNonQueryAsync();
            }
            var (check, tickets, schema) = await InspectAsync(partial);
            if (check != "ok")
            {
                await error.WriteLineAsync($"The copy failed SQLite's integrity check ({check}); nothing was written to {target}.");
                return OperationsCommands.Failed;
            }
            await using (var flush = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                flush.Flush(flushToDisk: true);
            }
            File.Move(partial, target, overwrite: false);
            var size = new FileInfo(target).Length;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Backup written: {target} ({size / 1048576.0:0.0} MB, {tickets:N0} tickets, schema {schema}) in {watch.Elapsed.TotalSeconds:0.0} s."));
            await output.WriteLineAsync(
                "It holds the database as it was when the backup started; restore it by stopping Sportello and putting it in place of sportello.db.");
            return OperationsCommands.Done;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"The backup failed, nothing was written to {target}: {ex.Message}");
            return OperationsCommands.Failed;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (File.Exists(partial))
            {
                File.Delete(partial);
            }
        }
    }

    private static async Task<(string Check, long Tickets, string Schema)> InspectAsync(string file)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 0;
        command.CommandText = "PRAGMA integrity_check(1);";
        var check = (string?)await command.ExecuteScalarAsync() ?? "no answer";
        command.CommandText = """SELECT count(*) FROM "Tickets";""";
        var tickets = (long)(await command.ExecuteScalarAsync())!;
        command.CommandText = """SELECT max("MigrationId") FROM "__ef_migrations";""";
        var schema = (string?)await command.ExecuteScalarAsync() ?? "none";
        return (check, tickets, schema);
    }
}
