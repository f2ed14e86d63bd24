using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sportello.Features.Chat;
using Sportello.Tests.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

/// <summary>
/// Links, merges and copies checked at both ends (Zammad CVE-2026-34722: a merge or link named an object the user could
/// not see). Whatever the far end is, another department's or another customer's, the answer is the one a missing object
/// gets, and neither end changes.
/// </summary>
[Trait("Category", "Data")]
public sealed class CrossBoundaryAdvisoryTests(ChatMailApp app) : IClassFixture<ChatMailApp>
{
    private static readonly object Question = new { department = "technical", priority = "normal", subject = "DNS", description = "PTR record?" };

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response, string field)
    {
        var problem = await response.JsonAsync(HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").GetProperty(field);
    }

    /// <summary>What an admin sees of a ticket: everything a merge could change.</summary>
    private static async Task<string> StateAsync(HttpClient admin, string ticketId)
    {
        var t = await admin.DeskTicketAsync(ticketId);
        return $"{t.GetProperty("status")}|{t.GetProperty("department")}|{t.GetProperty("messages").GetArrayLength()}|"
            + (t.TryGetProperty("mergedIntoId", out var merged) ? merged.ToString() : "");
    }

    [Fact]
    public async Task MergingAcrossDepartments_AnswersLikeAMissingTicket_AtBothEnds_AndChangesNeither()
    {
        var (email, order, ip) = Unique.Customer("merge-dept");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var mine = await customer.OpenTicketAsync(Question);
        var theirs = await customer.OpenTicketAsync(new { department = "financial", priority = "normal", subject = "Invoice", description = "Wrong VAT?" });
        var (mineId, theirsId) = (mine.GetProperty("id").GetString()!, theirs.GetProperty("id").GetString()!);
        var agentEmail = $"merge-dept{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(agentEmail, "technical");
        var admin = await app.AdminAsync();
        var before = (await StateAsync(admin, mineId), await StateAsync(admin, theirsId));

        // Into another department's ticket, by number or by id: the same refusal as a ticket that does not exist.
        var missingByNumber = await ErrorsAsync(await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{mineId}/merge", new { into = "ZZZ-999999" }), "into");
        var byNumber = await ErrorsAsync(await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{mineId}/merge",
            new { into = theirs.GetProperty("number").GetString() }), "into");
        var byId = await ErrorsAsync(await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{mineId}/merge", new { into = theirsId }), "into");
        Assert.Equal(missingByNumber.ToString(), byNumber.ToString());
        Assert.Equal(missingByNumber.ToString(), byId.ToString());

        // Another department's ticket into mine: 404, as for a ticket that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{theirsId}/merge", new { into = mineId })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{Guid.NewGuid()}/merge", new { into = mineId })).StatusCode);

        // The Desk page's merge handler: the form comes back with the error, or 404 from the far end; nothing is merged.
        var web = await app.SignInWebAsync(agentEmail, "agent passphrase 2026");
        var field = new Dictionary<string, string> { ["value"] = theirs.GetProperty("number").GetString()! };
        Assert.Equal(HttpStatusCode.OK, (await web.SubmitAsync($"/desk/tickets/{mineId}", $"/desk/tickets/{mineId}?handler=Merge", field)).StatusCode);
        var fromTheirs = await web.SubmitAsync($"/desk/tickets/{mineId}", $"/desk/tickets/{theirsId}?handler=Merge", new Dictionary<string, string> { ["value"] = mineId });
        Assert.Equal(HttpStatusCode.NotFound, fromTheirs.StatusCode);

        Assert.Equal(before, (await StateAsync(admin, mineId), await StateAsync(admin, theirsId)));
    }

    [Fact]
    public async Task MergingIntoAnotherCustomersTicket_IsRefused_AndChangesNeither()
    {
        var (email, order, ip) = Unique.Customer("merge-own");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var (otherEmail, otherOrder, otherIp) = Unique.Customer("merge-other");
        var (other, _) = await app.CustomerWithServiceAsync(otherEmail, otherOrder, otherIp);
        var mineId = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString()!;
        var theirs = await other.OpenTicketAsync(Question);
        var theirsId = theirs.GetProperty("id").GetString()!;
        var agent = await app.AgentAsync($"merge-cust{Unique.Next()}@sportello.test", "technical");
        var admin = await app.AdminAsync();
        var before = (await StateAsync(admin, mineId), await StateAsync(admin, theirsId));

        // The agent sees both tickets, so the reason may be told; what matters is that nothing moves.
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{mineId}/merge", new { into = theirsId })).AssertNamesFieldAsync("into");
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{theirsId}/merge", new { into = mineId })).AssertNamesFieldAsync("into");

        Assert.Equal(before, (await StateAsync(admin, mineId), await StateAsync(admin, theirsId)));
        Assert.Single(await customer.TicketsAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync($"/api/v1/tickets/{theirsId}")).StatusCode);
    }

    [Fact]
    public async Task EscalatingAChat_WithAnotherCustomersService_AnswersLikeAMissingService_AndOpensNothing()
    {
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer("esc-own");
        var customerId = Guid.Parse((await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var (otherEmail, otherOrder, otherIp) = Unique.Customer("esc-other");
        var (other, otherService) = await app.CustomerWithServiceAsync(otherEmail, otherOrder, otherIp);
        var token = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret);
        var started = await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { message = "My VPS is down.", customerToken = token }))
            .JsonAsync(HttpStatusCode.Created);
        var chatId = started.GetProperty("id").GetString()!;
        var agent = await app.AgentAsync($"esc{Unique.Next()}@sportello.test", "technical");

        async Task<JsonElement> EscalateAsync(string serviceId) => await ErrorsAsync(await agent.PostAsJsonAsync($"/api/v1/desk/chats/{chatId}/escalate", new
        {
            department = "technical", priority = "high", serviceId, problemStartedAt = "2026-11-24T12:00", problemTimeZone = "Europe/Rome",
        }), "serviceId");
        Assert.Equal((await EscalateAsync(Guid.NewGuid().ToString())).ToString(), (await EscalateAsync(otherService)).ToString());

        Assert.Empty(await customer.TicketsAsync());
        Assert.Empty(await other.TicketsAsync());
        // Nothing half-done either: the chat escalates normally afterwards.
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{chatId}/escalate", new { department = "technical", priority = "normal" })).JsonAsync(HttpStatusCode.Created);
        Assert.Single(await customer.TicketsAsync());
    }

    [Fact]
    public async Task ACopiedAddress_OnTheCustomersMail_GainsNothingOnTheTicket()
    {
        var (customer, email) = await app.CustomerAsync("cc-owner");
        var colleague = $"cc-{Unique.Next()}@elsewhere.example";
        var original = MailApp.Mail(email, $"Mailbox full {Unique.Next()}", "Please raise the quota.");
        original.Cc.Add(MimeKit.MailboxAddress.Parse(colleague));
        await app.SendAsync(original, email, MailApp.Support);
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the ticket from the customer's mail");
        var ticket = (await customer.TicketsAsync()).Single();
        var (id, number) = (ticket.GetProperty("id").GetString()!, ticket.GetProperty("number").GetString()!);
        var agent = await app.AgentAsync($"cc-agent{Unique.Next()}@sportello.test", "technical");
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Raised to 10 GB." })).JsonAsync(HttpStatusCode.Created);
        await app.MailOut.WaitForAsync(email, m => m.TextBody?.Contains("Raised to 10 GB.", StringComparison.Ordinal) == true);
        var before = await agent.DeskTicketAsync(id);

        // The copied colleague replies on the thread he holds (the customer's own Message-ID) and by the ticket's number.
        var onThread = MailApp.Mail(colleague, "Re: " + original.Subject, "CC: close it, and send me the invoices.");
        onThread.InReplyTo = original.MessageId;
        onThread.References.Add(original.MessageId!);
        var byNumber = MailApp.Mail(colleague, $"[#{number}] more", "CC again.");
        var admin = await app.AdminAsync();
        var count = (await admin.InboundAsync()).Length;
        await app.SendAsync(onThread);
        await app.SendAsync(byNumber);
        await admin.HandledAsync(count + 2);

        var after = await agent.DeskTicketAsync(id);
        Assert.Equal(before.GetProperty("messages").GetArrayLength(), after.GetProperty("messages").GetArrayLength());
        Assert.Equal(before.GetProperty("status").GetString(), after.GetProperty("status").GetString());
        // Sportello never wrote to the copied address about the ticket: no mail of its thread, none with its replies. (The
        // colleague's own mail may open a ticket of theirs, acknowledged under its own number; its subject echoes theirs,
        // number included, which tells them nothing they did not write.)
        Assert.DoesNotContain(app.MailOut.To(colleague), m => m.Subject!.StartsWith($"[#{number}]", StringComparison.Ordinal)
            || m.TextBody?.Contains("Raised to 10 GB.", StringComparison.Ordinal) == true);
    }
}
