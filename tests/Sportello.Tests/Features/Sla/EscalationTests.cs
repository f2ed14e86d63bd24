using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
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

    [Fact]
    public async Task Breach_AlertsTheDepartmentAndTheOnCallContact()
    {
        var (email, order, ip) = Unique.Customer("escalate");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var technical = await app.AgentAsync("tech-escalation@sportello.example", "technical");
        var financial = await app.AgentAsync("fin-escalation@sportello.example", "financial");
        var onCall = await app.AgentAsync("oncall@sportello.example", "financial");
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
}
