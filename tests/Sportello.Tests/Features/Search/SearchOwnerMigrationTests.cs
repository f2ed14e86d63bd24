using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Search;
using Sportello.Tests.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Search;

/// <summary>
/// The migration that gave search documents their owner: a ticket's document written before it gets the ticket's
/// customer, and the customer still finds the ticket after the upgrade. Its own database: the test undoes the
/// migration and applies it again.
/// </summary>
[Trait("Category", "Data")]
public sealed class SearchOwnerMigrationTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task DocumentsWrittenBeforeTheOwnerColumn_GetTheirOwner_AndTheCustomerStillFindsThem()
    {
        var (email, _, _) = Unique.Customer("owner");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var tag = "w" + Guid.NewGuid().ToString("N")[..10] + "7";
        var ticket = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Backup " + tag, description = "The backup failed." }))
            .GetProperty("id").GetString()!;
        var cancellationToken = TestContext.Current.CancellationToken;

        await using (var scope = app.Services.CreateAsyncScope())
        {
            // The installation as it was: the owner migration undone (its column gone), the documents kept; then the upgrade.
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await MigrationSteps.UndoAsync(db, "SearchOwner", cancellationToken);
            await MigrationSteps.UpgradeAsync(db, cancellationToken);

            var document = await db.SearchDocuments.AsNoTracking().SingleAsync(d => d.Kind == SearchKinds.Ticket && d.TargetId == Guid.Parse(ticket), cancellationToken);
            var customerId = await db.Tickets.Where(t => t.Id == Guid.Parse(ticket)).Select(t => t.CustomerId).SingleAsync(cancellationToken);
            Assert.NotNull(customerId);
            Assert.Equal(customerId, document.OwnerId);
        }

        var found = await (await customer.GetAsync("/api/v1/tickets?q=" + tag)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(ticket, Assert.Single(found.EnumerateArray().ToList()).GetProperty("id").GetString());
    }
}
