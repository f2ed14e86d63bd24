using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Sla;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

public sealed class OnCallApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Sla:OnCallEmail"] = "oncall@sportello.example",
    };
}

/// <summary>A breach alerts the ticket's department and the on-call contact, live, and nobody else.</summary>
[Trait("Category", "Data")]
public sealed class EscalationTests(OnCallApp app) : IClassFixture<OnCallApp>
{
    public sealed record Escalation(Guid Id, string Number, string Department);

    private async Task<(HubConnection Hub, Channel<Escalation> Alerts)> ListenAsync(HttpClient client)
    {
        var alerts = Channel.CreateUnbounded<Escalation>();
        var hub = await Hubs.ConnectAsync(app, client, c => c.On<Escalation>("slaEscalation", e => alerts.Writer.TryWrite(e)));
        return (hub, alerts);
    }

    // The on-call contact (financial) is one account for every test of the class: made by whichever test comes first.
    private async Task<HttpClient> OnCallAsync()
    {
        var admin = await app.AdminAsync();
        using var made = await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email = "oncall@sportello.example", name = "On call", password = "agent passphrase 2026", departments = new[] { "financial" },
        }, TestContext.Current.CancellationToken);
        return await app.SignInAsync("oncall@sportello.example", "agent passphrase 2026");
    }

    [Fact]
    public async Task Breach_AlertsTheDepartmentAndTheOnCallContact()
    {
        var (email, order, ip) = Unique.Customer("escalate");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var technical = await app.AgentAsync("tech-escalation@sportello.example", "technical");
        var financial = await app.AgentAsync("fin-escalation@sportello.example", "financial");
        var onCall = await OnCallAsync();
        var (techHub, techAlerts) = await ListenAsync(technical);
        var (finHub, finAlerts) = await ListenAsync(financial);
        var (onCallHub, onCallAlerts) = await ListenAsync(onCall);
        await using var _1 = techHub;
        await using var _2 = finHub;
        await using var _3 = onCallHub;

        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Slow", description = "x" });
        var id = Guid.Parse(ticket.GetProperty("id").GetString()!);
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await app.Services.GetRequiredService<SlaMonitor>().SweepAsync(TestContext.Current.CancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        Assert.Equal(id, (await techAlerts.Reader.ReadAsync(timeout.Token)).Id);
        var toOnCall = await onCallAlerts.Reader.ReadAsync(timeout.Token);
        Assert.Equal(ticket.GetProperty("number").GetString(), toOnCall.Number);
        Assert.Equal("technical", toOnCall.Department);
        // The hub delivers in order per connection: a later message proves the financial agent's alert never came.
        await finHub.InvokeAsync<bool>("WatchTicket", id, TestContext.Current.CancellationToken);
        Assert.False(finAlerts.Reader.TryRead(out _));
        Assert.Equal(HttpStatusCode.OK, (await technical.GetAsync($"/api/v1/desk/tickets/{id}")).StatusCode);
    }

    [Fact]
    public async Task BreachesInOnePass_EachMailsItsOwnDepartmentAndTheOnCallContact_Once()
    {
        var (email, order, ip) = Unique.Customer("escalate-many");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        string[] technical = ["tech-a-many@sportello.example", "tech-b-many@sportello.example"];
        const string financial = "fin-many@sportello.example";
        foreach (var agent in technical)
        {
            await app.AgentAsync(agent, "technical");
        }
        await app.AgentAsync(financial, "financial");
        using var _ = await OnCallAsync();
        var tickets = new Dictionary<Guid, string>();
        foreach (var department in new[] { "technical", "financial", "technical", "technical", "financial" })
        {
            var ticket = await customer.OpenTicketAsync(new { department, priority = "normal", subject = "Down " + department, description = "x" });
            tickets[Guid.Parse(ticket.GetProperty("id").GetString()!)] = department;
        }
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var monitor = app.Services.GetRequiredService<SlaMonitor>();

        Assert.Equal(tickets.Count, await monitor.SweepAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await monitor.SweepAsync(TestContext.Current.CancellationToken));

        await using var scope = app.Services.CreateAsyncScope();
        var ids = tickets.Keys.ToList();
        var mails = await scope.ServiceProvider.GetRequiredService<SportelloDb>().OutboxMessages.AsNoTracking()
            .Where(m => m.Kind == MailKinds.SlaEscalation && ids.Contains(m.TicketId!.Value)).ToListAsync(TestContext.Current.CancellationToken);
        foreach (var (id, department) in tickets)
        {
            var to = mails.Where(m => m.TicketId == id).Select(m => m.ToAddress).ToList();
            Assert.Equal(to.Count, to.Distinct().Count());
            Assert.Contains("oncall@sportello.example", to);
            if (department == "technical")
            {
                Assert.All(technical, a => Assert.Contains(a, to));
                Assert.DoesNotContain(financial, to);
            }
            else
            {
                Assert.Contains(financial, to);
                Assert.All(technical, a => Assert.DoesNotContain(a, to));
            }
        }
    }
}
