using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

/// <summary>Writes that share a commit are all durable when acknowledged, and one bad write fails only itself.</summary>
[Trait("Category", "Data")]
public sealed class GroupCommitTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task ManyConcurrentTickets_AreAllStored_WithDistinctNumbers()
    {
        var customers = new List<HttpClient>();
        for (var i = 0; i < 4; i++)
        {
            var (email, order, ip) = Unique.Customer("burst");
            customers.Add((await app.CustomerWithServiceAsync(email, order, ip)).Customer);
        }
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => customers[i % 4].PostAsJsonAsync("/api/v1/tickets",
            new { department = "technical", priority = "normal", subject = $"Burst {i}", description = "At the same moment" })));
        var numbers = new List<string>();
        foreach (var response in responses)
        {
            numbers.Add((await response.JsonAsync(HttpStatusCode.Created)).GetProperty("number").GetString()!);
        }
        Assert.Equal(60, numbers.Distinct().Count());
        var stored = 0;
        foreach (var customer in customers)
        {
            stored += (await (await customer.GetAsync("/api/v1/tickets?limit=200")).JsonAsync(HttpStatusCode.OK)).GetArrayLength();
        }
        Assert.Equal(60, stored);
    }

    [Fact]
    public async Task ABadWriteInABatch_FailsAlone()
    {
        var (email, order, ip) = Unique.Customer("batch");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var existing = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "First", description = "x" });
        var customerId = Guid.Parse((await (await customer.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("id").GetString()!);
        var writer = app.Services.GetRequiredService<GroupCommit>();
        var now = app.Clock.GetUtcNow().UtcDateTime;

        Ticket NewTicket(string number)
        {
            var ticket = new Ticket
            {
                Id = Guid.CreateVersion7(), Number = number, CustomerId = customerId, Department = "technical", Priority = "normal",
                Status = TicketStatus.Open, Channel = Channels.Web, Subject = "Batched " + number, CreatedAt = now, UpdatedAt = now,
            };
            SlaClock.Open(ticket, new SlaPolicy { FirstResponseMinutes = 10, NextResponseMinutes = 120 }, now);
            return ticket;
        }

        var good = Enumerable.Range(0, 10).Select(i => NewTicket($"GCT-{100000 + Unique.Next():D6}")).ToList();
        var clash = NewTicket(existing.GetProperty("number").GetString()!);
        var writes = good.Take(5).Select(t => writer.WriteAsync((db, _) => { db.Tickets.Add(t); return Task.CompletedTask; }))
            .Append(writer.WriteAsync((db, _) => { db.Tickets.Add(clash); return Task.CompletedTask; }))
            .Concat(good.Skip(5).Select(t => writer.WriteAsync((db, _) => { db.Tickets.Add(t); return Task.CompletedTask; })))
            .ToList();
        var failed = await Assert.ThrowsAsync<DbUpdateException>(() => writes[5]);
        Assert.NotNull(failed);
        await Task.WhenAll(writes.Where((_, i) => i != 5));

        using var scope = app.Services.CreateScope();
        var stored = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var ids = good.Select(t => t.Id).ToList();
        Assert.Equal(10, await stored.Tickets.CountAsync(t => ids.Contains(t.Id), TestContext.Current.CancellationToken));
        Assert.False(await stored.Tickets.AnyAsync(t => t.Id == clash.Id, TestContext.Current.CancellationToken));
    }
}
