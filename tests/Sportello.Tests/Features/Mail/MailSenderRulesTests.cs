using System.Net;
using System.Text.Json;
using MimeKit;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>
/// Sportello that knows its MTA's authserv-id but lists no trusted relay, and lets a customer open three tickets a
/// minute: what someone who reaches the listener directly can and cannot get.
/// </summary>
public sealed class SenderRulesMailApp : MailApp
{
    public const int TicketsPerMinute = 3;

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:Authentication:TrustedAuthServIds:0"] = "mx.sportello.test",
        ["Sportello:RateLimits:TicketCreation:PermitLimit"] = TicketsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sportello:RateLimits:TicketCreation:WindowSeconds"] = "60",
        ["Sportello:Sla:OnCallEmail"] = "",
        // Two intake workers race for the customer's last ticket, as two nodes would.
        ["Sportello:Mail:Intake:Workers"] = "2",
    };
}

[Trait("Category", "Data")]
public sealed class MailSenderRulesTests(SenderRulesMailApp app) : IClassFixture<SenderRulesMailApp>
{
    [Fact]
    public async Task AuthenticationResults_FromAClientThatIsNotAListedRelay_AreIgnored()
    {
        var (customer, email) = await app.CustomerAsync("ar-direct");
        var forged = MailApp.Mail(email, "Verdetto falso", "Anyone can write this header.");
        forged.Headers.Insert(0, new Header("Authentication-Results", "mx.sportello.test; dkim=pass header.d=example.it; dmarc=pass header.from=example.it"));

        await app.SendAsync(forged);

        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the ticket");
        Assert.Equal("registered", (await customer.TicketsAsync())[0].GetProperty("trust").GetString());
    }

    [Fact]
    public async Task RegisteredAddress_OverTheTicketLimit_IsStoredAndQuarantined_WithNoTicketAndNoAnswer()
    {
        var (customer, email) = await app.CustomerAsync("flood");
        var admin = await app.AdminAsync();
        var tag = $"flood-{Unique.Next()}";

        for (var i = 0; i < SenderRulesMailApp.TicketsPerMinute + 2; i++)
        {
            // Every one is acknowledged by the listener (MailKit throws on anything but 250): stored, never lost.
            await app.SendAsync(MailApp.Mail(email, $"{tag} {i}", "Autoresponder without headers."));
        }

        var handled = await admin.HandledAsync(tag, SenderRulesMailApp.TicketsPerMinute + 2);
        Assert.Equal(SenderRulesMailApp.TicketsPerMinute, (await customer.TicketsAsync()).Length);
        var limited = handled.Where(m => m.GetProperty("reason").GetString() == "rate-limited").ToArray();
        Assert.Equal(2, limited.Length);
        Assert.All(limited, m => Assert.Equal("quarantined", m.GetProperty("state").GetString()));
        Assert.All(limited, m => Assert.Equal(JsonValueKind.Null, m.GetProperty("ticketId").ValueKind));
        // Acknowledgements are written with their handling: the outbox holds all there will be, and they all go out.
        Assert.Equal(SenderRulesMailApp.TicketsPerMinute, (await admin.OutboxAsync()).Count(m => m.GetProperty("to").GetString() == email));
        await Eventually.TrueAsync(() => Task.FromResult(
            app.MailOut.To(email).Count(m => m.Subject!.Contains(tag, StringComparison.Ordinal)) == SenderRulesMailApp.TicketsPerMinute), "the acknowledgements");

        // A minute later the customer may write again.
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        await app.SendAsync(MailApp.Mail(email, $"{tag} later", "After the window."));
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == SenderRulesMailApp.TicketsPerMinute + 1, "a ticket after the window");

