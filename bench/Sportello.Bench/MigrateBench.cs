using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Bench;

/// <summary>
/// Issue 17's move from SQLite to PostgreSQL at scale: seeds a SQLite database with the scale bench's data (tickets,
/// messages, customers; <see cref="ScaleSeed"/>), then runs the product's own <c>migrate-data --to-postgres</c> as a
/// separate process into an empty database and reports its output and times, and each database's size.
/// Usage: -- migrate [tickets]; needs SPORTELLO_BENCH_POSTGRES (a server where the bench may create a database) and
/// SPORTELLO_SCALE_DIR (where the SQLite file goes).
/// </summary>
internal static class MigrateBench
{
    public static async Task RunAsync(string[] args)
    {
        var size = int.Parse(args.ElementAtOrDefault(0) ?? "100000", CultureInfo.InvariantCulture);
        var server = Environment.GetEnvironmentVariable("SPORTELLO_BENCH_POSTGRES")
            ?? throw new InvalidOperationException("Set SPORTELLO_BENCH_POSTGRES to a PostgreSQL connection string.");
        var folder = Directory.CreateDirectory(Path.Combine(Environment.GetEnvironmentVariable("SPORTELLO_SCALE_DIR") ?? Path.GetTempPath(),
            "sportello-migrate-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var sqlite = $"Data Source={Path.Combine(folder, "sportello.db")}";
        var name = "sportello_migrate_" + Guid.NewGuid().ToString("N")[..8];
        var target = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        Console.WriteLine($"# migrate: {size:N0} tickets, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {Load()}");
        try
        {
            // The product's migrations (and its bootstrap admin) make the SQLite schema.
            await (await BenchHost.StartAsync("sqlite", new Dictionary<string, string> { ["ConnectionStrings:Sportello"] = sqlite })).DisposeAsync();
            SqliteConnection.ClearAllPools();
            await using (var model = new SqliteSportelloDb(new DbContextOptionsBuilder<SqliteSportelloDb>().UseSqlite(sqlite).Options))
            {
                var seed = new ScaleSeed(model, sqlite, new PasswordHasher<User>().HashPassword(new User(), BenchHost.Password));
                var seeded = await seed.GrowAsync(size);
                Console.WriteLine($"# seeded {size:N0} tickets in {seeded.TotalSeconds:0.0} s; SQLite file {new FileInfo(Path.Combine(folder, "sportello.db")).Length / 1e9:0.00} GB");
            }
            SqliteConnection.ClearAllPools();
            await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");

            var product = Path.Combine(AppContext.BaseDirectory, "Sportello.dll");
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            foreach (var arg in new[] { product, "migrate-data", "--to-postgres", target, "--ConnectionStrings:Sportello", sqlite, "--Sportello:DataDir", folder })
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            Console.WriteLine($"# migrate-data exited {process.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s; load {Load()}");
            await using var pg = new NpgsqlConnection(target);
            await pg.OpenAsync();
            Console.WriteLine($"# PostgreSQL database {await ScaleStore.SizeAsync(pg) / 1e9:0.00} GB");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
