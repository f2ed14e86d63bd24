using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

[Trait("Category", "Data")]
public sealed class ConcurrencyTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task StaleTicketCopy_CannotOverwriteANewerChange()
    {
        var (email, order, ip) = Unique.Customer("stale");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var id = Guid.Parse((await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "x", description = "y" }))
            .GetProperty("id").GetString()!);

        using var staleScope = app.Services.CreateScope();
        var stale = staleScope.ServiceProvider.GetRequiredService<SportelloDb>();
        var staleTicket = await stale.Tickets.SingleAsync(t => t.Id == id, TestContext.Current.CancellationToken);

        var agent = await app.AgentAsync("stale-agent@sportello.example");
        (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "answer" }, TestContext.Current.CancellationToken))
            .EnsureSuccessStatusCode();

        staleTicket.Priority = "high";
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.SaveChangesAsync(TestContext.Current.CancellationToken));
        var now = await (await customer.GetAsync($"/api/v1/tickets/{id}", TestContext.Current.CancellationToken)).JsonAsync(System.Net.HttpStatusCode.OK);
        Assert.Equal("answered", now.GetProperty("status").GetString());
        Assert.Equal("normal", now.GetProperty("priority").GetString());
    }
}
