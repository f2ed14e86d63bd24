using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sportello.Features.Sla;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

[Trait("Category", "Data")]
public sealed class MailEdgeCaseTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task OutOfOfficeOnAThread_IsKeptAsANote_AndDoesNotReopenOrAnswer()
    {
        var (customer, email) = await app.CustomerAsync("ooo");
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Backup", description = "Manca il backup." });
        var id = ticket.GetProperty("id").GetString();
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Lo rilanciamo stanotte." })).JsonAsync(HttpStatusCode.Created);
        var reply = await app.MailOut.WaitForAsync(email, m => m.TextBody!.Contains("Lo rilanciamo", StringComparison.Ordinal));

        var away = MailApp.Mail(email, "Fuori ufficio: " + reply.Subject, "Sono in ferie fino a lunedì.");
        away.InReplyTo = reply.MessageId;
        away.Headers.Add(HeaderId.AutoSubmitted, "auto-replied");
        await app.SendAsync(away);

        JsonElementWait detail = new(agent, id!);
        await Eventually.TrueAsync(async () => (await detail.ReadAsync()).GetProperty("messages").GetArrayLength() == 3, "the note on the ticket");
        var desk = await detail.ReadAsync();
        Assert.Equal("answered", desk.GetProperty("status").GetString());
        Assert.True(desk.GetProperty("messages")[2].GetProperty("internal").GetBoolean());
        var seen = await (await customer.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, seen.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task ATicketBreachedTwice_DoesNotStopTheMonitor()
    {
        var (customer, _) = await app.CustomerAsync("breach-twice");
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test", "technical");
        var first = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Primo", description = "x" });
        var firstId = first.GetProperty("id").GetString();
        var monitor = app.Services.GetRequiredService<SlaMonitor>();
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        await monitor.SweepAsync(TestContext.Current.CancellationToken);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{firstId}/status", new { status = "closed" })).JsonAsync(HttpStatusCode.OK);
        await (await customer.PostAsJsonAsync($"/api/v1/tickets/{firstId}/messages", new { body = "Ancora nessuna risposta." })).JsonAsync(HttpStatusCode.Created);

        var second = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Secondo", description = "y" });
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        await monitor.SweepAsync(TestContext.Current.CancellationToken);

        var reopened = await agent.DeskTicketAsync(firstId!);
        var later = await agent.DeskTicketAsync(second.GetProperty("id").GetString()!);
        Assert.Equal(2, reopened.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "sla-breached"));
        Assert.Contains(later.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "sla-breached");
    }

    [Fact]
    public async Task TwoStrangersTickets_CannotBeMerged()
    {
        await app.StartAsync();
        var tag = Unique.Next();
        await app.SendAsync(MailApp.Mail($"one-{tag}@elsewhere.example", $"One {tag}", "a"));
        await app.SendAsync(MailApp.Mail($"two-{tag}@elsewhere.example", $"Two {tag}", "b"));
        var admin = await app.AdminAsync();
        System.Text.Json.JsonElement[] handled = [];
        await Eventually.TrueAsync(async () =>
        {
            handled = (await admin.InboundAsync()).Where(m => (m.GetProperty("subject").GetString() ?? "").EndsWith($" {tag}", StringComparison.Ordinal)
                && m.GetProperty("state").GetString() == "processed").ToArray();
            return handled.Length == 2;
        }, "both strangers' tickets");
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        var target = await agent.DeskTicketAsync(handled[0].GetProperty("ticketId").GetString()!);

        var merge = await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{handled[1].GetProperty("ticketId").GetString()}/merge",
            new { into = target.GetProperty("number").GetString() });

        await merge.AssertNamesFieldAsync("into");
    }

    private sealed class JsonElementWait(HttpClient agent, string id)
    {
        public Task<System.Text.Json.JsonElement> ReadAsync() => agent.DeskTicketAsync(id);
    }
}
