using System.Data.Common;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace Sportello.Data;

public static class DatabaseFeature
{
    internal static void SqliteOptions(SqliteDbContextOptionsBuilder sqlite) =>
        sqlite.MigrationsHistoryTable("__ef_migrations");

    internal static void NpgsqlOptions(NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable("__ef_migrations");

    public static WebApplicationBuilder AddDatabase(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SportelloOptions.Section).Get<SportelloOptions>() ?? new();
        var connectionString = builder.Configuration.GetConnectionString("Sportello");
        switch (options.Database.Provider)
        {
            case DatabaseProvider.Sqlite:
                var dataDir = DataDirectory(builder.Environment, options);
                Directory.CreateDirectory(dataDir);
                connectionString ??= $"Data Source={Path.Combine(dataDir, "sportello.db")}";
                builder.Services.AddDbContextPool<SportelloDb, SqliteSportelloDb>(db => db
                    .UseSqlite(connectionString, SqliteOptions)
                    // Changing a column on SQLite rebuilds the table, with the foreign-key PRAGMA around the migration's
                    // transaction; the rebuild itself is transactional, so the warning is noise on every fresh start.
                    .ConfigureWarnings(w => w.Ignore(RelationalEventId.NonTransactionalMigrationOperationWarning))
                    .AddInterceptors(new SqlitePragmas()));
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Sportello:Database:Provider is Postgres but ConnectionStrings:Sportello is empty.");
                }
                builder.Services.AddDbContextPool<SportelloDb, PostgresSportelloDb>(db => db
                    .UseNpgsql(ConnectionDefaults(connectionString), NpgsqlOptions));
                break;
            default:
                throw new InvalidOperationException($"Unknown Sportello:Database:Provider '{options.Database.Provider}'.");
        }
        builder.Services.AddExceptionHandler<DatabaseUnavailable>();
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GroupCommit>());
        // Keys for cookies and signed links live in the database, so every node shares them and one backup holds them.
        builder.Services.AddDataProtection().SetApplicationName("Sportello").PersistKeysToDbContext<SportelloDb>();
        return builder;
    }

    /// <summary>
    /// What Sportello asks of Npgsql unless the connection string says otherwise:
    /// <list type="bullet">
    /// <item>A database that does not answer must not hold requests: connecting gives up after 5 s (Npgsql's default is
    /// 15 s), and the request gets a 503 (<see cref="DatabaseUnavailable"/>).</item>
    /// <item>Statements a node runs again and again (the token check, a ticket's inserts, the queue) are prepared on the
    /// server after two uses, up to 64 per connection, and stay prepared across the pool: PostgreSQL then neither parses
    /// nor, once its plan cache settles, plans them again. Without it, parsing and planning were half of PostgreSQL's CPU
    /// under ticket creation (bench/README.md). A pooler that cannot keep prepared statements (PgBouncer in transaction
    /// mode before 1.21) needs <c>Max Auto Prepare=0</c> in the connection string.</item>
    /// <item>A connection going back to the pool is not reset: Sportello never changes a session's state (no <c>SET</c>
    /// outside a transaction, no temporary tables, advisory locks or <c>LISTEN</c>), so the reset Npgsql would otherwise
    /// send before the connection's next use (<c>RESET ALL</c>, <c>CLOSE ALL</c>, <c>UNLISTEN *</c>, <c>DISCARD</c> ...)
    /// only costs PostgreSQL a parse and a run per request's every open.</item>
    /// </list>
    /// </summary>
    internal static string ConnectionDefaults(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var keys = given.Keys.Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!keys.Overlaps(["Timeout", "ConnectTimeout", "ConnectionTimeout"]))
        {
            tuned.Timeout = 5;
        }
        if (!keys.Contains("MaxAutoPrepare"))
        {
            tuned.MaxAutoPrepare = 64;
        }
        if (!keys.Contains("AutoPrepareMinUsages"))
        {
            tuned.AutoPrepareMinUsages = 2;
        }
        if (!keys.Contains("NoResetOnClose"))
        {
            tuned.NoResetOnClose = true;
        }
        return tuned.ConnectionString;
    }

    public static string DataDirectory(IHostEnvironment environment, SportelloOptions options) =>
        Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.DataDir));

    /// <summary>Migrates the schema; false (with the reason on stderr) when the node must not start.</summary>
    public static async Task<bool> PrepareDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var where = Describe(db);
        try
        {
            if (db.Database.IsSqlite())
            {
                // WAL is a property of the file: set once, kept by every later connection.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
            }
            var applied = await db.Database.GetAppliedMigrationsAsync();
            var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
            var unknown = applied.Where(m => !known.Contains(m)).ToList();
            if (unknown.Count > 0)
            {
                await Console.Error.WriteLineAsync(
                    $"Sportello cannot start: the database ({where}) has a newer schema than this version of Sportello " +
                    $"(unknown migrations: {string.Join(", ", unknown)}). Run the newer version, or restore a backup made for this one.");
                return false;
            }
            await db.Database.MigrateAsync();
            await Features.Search.SearchBackfill.RunAsync(db, Console.Out);
            return true;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync(
                $"Sportello cannot start: the database ({where}) is unreachable or refused the schema: {ex.GetBaseException().Message}");
            return false;
        }
    }

    // Names the database without its credentials.
    private static string Describe(SportelloDb db)
    {
        var connection = db.Database.GetConnectionString() ?? "";
        if (db.Database.IsNpgsql())
        {
            var csb = new NpgsqlConnectionStringBuilder(connection);
            return $"PostgreSQL {csb.Host}:{csb.Port}/{csb.Database}";
        }
        return $"SQLite {new DbConnectionStringBuilder { ConnectionString = connection }["Data Source"]}";
    }
}
