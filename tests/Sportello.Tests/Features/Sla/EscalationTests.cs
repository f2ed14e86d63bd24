using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
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

    // The escalation mails of the pass that ran at the clock's present, by recipient.
    private async Task<ILookup<string, (OutboxMessage Row, MimeMessage Mail)>> EscalationMailsAsync(DateTime pass)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<SportelloDb>().OutboxMessages.AsNoTracking()
            .Where(m => m.Kind == MailKinds.SlaEscalation && m.CreatedAt == pass).ToListAsync(TestContext.Current.CancellationToken);
        return rows.ToLookup(m => m.ToAddress, m => (m, MimeMessage.Load(new MemoryStream(m.Mime))), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BreachesInOnePass_EachRecipientGetsOneMailNamingEveryTicketOfTheirs()
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
        var tickets = new List<(Guid Id, string Number, string Department)>();
        foreach (var department in new[] { "technical", "financial", "technical", "technical", "financial" })
        {
            var ticket = await customer.OpenTicketAsync(new { department, priority = "normal", subject = "Down " + department, description = "x" });
            tickets.Add((Guid.Parse(ticket.GetProperty("id").GetString()!), ticket.GetProperty("number").GetString()!, department));
        }
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var pass = app.Clock.GetUtcNow().UtcDateTime;
        var monitor = app.Services.GetRequiredService<SlaMonitor>();

        Assert.Equal(tickets.Count, await monitor.SweepAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await monitor.SweepAsync(TestContext.Current.CancellationToken));

        var mails = await EscalationMailsAsync(pass);
        void NamesExactly(string recipient, string department)
        {
            var (row, mail) = Assert.Single(mails[recipient]);
            var mine = tickets.Where(t => department == "any" || t.Department == department).ToList();
            Assert.Equal($"{mine.Count} tickets missed their response target", mail.Subject);
            Assert.Null(row.TicketId);
            foreach (var ticket in tickets)
            {
                var named = mail.TextBody!.Contains($"[#{ticket.Number}]", StringComparison.Ordinal);
                Assert.Equal(mine.Contains(ticket), named);
                Assert.Equal(mine.Contains(ticket), mail.TextBody!.Contains($"/desk/tickets/{ticket.Id}", StringComparison.Ordinal));
            }
            Assert.Contains("Down " + (department == "any" ? "financial" : department), mail.TextBody, StringComparison.Ordinal);
        }
        NamesExactly(technical[0], "technical");
        NamesExactly(technical[1], "technical");
        NamesExactly(financial, "financial");
        NamesExactly("oncall@sportello.example", "any");
    }

    [Fact]
    public async Task OneBreachInAPass_MailsThatTicketAsBefore_AndNotAnotherDepartment()
    {
        var (email, order, ip) = Unique.Customer("escalate-one");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        const string technical = "tech-one@sportello.example";
        const string financial = "fin-one@sportello.example";
        await app.AgentAsync(technical, "technical");
        await app.AgentAsync(financial, "financial");
        using var _ = await OnCallAsync();
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Mail bounces", description = "x" });
        var id = Guid.Parse(ticket.GetProperty("id").GetString()!);
        var number = ticket.GetProperty("number").GetString()!;
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var pass = app.Clock.GetUtcNow().UtcDateTime;

        Assert.Equal(1, await app.Services.GetRequiredService<SlaMonitor>().SweepAsync(TestContext.Current.CancellationToken));

        var mails = await EscalationMailsAsync(pass);
        foreach (var recipient in new[] { technical, "oncall@sportello.example" })
        {
            var (row, mail) = Assert.Single(mails[recipient]);
            Assert.Equal(id, row.TicketId);
            Assert.Equal($"[#{number}] Response target missed: Mail bounces", mail.Subject);
            Assert.Contains($"Ticket {number} (Technical, Normal priority) missed its response target, due ", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains($"/desk/tickets/{id}", mail.TextBody, StringComparison.Ordinal);
        }
        Assert.Empty(mails[financial]);
    }
}
