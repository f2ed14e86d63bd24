using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Tickets;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

/// <summary>A node on PostgreSQL, whatever the run's database: what is asserted here exists only there.</summary>
public sealed class PostgresApp : SportelloApp
{
    public override async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync(postgres: true);
}

/// <summary>
/// On PostgreSQL a node prepares the statements it runs again and again, so the server neither parses nor replans
/// them on every request (half of PostgreSQL's CPU under ticket creation went there before; bench/README.md).
/// </summary>
[Trait("Category", "Data")]
public sealed class PreparedStatementsTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    [Fact]
    public async Task AStatementANodeRunsAgain_IsPreparedOnTheServer_AndStillAnswersRight()
    {
        var (email, order, ip) = Unique.Customer("prepared");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var opened = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            opened.Add((await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Prepared {i}", description = "x" }))
                .GetProperty("number").GetString()!);
        }
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        await db.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        var counts = new List<int>();
        foreach (var number in opened)
        {
            counts.Add(await db.Tickets.CountAsync(t => t.Number == number && t.Status == TicketStatus.Open, TestContext.Current.CancellationToken));
        }
        // Prepared or not, the answers are the same: each ticket once.
        Assert.Equal([1, 1, 1], counts);
        var prepared = await StatementsAsync(db.Database.GetDbConnection());
        Assert.Contains(prepared, sql => sql.Contains("\"Number\"", StringComparison.Ordinal) && sql.Contains("count(*)", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task APooledConnection_KeepsItsSessionBetweenUses_SoPostgresIsNotAskedToResetIt()
    {
        var token = TestContext.Current.CancellationToken;
        int pid;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await db.Database.OpenConnectionAsync(token);
            pid = await db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync(token);
            await db.Database.SqlQueryRaw<string>("SELECT set_config('application_name', 'sportello-pool-probe', false) AS \"Value\"").SingleAsync(token);
        }
        // The pool hands its idle connections out in turn: open until the same server process comes back.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await db.Database.OpenConnectionAsync(token);
            if (await db.Database.SqlQueryRaw<int>("SELECT pg_backend_pid() AS \"Value\"").SingleAsync(token) == pid)
            {
                // Reset (RESET ALL) would have put it back to the connection string's name.
                Assert.Equal("sportello-pool-probe",
                    await db.Database.SqlQueryRaw<string>("SELECT current_setting('application_name') AS \"Value\"").SingleAsync(token));
                return;
            }
        }
        Assert.Fail($"The pool never handed backend {pid} out again.");
    }

    private static async Task<List<string>> StatementsAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT statement FROM pg_prepared_statements";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var statements = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            statements.Add(reader.GetString(0));
        }
        return statements;
    }
}