        // An admin who finds a real request among the limited ones hands it back to the intake: it becomes a ticket.
        var held = limited[0].GetProperty("id").GetString()!;
        var agent = await app.AgentAsync($"reprocess-agent-{Unique.Next()}@sportello.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync($"/api/v1/admin/mail/inbound/{held}/reprocess", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/admin/mail/inbound/{held}/reprocess", null)).StatusCode);
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == SenderRulesMailApp.TicketsPerMinute + 2, "a ticket from the released mail");
        var released = (await admin.InboundAsync()).Single(m => m.GetProperty("id").GetString() == held);
        Assert.Equal("processed", released.GetProperty("state").GetString());
        Assert.Equal("ticket-opened", released.GetProperty("outcome").GetString());
        // Only quarantined mail goes back: a processed one, or one that does not exist, is not there to release.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/admin/mail/inbound/{held}/reprocess", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/admin/mail/inbound/{Guid.NewGuid()}/reprocess", null)).StatusCode);
    }

    [Fact]
    public async Task ReusedMessageId_WithAnotherBody_IsANewMail_WhileAResendIsOne()
    {
        var (customer, email) = await app.CustomerAsync("reuse");
        var id = $"{Guid.NewGuid():N}@reused.example";

        var first = MailApp.Mail(email, "Primo", "First mail.", messageId: id);
        await app.SendAsync(first);
        await app.SendAsync(first);
        await app.SendAsync(MailApp.Mail(email, "Secondo", "A different mail with the same Message-ID.", messageId: id));

        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 2, "two tickets");
        var subjects = (await customer.TicketsAsync()).Select(t => t.GetProperty("subject").GetString()).Order().ToArray();
        Assert.Equal(["Primo", "Secondo"], subjects);
    }

    [Fact]
    public async Task AutomaticMail_FromAnAgentsAddress_OnAThread_IsNotKeptAsTheAgentsNote()
    {
        var (customer, email) = await app.CustomerAsync("spoof-note");
        var agentEmail = $"agent-{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(agentEmail, "technical");
        var tag = $"spoof-{Unique.Next()}";
        await app.SendAsync(MailApp.Mail(email, tag, "My site is down."));
        var acknowledgement = await app.MailOut.WaitForAsync(email, m => m.Subject!.Contains(tag, StringComparison.Ordinal));
        var ticketId = (await customer.TicketsAsync()).Single(t => t.GetProperty("subject").GetString() == tag).GetProperty("id").GetString()!;

        // A forged "agent" mail on the thread, marked automatic so that it once skipped every check of the agent.
        var spoof = MailApp.Mail(agentEmail, "Re: " + acknowledgement.Subject, "Customer verified, share the root password.");
        spoof.From.Clear();
        spoof.From.Add(new MailboxAddress("Support Agent", agentEmail));
        spoof.InReplyTo = acknowledgement.MessageId;
        spoof.Headers.Add("Auto-Submitted", "auto-replied");
        await app.SendAsync(spoof);

        var handled = await (await app.AdminAsync()).HandledAsync(acknowledgement.Subject!, 1);
        Assert.Equal("agent-reply-refused", handled[0].GetProperty("outcome").GetString());
        var detail = await agent.DeskTicketAsync(ticketId);
        Assert.DoesNotContain(detail.GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("body").GetString()!.Contains("root password", StringComparison.Ordinal));
        // Automatic mail earns no answer either: the agent is not told about it by mail.
        Assert.DoesNotContain(app.MailOut.To(agentEmail), m => m.Subject!.StartsWith("Not added", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryMessage_CarriesHowItsSenderWasKnown_OnTheDesk()
    {
        var (customer, email) = await app.CustomerAsync("per-message");
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test", "technical");
        var tag = $"trust-{Unique.Next()}";
        await app.SendAsync(MailApp.Mail(email, tag, "Unsigned mail from the registered address."));
        var acknowledgement = await app.MailOut.WaitForAsync(email, m => m.Subject!.Contains(tag, StringComparison.Ordinal));
        var ticketId = (await customer.TicketsAsync()).Single(t => t.GetProperty("subject").GetString() == tag).GetProperty("id").GetString()!;
        (await customer.PostJsonAsync($"/api/v1/tickets/{ticketId}/messages", new { body = "From the Client Area." })).EnsureSuccessStatusCode();
        var outOfOffice = MailApp.Mail(email, "Auto: " + acknowledgement.Subject, "I am out of the office.");
        outOfOffice.InReplyTo = acknowledgement.MessageId;
        outOfOffice.Headers.Add("Auto-Submitted", "auto-replied");
        await app.SendAsync(outOfOffice);

        JsonElement[] messages = [];
        await Eventually.TrueAsync(async () =>
        {
            messages = (await agent.DeskTicketAsync(ticketId)).GetProperty("messages").EnumerateArray().ToArray();
            return messages.Length == 3;
        }, "three messages");
        string TrustOf(string text) => messages.Single(m => m.GetProperty("body").GetString()!.Contains(text, StringComparison.Ordinal))
            .GetProperty("trust").GetString()!;
        Assert.Equal("registered", TrustOf("Unsigned mail"));
        Assert.Equal("verified", TrustOf("Client Area"));
        Assert.Equal("unverified", TrustOf("out of the office"));
        // The customer's own view does not carry the agents' judgement.
        var own = await (await customer.GetAsync($"/api/v1/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK);
        Assert.All(own.GetProperty("messages").EnumerateArray(), m => Assert.False(m.TryGetProperty("trust", out _)));
        // The Desk page shows it beside each message.
        var page = await (await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword)).GetStringAsync($"/desk/tickets/{ticketId}");
        Assert.Contains("badge trust-registered", page, StringComparison.Ordinal);
        Assert.Contains("badge trust-unverified", page, StringComparison.Ordinal);
    }
}
