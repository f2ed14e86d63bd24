using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Sla;
using Sportello.Features.Tickets;
using Sportello.Tests.Features.Tickets;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

/// <summary>
/// The SLA monitor runs on every node with no leader: two nodes sweeping the same database at the same moment mark each
/// breach once, with one audit entry, and the department's agents hear of each breached ticket once.
/// </summary>
[Trait("Category", "Data")]
public sealed class SlaMonitorNodesTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task TwoNodesSweepingAtOnce_MarkEachBreachOnce_AndTellEachAgentOfEachTicketOnce()
    {
        await app.StartAsync();
        var (email, order, ip) = Unique.Customer("sla-nodes");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agentEmail = $"sla-nodes-{Unique.Next()}@sportello.test";
        await app.AgentAsync(agentEmail, "technical");
        var numbers = new Dictionary<Guid, string>();
        for (var i = 0; i < 8; i++)
        {
            var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Slow site {i}", description = "x" });
            numbers[Guid.Parse(ticket.GetProperty("id").GetString()!)] = ticket.GetProperty("number").GetString()!;
        }
        await using var other = new NextMailNode(app.Database, app.Clock);
        await other.InitializeAsync();
        var here = app.Services.GetRequiredService<SlaMonitor>();
        var there = other.Services.GetRequiredService<SlaMonitor>();
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        other.Clock.Advance(TimeSpan.FromMinutes(11));

        var marks = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => (i % 2 == 0 ? here : there).SweepAsync())));

        // The nodes' own timers may mark some first; together they never mark more than there is.
        Assert.InRange(marks.Sum(), 0, numbers.Count);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var ids = numbers.Keys.ToList();
        await Eventually.TrueAsync(async () => await db.Tickets.CountAsync(t => ids.Contains(t.Id) && t.BreachedAt != null) == ids.Count,
            "every ticket to be marked breached");
        var entries = await db.TicketEvents.AsNoTracking().Where(e => ids.Contains(e.TicketId) && e.Kind == TicketEventKinds.SlaBreached)
            .Select(e => e.TicketId).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ids.Order(), entries.Order());
        // What reached the agent (one mail per breach, or one per pass naming several): each ticket named once.
        var mails = await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == MailKinds.SlaEscalation && m.ToAddress == agentEmail)
            .Select(m => m.Mime).ToListAsync(TestContext.Current.CancellationToken);
        var texts = mails.Select(m => MimeMessage.Load(new MemoryStream(m))).Select(m => m.Subject + "\n" + m.TextBody).ToList();
        Assert.All(numbers.Values, number => Assert.Single(texts, t => t.Contains(number, StringComparison.Ordinal)));
    }
}
