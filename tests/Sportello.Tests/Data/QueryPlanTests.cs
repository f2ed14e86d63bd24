using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

/// <summary>
/// What every screen of a desk with a million tickets relies on, read from SQLite's own plans: the statements the
/// everyday requests run (the API token check every request pays; a customer's list, view and search; an agent's queue,
/// ticket and search; a new ticket and both sides' replies) never read a table that grows with the customers or the
/// tickets from end to end. A full read is invisible at a test's size, and cost every request 30-60 ms at 100,000
/// customers (bench/README.md).
/// </summary>
[Trait("Category", "Data")]
public sealed partial class QueryPlanTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    /// <summary>The tables that grow with the desk; a settings table or a handful of notices may be read whole.</summary>
    private static readonly string[] Growing =
    [
        "AspNetUsers", "AspNetUserRoles", "ApiTokens", "AgentDepartments", "Services", "Tickets", "TicketMessages",
        "TicketEvents", "Attachments", "SearchDocuments", "ChatConversations", "ChatMessages", "OutboxMessages", "InboundMessages",
    ];

    [Fact]
    public async Task TheEverydayRequests_NeverReadAGrowingTableWhole()
    {
        var (email, order, ip) = Unique.Customer("plan");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Planned reads", description = "The disk is full." });
        var id = ticket.GetProperty("id").GetString();
        var agent = await app.AgentAsync($"plan-agent-{Unique.Next()}@sportello.test", "technical");

        var statements = await StatementsOfAsync(customer, async () =>
        {
            foreach (var (client, path) in new[]
            {
                (customer, "/api/v1/tickets"), (customer, $"/api/v1/tickets/{id}"), (customer, "/api/v1/tickets?q=disk"),
                (agent, "/api/v1/desk/queue"), (agent, $"/api/v1/desk/tickets/{id}"), (agent, "/api/v1/desk/search?q=disk"),
            })
            {
                (await client.GetAsync(path)).EnsureSuccessStatusCode();
            }
            // And the everyday writes: a ticket, the customer's reply, the agent's.
            await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Planned writes", description = "Mail bounces." });
            (await customer.PostAsJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "Still full." })).EnsureSuccessStatusCode();
            (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Cleaned the logs." })).EnsureSuccessStatusCode();
        });

        Assert.Contains(statements, s => s.Contains("\"ApiTokens\"", StringComparison.Ordinal));
        var wholeReads = new List<string>();
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements.Where(s => s.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)).Distinct())
        {
            await using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
            foreach (Match parameter in Parameter().Matches(sql))
            {
                if (!explain.Parameters.Contains(parameter.Value))
                {
                    explain.Parameters.AddWithValue(parameter.Value, DBNull.Value);
                }
            }
            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(3));
                }
            }
            // Plans name a table by its alias in the statement. "SCAN a" reads it whole; "SCAN a USING INDEX i" walks an
            // index in order, which a LIMIT stops early.
            var tables = Alias().Matches(sql).ToDictionary(m => m.Groups["alias"].Value, m => m.Groups["table"].Value, StringComparer.Ordinal);
            var whole = plan.Where(line => ScanOf().Match(line.Trim()) is { Success: true } scan
                && Growing.Contains(tables.GetValueOrDefault(scan.Groups["name"].Value, scan.Groups["name"].Value), StringComparer.Ordinal)).ToList();
            if (whole.Count > 0)
            {
                wholeReads.Add($"{string.Join("; ", whole)}\n  in: {sql}\n  plan: {string.Join(" | ", plan)}");
            }
        }
        Assert.True(wholeReads.Count == 0, "Statements read a growing table whole:\n" + string.Join("\n\n", wholeReads));
    }

    /// <summary>The SQL of every command this node's database ran while <paramref name="act"/> ran.</summary>
    private Task<List<string>> StatementsOfAsync(HttpClient signedIn, Func<Task> act)
    {
        var database = new SqliteConnectionStringBuilder(app.Database.ConnectionString).DataSource;
        return Statements.OfAsync(signedIn, command => command.Connection is SqliteConnection connection
            && new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource == database ? command.CommandText : null, act);
    }

    [GeneratedRegex(@"@\w+")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"^SCAN (?<name>\w+)$")]
    private static partial Regex ScanOf();

    [GeneratedRegex(@"""(?<table>\w+)"" AS ""(?<alias>\w+)""")]
    private static partial Regex Alias();
}
