using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

/// <summary>Real SignalR clients against the real hub, authenticated with API tokens like an integrator.</summary>
[Trait("Category", "Data")]
public sealed class LiveUpdatesTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    public sealed record Change(Guid Id, string Number, string Kind, string Status);
    public sealed record Replying(Guid TicketId, Guid AgentId, string AgentName);

    private async Task<(HubConnection Connection, Channel<Change> Changes, Channel<Replying> Replies)> ConnectAsync(HttpClient client)
    {
        var changes = Channel.CreateUnbounded<Change>();
        var replies = Channel.CreateUnbounded<Replying>();
        var connection = await Hubs.ConnectAsync(app, client, c =>
        {
            c.On<Change>("ticketChanged", change => changes.Writer.TryWrite(change));
            c.On<Replying>("agentReplying", reply => replies.Writer.TryWrite(reply));
        });
        return (connection, changes, replies);
    }

    private static async Task<T> NextAsync<T>(Channel<T> channel, Func<T, bool> match)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var item = await channel.Reader.ReadAsync(timeout.Token);
            if (match(item))
            {
                return item;
            }
        }
    }

    [Fact]
    public async Task Desk_HearsNewTickets_Customer_HearsRepliesButNeverInternalNotes()
    {
        var (email, order, ip) = Unique.Customer("live");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync("live-agent@sportello.example");
        var (agentHub, agentChanges, _) = await ConnectAsync(agent);
        var (customerHub, customerChanges, _) = await ConnectAsync(customer);
        await using var _1 = agentHub;
        await using var _2 = customerHub;

        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Live", description = "Hello" });
        var id = Guid.Parse(ticket.GetProperty("id").GetString()!);
        var created = await NextAsync(agentChanges, c => c.Id == id);
        Assert.Equal("created", created.Kind);
        Assert.Equal(ticket.GetProperty("number").GetString(), created.Number);

        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "note", @internal = true })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "public" })).JsonAsync(HttpStatusCode.Created);
        var first = await NextAsync(customerChanges, c => c.Id == id && c.Kind != "created");
        Assert.Equal("agent-replied", first.Kind);
        Assert.Equal("answered", first.Status);
        var agentSaw = new List<string> { (await NextAsync(agentChanges, c => c.Id == id)).Kind, (await NextAsync(agentChanges, c => c.Id == id)).Kind };
        Assert.Equal(["note-added", "agent-replied"], agentSaw);
    }

    [Fact]
    public async Task Customers_DoNotHearOtherCustomersTickets_AndCannotWatchThem()
    {
        var (e1, o1, i1) = Unique.Customer("live-a");
        var (e2, o2, i2) = Unique.Customer("live-b");
        var (a, _) = await app.CustomerWithServiceAsync(e1, o1, i1);
        var (b, _) = await app.CustomerWithServiceAsync(e2, o2, i2);
        var (bHub, bChanges, _) = await ConnectAsync(b);
        await using var _1 = bHub;
        var ticket = await a.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Private", description = "Mine" });
        var id = Guid.Parse(ticket.GetProperty("id").GetString()!);
        Assert.False(await bHub.InvokeAsync<bool>("WatchTicket", id, TestContext.Current.CancellationToken));
        var own = await b.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Own", description = "Mine too" });
        var heard = await NextAsync(bChanges, _ => true);
        Assert.Equal(Guid.Parse(own.GetProperty("id").GetString()!), heard.Id);
    }

    [Fact]
    public async Task Agents_SeeWhenAColleagueIsReplying()
    {
        var (email, order, ip) = Unique.Customer("collide");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var first = await app.AgentAsync("collide-1@sportello.example");
        var second = await app.AgentAsync("collide-2@sportello.example");
        var id = Guid.Parse((await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Both", description = "x" }))
            .GetProperty("id").GetString()!);
        var (hub1, _, replies1) = await ConnectAsync(first);
        var (hub2, _, replies2) = await ConnectAsync(second);
        await using var _1 = hub1;
        await using var _2 = hub2;
        Assert.True(await hub1.InvokeAsync<bool>("WatchTicket", id, TestContext.Current.CancellationToken));
        Assert.True(await hub2.InvokeAsync<bool>("WatchTicket", id, TestContext.Current.CancellationToken));
        await hub2.InvokeAsync("Replying", id, TestContext.Current.CancellationToken);
        var warning = await NextAsync(replies1, r => r.TicketId == id);
        Assert.Equal("Agent collide-2", warning.AgentName);
        Assert.False(replies2.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Hub_WithoutCredentials_IsRefused()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "hubs/tickets"), o =>
            {
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
            })
            .Build();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
