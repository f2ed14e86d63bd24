using Npgsql;

namespace Sportello.Tests.Infrastructure;

/// <summary>
/// The database the data tests run on: SQLite by default, PostgreSQL when SPORTELLO_TEST_DATABASE=Postgres
/// (scripts/test sets it, with SPORTELLO_TEST_POSTGRES naming a server where the tests may create databases).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static bool IsPostgres =>
        string.Equals(Environment.GetEnvironmentVariable("SPORTELLO_TEST_DATABASE"), "Postgres", StringComparison.OrdinalIgnoreCase);

    private static string PostgresServer =>
        Environment.GetEnvironmentVariable("SPORTELLO_TEST_POSTGRES")
        ?? throw new InvalidOperationException("SPORTELLO_TEST_DATABASE=Postgres needs SPORTELLO_TEST_POSTGRES (a connection string).");

    public string Provider => postgresName is null ? "Sqlite" : "Postgres";
    public string DataDir { get; }
    public string ConnectionString { get; }
    private readonly string? postgresName;

    private TestDatabase(string dataDir, string connectionString, string? postgresName)
    {
        DataDir = dataDir;
        ConnectionString = connectionString;
        this.postgresName = postgresName;
    }

    public static Task<TestDatabase> CreateAsync() => CreateAsync(IsPostgres);

    /// <summary>A database on the provider named, whatever the run's: the two ends of a move from SQLite to PostgreSQL.</summary>
    public static async Task<TestDatabase> CreateAsync(bool postgres)
    {
        var dataDir = Directory.CreateTempSubdirectory("sportello-test-").FullName;
        if (!postgres)
        {
            return new TestDatabase(dataDir, $"Data Source={Path.Combine(dataDir, "sportello.db")}", null);
        }
        var name = "sportello_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(PostgresServer))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name };
        return new TestDatabase(dataDir, builder.ConnectionString, name);
    }

    /// <summary>A SQLite database in a folder the test chose (a small file system, say); the test removes the folder.</summary>
    public static TestDatabase SqliteIn(string dataDir) => new(dataDir, $"Data Source={Path.Combine(dataDir, "sportello.db")}", null);

    /// <summary>Runs raw SQL against the test database (for arranging states the API cannot make).</summary>
    public async Task ExecuteAsync(string sql)
    {
        if (postgresName is not null)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
            return;
        }
        await using var sqlite = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        await sqlite.OpenAsync();
        await using var sqliteCommand = sqlite.CreateCommand();
        sqliteCommand.CommandText = sql;
        await sqliteCommand.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(PostgresServer);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{postgresName}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
        else
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown is left for the OS to clean up.
        }
    }
}
