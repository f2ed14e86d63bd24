using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

/// <summary>A node on SQLite, whatever the run's database.</summary>
public sealed class SqliteApp : SportelloApp
{
    public override async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync(postgres: false);
}

/// <summary>
/// The hot paths' compiled queries (the API token check, a new ticket's response targets and support addresses) are
/// compiled once per model: one process can run a SQLite and a PostgreSQL context (a move between them; test hosts),
/// and a query compiled for one fails on the other.
/// </summary>
[Trait("Category", "Data")]
public sealed class CompiledQueryTests(SqliteApp sqlite, PostgresApp postgres) : IClassFixture<SqliteApp>, IClassFixture<PostgresApp>
{
    [Fact]
    public async Task ANodeOnSqlite_AndANodeOnPostgres_InOneProcess_BothSignInAndOpenTickets()
    {
        foreach (var app in new SportelloApp[] { sqlite, postgres, sqlite, postgres })
        {
            var (email, order, ip) = Unique.Customer("compiled");
            var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
            var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Both models", description = "x" });
            Assert.Equal("open", ticket.GetProperty("status").GetString());
        }
    }
}
