using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Sla;
using Sportello.Tests.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

/// <summary>
/// The monitor sweeps every five seconds, mostly finding nothing. On PostgreSQL that pass must cost what is due, not
/// the desk: at 5,000,000 tickets, with every mark it had made keeping its moment, PostgreSQL's statistics had a tenth
/// of the desk waiting for an at-risk mark, and it planned the read as a parallel sort with JIT compilation, 250 ms a
/// sweep with nothing due, both cores busy every five seconds (bench/README.md). A mark made now clears its moment, so
/// the statistics hold the pending marks alone.
/// </summary>
[Trait("Category", "Data")]
public sealed class SlaSweepPlanTests(PostgresApp app) : IClassFixture<PostgresApp>
{
    // Half the desk waiting, so that at a test's size PostgreSQL's guesses, each column taken alone, err as they did at
    // 5,000,000 with a tenth waiting: a few hundred tickets expected where none is due.
    private const int Copies = 2_000;

    [Fact]
    public async Task OnceTheMonitorHasMarkedTheWaitingTickets_PostgresPlansTheAtRiskRead_ForWhatIsPendingAlone()
    {
        var token = TestContext.Current.CancellationToken;
        var (email, order, ip) = Unique.Customer("sweep-plan");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync($"sweep-plan-{Unique.Next()}@sportello.test", "technical");
        var body = new { department = "technical", priority = "normal", subject = "Plan", description = "The mail server refuses logins." };
        var early = (await customer.OpenTicketAsync(body)).GetProperty("id").GetGuid();
        var answered = (await customer.OpenTicketAsync(body)).GetProperty("id").GetGuid();
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{answered}/messages", new { body = "Fixed." }, token)).JsonAsync(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var late = (await customer.OpenTicketAsync(body)).GetProperty("id").GetGuid();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await PostgresPlans.CopyTicketsAsync(db, early, Copies, "ZEA", token);
            await PostgresPlans.CopyTicketsAsync(db, late, Copies, "ZLA", token);
            // Their clocks stopped by the product's own reply.
            await PostgresPlans.CopyTicketsAsync(db, answered, 2 * Copies, "ZAN", token);
        }
        var monitor = app.Services.GetRequiredService<SlaMonitor>();

        // Ten-minute targets. Nine minutes after the early ones opened they are at risk; the late ones, four minutes old, are not yet.
        app.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(Copies + 1, await SweepAllAsync(monitor));
        await AssertPlannedForNothingPendingAsync(token);

        // Sixteen minutes: every waiting ticket has missed its target, the late ones with no at-risk mark made before.
        app.Clock.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal(2 * (Copies + 1), await SweepAllAsync(monitor));
        await AssertPlannedForNothingPendingAsync(token);
    }

    private async Task AssertPlannedForNothingPendingAsync(CancellationToken token)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        // What autovacuum does once enough of the table changed.
        await db.Database.ExecuteSqlRawAsync("ANALYZE \"Tickets\"", token);
        var now = app.Clock.GetUtcNow().UtcDateTime;
        Assert.Empty(await SlaMonitor.AtRiskDue(db.Tickets.AsNoTracking(), now).ToListAsync(token));
        var plan = await PostgresPlans.PlanAsync(db, SlaMonitor.AtRiskDue(db.Tickets.AsNoTracking(), now), token);
        var scan = PostgresPlans.Reading(plan, "Tickets").Single();
        // With the made marks keeping their moments, PostgreSQL expected 60-190 tickets here.
        Assert.True(scan.GetProperty("Plan Rows").GetDouble() <= 5, $"PostgreSQL expects {scan.GetProperty("Plan Rows")} tickets at risk: {plan}");
        Assert.Equal("IX_Tickets_AtRiskDueAt_Unmarked", scan.GetProperty("Index Name").GetString());
        Assert.DoesNotContain(PostgresPlans.Nodes(plan), n => n.GetProperty("Node Type").GetString() is "Sort" or "Gather" or "Gather Merge");
    }

    private static async Task<int> SweepAllAsync(SlaMonitor monitor)
    {
        var marks = 0;
        for (var pass = 0; pass < 20; pass++)
        {
            var made = await monitor.SweepAsync();
            if (made == 0)
            {
                return marks;
            }
            marks += made;
        }
        return marks;
    }
}
