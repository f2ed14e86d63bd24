using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Search;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Search;

/// <summary>
/// A new ticket's search document is built from what its opener holds and inserted in the ticket's own commit (issue
/// 16: no read-back, no delete): it must find the same things a rewrite from the database finds, at once, on SQLite
/// and PostgreSQL alike.
/// </summary>
[Trait("Category", "Data")]
public sealed class NewTicketSearchTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static string Tag() => "n" + Guid.NewGuid().ToString("N")[..10] + "7";

    private static async Task<List<string>> FoundAsync(HttpClient client, string q, string path = "/api/v1/desk/search", string property = "ticketId")
    {
        var response = await client.GetAsync($"{path}?q={Uri.EscapeDataString(q)}");
        return (await response.JsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(h => h.GetProperty(property).GetString()!).ToList();
    }

    [Fact]
    public async Task ANewTicket_IsFound_TheMomentItIsCreated_ByItsWordsItsCustomerAndItsService_AndStaysOneDocumentAfterAReply()
    {
        var (email, order, ip) = Unique.Customer("new-search");
        var (customer, serviceId) = await app.CustomerWithServiceAsync(email, order, ip);
        var admin = await app.AdminAsync();
        var tag = Tag();
        var id = (await customer.OpenTicketAsync(new
        {
            department = "technical", priority = "normal", subject = "Database stalls", description = $"The fatture export stalls at {tag}.", serviceId,
        })).GetProperty("id").GetString()!;

        // The 201 came after the commit: its document is there, with the customer's address and the service's references.
        Assert.Equal([id], await FoundAsync(admin, tag));
        Assert.Equal([id], await FoundAsync(admin, email));
        Assert.Equal([id], await FoundAsync(admin, ip));
        Assert.Equal([id], await FoundAsync(admin, order));
        Assert.Equal([id], await FoundAsync(admin, $"fattura {tag}"));
        Assert.Equal([id], await FoundAsync(customer, tag, "/api/v1/tickets", "id"));

        // A reply rewrites the document from the database: one document still, with both messages' words.
        var reply = Tag();
        (await customer.PostAsJsonAsync($"/api/v1/tickets/{id}/messages", new { body = $"Still stalled at {reply}." })).EnsureSuccessStatusCode();
        Assert.Equal([id], await FoundAsync(admin, $"{tag} {reply}"));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        Assert.Equal(1, await db.SearchDocuments.CountAsync(d => d.Kind == SearchKinds.Ticket && d.TargetId == Guid.Parse(id), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ANewTicketChangedAfterItsDocumentWasBuilt_IsIndexedAsSaved_NotAsDescribed()
    {
        var (email, _, _) = Unique.Customer("new-search-changed");
        var customerId = Guid.Parse((await (await app.AdminAsync()).CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var (before, after, body) = (Tag(), Tag(), Tag());
        var cancellationToken = TestContext.Current.CancellationToken;
        Guid ticketId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
            var ticket = OpenTicket.NewTicket(customerId, Departments.Technical, Priorities.Normal, Channels.Web, "Subject " + before,
                new SlaPolicy { FirstResponseMinutes = 60, NextResponseMinutes = 240 }, now);
            ticket.Messages.Add(new TicketMessage { Id = Guid.CreateVersion7(), TicketId = ticket.Id, AuthorId = customerId, AuthorName = "Someone", Body = "First " + body, CreatedAt = now });
            SearchIndex.DescribeNew(ticket, "Someone", email);
            ticket.Subject = "Subject " + after;
            ticket.Messages.Add(new TicketMessage { Id = Guid.CreateVersion7(), TicketId = ticket.Id, AuthorId = customerId, AuthorName = "Someone", Body = "Second", CreatedAt = now });
            db.Tickets.Add(ticket);
            await db.SaveChangesAsync(cancellationToken);
            ticketId = ticket.Id;
        }

        var admin = await app.AdminAsync();
        Assert.Equal([ticketId.ToString()], await FoundAsync(admin, after));
        Assert.Equal([ticketId.ToString()], await FoundAsync(admin, body));
        Assert.Empty(await FoundAsync(admin, before));
    }
}
