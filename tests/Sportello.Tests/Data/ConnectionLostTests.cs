using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sportello.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

/// <summary>
/// The server goes away in the middle of a transaction (PostgreSQL restarted): Npgsql ends the transaction, and the
/// save that meets it must say "the database is unavailable" (a 503 to the client), not fail as a mistake (a 500).
/// The cluster test's PostgreSQL restart met exactly this once, in a group-commit batch.
/// </summary>
[Trait("Category", "Data")]
public sealed class ConnectionLostTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    [Theory]
    [InlineData(false)] // a change with nothing for the search index
    [InlineData(true)] // a change the search index follows: its documents are written in the same transaction
    public async Task ASaveWhoseConnectionBrokeInItsTransaction_SaysTheDatabaseIsUnavailable(bool searched)
    {
        using (await app.AdminAsync()) { } // started, with its admin
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var admin = await db.Users.SingleAsync(u => u.Email == SportelloApp.AdminEmail, TestContext.Current.CancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
        var pid = await db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync(TestContext.Current.CancellationToken);
        await using (var other = new NpgsqlConnection(app.Database.ConnectionString))
        {
            await other.OpenAsync(TestContext.Current.CancellationToken);
            await using var kill = new NpgsqlCommand($"SELECT pg_terminate_backend({pid})", other);
            await kill.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        }
        // Something earlier in the transaction met the broken connection and carried on (a batch's other work, say).
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("SELECT 1", TestContext.Current.CancellationToken));

        if (searched)
        {
            admin.Name += " (renamed)";
        }
        else
        {
            admin.TimeZone = "Europe/London";
        }
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));

        Assert.True(DatabaseUnavailable.IsCause(failure), $"{db.Database.CurrentTransaction is null} {db.Database.GetDbConnection().State} {failure}");
    }
}
