using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Sla;
using Sportello.Tests.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

/// <summary>
/// The migration that gave the roll-up's rows a revision: the hours and days counted before it get one too, so a node
/// keeps them parsed like the ones counted after, and the report reads the same. Its own database: the test undoes the
/// migration and applies it again.
/// </summary>
[Trait("Category", "Data")]
public sealed class SlaRollupRevisionMigrationTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task HoursAndDaysCountedBeforeTheUpgrade_GetARevision_AndReadTheSame()
    {
        var token = TestContext.Current.CancellationToken;
        var (email, order, ip) = Unique.Customer("rollup-revision-migration");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        for (var i = 0; i < 3; i++)
        {
            await customer.OpenTicketAsync(SlaTickets.Body("technical", "normal", $"Before the upgrade {i}", null));
            app.Clock.Advance(TimeSpan.FromHours(9));
        }
        app.Clock.Advance(TimeSpan.FromDays(1));
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        Assert.True(await SlaRollup.RollUpAsync(db, now, token) > 0);
        var read = scope.ServiceProvider.GetRequiredService<ReadSlaReport>();
        var before = (await read.BetweenAsync(now.AddDays(-5), now, token)).Value!;

        // The installation as it was: the migration undone (the rows lose the column), then applied again.
        await MigrationSteps.UndoAsync(db, "SlaRollupRevisions", token);
        await MigrationSteps.UpgradeAsync(db, token);

        var hours = await db.Set<SlaHour>().AsNoTracking().Select(h => h.Revision).ToListAsync(token);
        var days = await db.Set<SlaDay>().AsNoTracking().Select(d => d.Revision).ToListAsync(token);
        Assert.True(hours.Count >= 3);
        Assert.True(days.Count >= 2);
        Assert.All(hours.Concat(days), r => Assert.NotNull(r));
        // A node of this version reads them (and keeps them) as the roll-up left them: the same report.
        Assert.Equal(before.Overall, (await read.BetweenAsync(now.AddDays(-5), now, token)).Value!.Overall);
        await using var again = app.Services.CreateAsyncScope();
        Assert.Equal(before.Overall, (await again.ServiceProvider.GetRequiredService<ReadSlaReport>().BetweenAsync(now.AddDays(-5), now, token)).Value!.Overall);
    }
}
