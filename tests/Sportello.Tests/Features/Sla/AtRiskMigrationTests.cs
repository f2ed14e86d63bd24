using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Sla;
using Sportello.Tests.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

/// <summary>
/// The migration that left an at-risk moment only on the marks still to make: a mark made before it (which kept its
/// moment then) loses it, a pending one keeps it and is still made once, on time. Its own database: the test undoes the
/// migration and applies it again.
/// </summary>
[Trait("Category", "Data")]
public sealed class AtRiskMigrationTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task MarksMadeBeforeTheUpgrade_LoseTheirMoment_PendingOnesKeepItAndAreStillMadeOnce()
    {
        var token = TestContext.Current.CancellationToken;
        var (email, order, ip) = Unique.Customer("at-risk-migration");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var body = new { department = "technical", priority = "normal", subject = "Migration", description = "The site is slow." };
        var marked = (await customer.OpenTicketAsync(body)).GetProperty("id").GetGuid();
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var pending = (await customer.OpenTicketAsync(body)).GetProperty("id").GetGuid();
        var monitor = app.Services.GetRequiredService<SlaMonitor>();
        // Nine minutes into a ten-minute target: the first is at risk, the second (four minutes old) not yet.
        app.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(1, await monitor.SweepAsync());

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            // The installation as it was: the migration undone, and the made mark keeping its moment as the version before left it.
            await MigrationSteps.UndoAsync(db, "AtRiskDueOnlyWhilePending", token);
            var moment = app.Clock.GetUtcNow().UtcDateTime.AddMinutes(-1);
            Assert.Equal(1, await db.Tickets.Where(t => t.Id == marked).ExecuteUpdateAsync(t => t.SetProperty(x => x.AtRiskDueAt, moment), token));
            await MigrationSteps.UpgradeAsync(db, token);

            var tickets = await db.Tickets.AsNoTracking().Where(t => t.Id == marked || t.Id == pending).ToDictionaryAsync(t => t.Id, token);
            Assert.NotNull(tickets[marked].AtRiskAt);
            Assert.Null(tickets[marked].AtRiskDueAt);
            Assert.Null(tickets[pending].AtRiskAt);
            Assert.NotNull(tickets[pending].AtRiskDueAt);
        }

        // Five minutes on, the first has missed its target and the second turns at risk: two marks, each made once.
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, await monitor.SweepAsync());
        Assert.Equal(0, await monitor.SweepAsync());
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            var second = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == pending, token);
            Assert.NotNull(second.AtRiskAt);
            Assert.Null(second.AtRiskDueAt);
        }
    }
}
