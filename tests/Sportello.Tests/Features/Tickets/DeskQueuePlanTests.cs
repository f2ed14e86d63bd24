using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sportello.Data;
using Sportello.Tests.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

/// <summary>
/// The Desk queue's pages cost what a page holds at any size of the desk: on PostgreSQL each of a page's reads walks the
/// queue's partial index from where the page starts. A deep page once asked for a rank besides naming it; PostgreSQL
/// took the two conditions as independent, expected a hundredth of the tickets after the cursor, and bitmap-scanned and
/// sorted all of them instead (a deep page at 100,000 tickets: 2 → 12 ms; bench/README.md).
/// </summary>
[Trait("Category", "Data")]
public sealed class DeskQueuePlanTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    private const string QueueIndex = "IX_Tickets_QueueRank_DueAt_CreatedAt_Id";

    // A desk as the bench's: a tenth waiting on support (a tenth of those High, a fifth financial), the rest closed.
    private const int Waiting = 2_800;
    private const int Closed = 25_000;

    [Fact]
    public async Task TheQueuesFirstAndDeepPages_PostgresWalksTheQueuesIndex_NeitherSortingNorBitmapScanning()
    {
        var token = TestContext.Current.CancellationToken;
        var (email, order, ip) = Unique.Customer("queue-plan");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync($"queue-plan-{Unique.Next()}@sportello.test", "technical");
        var template = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Plan", description = "The disk is full." }))
            .GetProperty("id").GetGuid();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await PostgresPlans.CopyTicketsAsync(db, template, Waiting, "ZQW", token, new Dictionary<string, string>
            {
                ["CreatedAt"] = "t.\"CreatedAt\" - g * interval '7 seconds'",
                ["DueAt"] = "t.\"DueAt\" - g * interval '7 seconds'",
                ["Priority"] = "CASE WHEN g % 10 = 0 THEN 'high' ELSE t.\"Priority\" END",
                ["QueueRank"] = "CASE WHEN g % 10 = 0 THEN 0 ELSE 1 END",
                ["Department"] = "CASE WHEN g % 5 = 1 THEN 'financial' ELSE t.\"Department\" END",
            });
            await PostgresPlans.CopyTicketsAsync(db, template, Closed, "ZQC", token, new Dictionary<string, string>
            {
                ["CreatedAt"] = "t.\"CreatedAt\" - g * interval '20 minutes'",
                ["Status"] = "'closed'",
                ["ClosedAt"] = "t.\"CreatedAt\" - g * interval '20 minutes' + interval '2 days'",
                ["QueueRank"] = "NULL",
                ["DueAt"] = "NULL",
                ["AtRiskDueAt"] = "NULL",
                ["Department"] = "CASE WHEN g % 5 = 1 THEN 'financial' ELSE t.\"Department\" END",
            });
            // What autovacuum does once enough of the table changed.
            await db.Database.ExecuteSqlRawAsync("ANALYZE \"Tickets\"", token);
        }

        // Half-way down the technical queue, as an agent gets there: following the pages' links.
        const int depth = Waiting * 4 / 5 / 2 / 200 * 200;
        var url = "/api/v1/desk/queue?limit=200";
        for (var seen = 0; seen < depth; seen += 200)
        {
            var response = await agent.GetAsync(url, token);
            await response.JsonAsync(HttpStatusCode.OK);
            var link = response.Headers.GetValues("Link").Single();
            url = link[(link.IndexOf('<', StringComparison.Ordinal) + 1)..link.IndexOf('>', StringComparison.Ordinal)];
        }
        url = url.Replace("limit=200", "limit=50", StringComparison.Ordinal);
        var database = new NpgsqlConnectionStringBuilder(app.Database.ConnectionString).Database;
        JsonElement first = default, deep = default;
        var reads = await Statements.OfAsync(agent, command => command is NpgsqlCommand { Connection: { } connection } npgsql
            && connection.Database == database && command.CommandText.Contains("\"QueueRank\"", StringComparison.Ordinal)
                ? new Read(command.CommandText, [.. npgsql.Parameters.Select(p => p.Clone())])
                : null, async () =>
        {
            first = await (await agent.GetAsync("/api/v1/desk/queue?limit=50", token)).JsonAsync(HttpStatusCode.OK);
            deep = await (await agent.GetAsync(url, token)).JsonAsync(HttpStatusCode.OK);
        }, probe: "/api/v1/desk/queue?limit=1");

        // The pages a technical agent sees: the technical tickets with a rank, in queue order, from the first and from the cursor.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            var queue = await db.Tickets.Where(t => t.QueueRank != null && t.Department == "technical")
                .OrderBy(t => t.QueueRank).ThenBy(t => t.DueAt).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id).Select(t => t.Id).ToListAsync(token);
            Assert.Equal(queue.Take(50), first.EnumerateArray().Select(t => t.GetProperty("id").GetGuid()));
            Assert.Equal(queue.Skip(depth).Take(50), deep.EnumerateArray().Select(t => t.GetProperty("id").GetGuid()));
        }

        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync(token);
        Assert.NotEmpty(reads);
        foreach (var (sql, parameters) in reads)
        {
            var plan = await PostgresPlans.PlanAsync(connection, sql, parameters, token);
            var scans = PostgresPlans.Reading(plan, "Tickets").ToList();
            Assert.All(scans, scan =>
            {
                Assert.True(scan.GetProperty("Node Type").GetString() is "Index Scan" && scan.GetProperty("Index Name").GetString() == QueueIndex,
                    $"PostgreSQL reads the queue otherwise than down its index, expecting {scan.GetProperty("Plan Rows")} tickets:\n{sql}\n{plan}");
            });
            Assert.DoesNotContain(PostgresPlans.Nodes(plan), n => n.GetProperty("Node Type").GetString() is "Sort" or "Incremental Sort" or "Bitmap Heap Scan");
        }
    }

    private sealed record Read(string Sql, List<NpgsqlParameter> Parameters);
}
