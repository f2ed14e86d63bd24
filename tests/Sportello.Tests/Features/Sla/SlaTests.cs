using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Features.Sla;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

[Trait("Category", "Data")]
public sealed class SlaMonitorTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private Task<int> SweepAsync() => app.Services.GetRequiredService<SlaMonitor>().SweepAsync();

    [Fact]
    public async Task Monitor_AtRiskAndBreach_FireOnceAtTheRightMoment_AndAReplyStopsTheClock()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("sla@example.com", "920001", "192.0.2.201");
        var agent = await app.AgentAsync("sla-agent@sportello.example");
        var late = (await customer.OpenTicketAsync(SlaTickets.Body("financial", "normal", "late one"))).GetProperty("id").GetString();
        var answered = (await customer.OpenTicketAsync(SlaTickets.Body("financial", "normal", "answered one"))).GetProperty("id").GetString();

        app.Clock.Advance(TimeSpan.FromMinutes(8) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await SweepAsync());
        Assert.Equal("ok", await StateAsync(agent, late));

        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{answered}/messages", new { body = "On it." })).JsonAsync(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(0, await SweepAsync());
        Assert.Equal("at-risk", await StateAsync(agent, late));

        app.Clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await SweepAsync());
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(0, await SweepAsync());
        Assert.Equal("breached", await StateAsync(agent, late));

        var lateEvents = await EventsAsync(agent, late);
        Assert.Equal(1, lateEvents.Count(k => k == "sla-at-risk"));
        Assert.Equal(1, lateEvents.Count(k => k == "sla-breached"));
        Assert.DoesNotContain(await EventsAsync(agent, answered), k => k.StartsWith("sla-", StringComparison.Ordinal));

        var metrics = await app.Anonymous().GetStringAsync("/metrics");
        Assert.Contains("sportello_sla_breached_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("department=\"financial\"", metrics, StringComparison.Ordinal);

        var customerView = await (await customer.GetAsync($"/api/v1/tickets/{answered}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("ok", customerView.GetProperty("slaState").GetString());
        Assert.Equal(JsonValueKind.Null, customerView.GetProperty("dueAt").ValueKind);
    }

    private static async Task<string?> StateAsync(HttpClient agent, string? id) =>
        (await (await agent.GetAsync($"/api/v1/desk/tickets/{id}")).JsonAsync(HttpStatusCode.OK)).GetProperty("slaState").GetString();

    private static async Task<List<string>> EventsAsync(HttpClient agent, string? id) =>
        (await (await agent.GetAsync($"/api/v1/desk/tickets/{id}")).JsonAsync(HttpStatusCode.OK))
            .GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToList();
}

[Trait("Category", "Data")]
public sealed class DeskQueueTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task Queue_HighFirst_ThenByDueTime_AndNextResponseAfterACustomerReply()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("queue@example.com", "920002", "192.0.2.202");
        var agent = await app.AgentAsync("queue-agent@sportello.example", "technical");
        var a = (await customer.OpenTicketAsync(SlaTickets.Body("technical", "normal", "A normal"))).GetProperty("id").GetString();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var b = (await customer.OpenTicketAsync(SlaTickets.Body("technical", "high", "B high", "920002"))).GetProperty("id").GetString();
        var c = (await customer.OpenTicketAsync(SlaTickets.Body("technical", "normal", "C normal"))).GetProperty("id").GetString();
        Assert.Equal([b, a, c], await QueueAsync(agent));

        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{a}/messages", new { body = "Answer" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal([b, c], await QueueAsync(agent));
        await (await customer.PostAsJsonAsync($"/api/v1/tickets/{a}/messages", new { body = "Thanks, but..." })).JsonAsync(HttpStatusCode.Created);
        var queue = await (await agent.GetAsync("/api/v1/desk/queue?department=technical")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal([b, c, a], queue.EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var nextDue = queue[2].GetProperty("dueAt").GetDateTime();
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.AddMinutes(120), nextDue);
        Assert.Equal("customer-reply", queue[2].GetProperty("status").GetString());

        var high = await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{c}/priority", new { priority = "high" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("high", high.GetProperty("priority").GetString());
        Assert.Equal([b, c, a], await QueueAsync(agent));

        var page = await agent.GetAsync("/api/v1/desk/queue?department=technical&limit=2");
        Assert.Equal(2, (await page.JsonAsync(HttpStatusCode.OK)).GetArrayLength());
        Assert.Contains("rel=\"next\"", page.Headers.GetValues("Link").Single(), StringComparison.Ordinal);
        await (await agent.GetAsync("/api/v1/desk/queue?department=sales")).AssertNamesFieldAsync("department");
    }

    [Fact]
    public async Task Queue_PagedByCursor_GivesEveryTicketOnceInQueueOrder_EvenWithTiedDueTimes()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("queue-pages@example.com", "920003", "192.0.2.203");
        var agent = await app.AgentAsync("queue-pages-agent@sportello.example", "financial");
        // Tickets opened at one instant share due and creation times: only the id orders them, and a page may end among them.
        for (var i = 0; i < 5; i++)
        {
            await customer.OpenTicketAsync(SlaTickets.Body("financial", "normal", $"Tied {i}"));
        }
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await customer.OpenTicketAsync(SlaTickets.Body("financial", "high", "Urgent", "920003"));
        await customer.OpenTicketAsync(SlaTickets.Body("financial", "normal", "Later"));
        var whole = await QueueAsync(agent, "financial");

        var paged = new List<string?>();
        var url = "/api/v1/desk/queue?department=financial&limit=2";
        while (url is not null)
        {
            var page = await agent.GetAsync(url);
            paged.AddRange((await page.JsonAsync(HttpStatusCode.OK)).EnumerateArray().Select(t => t.GetProperty("id").GetString()));
            url = page.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(7, whole.Count);
        Assert.Equal(whole, paged);
        await (await agent.GetAsync("/api/v1/desk/queue?cursor=50")).AssertNamesFieldAsync("cursor");
    }

    private static async Task<List<string?>> QueueAsync(HttpClient agent, string department = "technical") =>
        (await (await agent.GetAsync($"/api/v1/desk/queue?department={department}")).JsonAsync(HttpStatusCode.OK))
            .EnumerateArray().Select(t => t.GetProperty("id").GetString()).ToList();
}

internal static class SlaTickets
{
    public static object Body(string department, string priority, string subject, string? reference = null) => new
    {
        department, priority, subject, description = "Details of " + subject,
        serviceReference = reference, problemStartedAt = priority == "high" ? "2026-01-10T10:00" : null,
    };
}
