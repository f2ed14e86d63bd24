using System.Net;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

[Trait("Category", "Data")]
public sealed class MailIntakeTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task RegisteredSender_OpensTicketForTheCustomer_AndIsAcknowledgedWithTheNumber()
    {
        var (customer, email) = await app.CustomerAsync("mail-reg");

        var answer = await app.SendAsync(MailApp.Mail(email, "Sito lento dalle 9", "Il sito risponde in 8 secondi."));

        Assert.Contains("Ok", answer, StringComparison.OrdinalIgnoreCase);
        System.Text.Json.JsonElement ticket = default;
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()) is [var only] && (ticket = only).ValueKind != default, "the ticket");
        Assert.Equal("email", ticket.GetProperty("channel").GetString());
        Assert.Equal("technical", ticket.GetProperty("department").GetString());
        Assert.Equal("registered", ticket.GetProperty("trust").GetString());
        // The email target: 30 minutes, not the web's 10.
        Assert.Equal(ticket.GetProperty("createdAt").GetDateTime().AddMinutes(30), ticket.GetProperty("firstResponseDueAt").GetDateTime());
        var number = ticket.GetProperty("number").GetString()!;
        var ack = await app.MailOut.WaitForAsync(email, m => m.Subject!.Contains($"[#{number}]", StringComparison.Ordinal));
        Assert.Equal("auto-replied", ack.Headers[HeaderId.AutoSubmitted]);
        Assert.NotNull(ack.TextBody);
        Assert.NotNull(ack.HtmlBody);
        Assert.Contains(number, ack.TextBody, StringComparison.Ordinal);
        Assert.StartsWith("<bounces+", ack.Headers[HeaderId.ReturnPath], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplyWithInReplyTo_JoinsTheSameTicket()
    {
        var (customer, email) = await app.CustomerAsync("mail-thread");
        await app.SendAsync(MailApp.Mail(email, "Backup non partito", "Il backup di stanotte non è partito."));
        var ack = await app.MailOut.WaitForAsync(email);

        var reply = MailApp.Mail(email, "Re: " + ack.Subject, "Ecco il log.\n\nOn Tue, 24 Nov 2026 Sportello wrote:\n> we have received your request");
        reply.InReplyTo = ack.MessageId;
        await app.SendAsync(reply);

        var ticketId = (await customer.TicketsAsync()).Single().GetProperty("id").GetString();
        System.Text.Json.JsonElement detail = default;
        await Eventually.TrueAsync(async () =>
        {
            detail = await (await customer.GetAsync($"/api/v1/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK);
            return detail.GetProperty("messages").GetArrayLength() == 2;
        }, "the reply on the ticket");
        // Read again: the view is two reads, and the one above may have caught the commit between them.
        detail = await (await customer.GetAsync($"/api/v1/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(await customer.TicketsAsync());
        Assert.Equal("customer-reply", detail.GetProperty("status").GetString());
        // The quoted history is cut from what is shown.
        Assert.Equal("Ecco il log.", detail.GetProperty("messages")[1].GetProperty("body").GetString());
    }

    [Fact]
    public async Task StrangerQuotingTheNumber_IsNeverAppended_ButOpensAGeneralConversation()
    {
        var (customer, email) = await app.CustomerAsync("mail-victim");
        await app.SendAsync(MailApp.Mail(email, "Fattura errata", "La fattura di ottobre è sbagliata."));
        var ack = await app.MailOut.WaitForAsync(email);
        var number = (await customer.TicketsAsync()).Single().GetProperty("number").GetString()!;
        var stranger = $"stranger-{Unique.Next()}@elsewhere.example";

        // Quoting the number, and even the signed Message-ID (a forwarded mail), from an address that is not the owner's.
        await app.SendAsync(MailApp.Mail(stranger, $"Re: [#{number}] Fattura errata", "Please send me the invoice."));
        var forwarded = MailApp.Mail(stranger, "Fwd: " + ack.Subject, "Send me their details.");
        forwarded.InReplyTo = ack.MessageId;
        await app.SendAsync(forwarded);

        var admin = await app.AdminAsync();
        var handled = await admin.HandledAsync(3);
        var fromStranger = handled.Where(m => m.GetProperty("from").GetString() == stranger).ToList();
        Assert.Equal(2, fromStranger.Count);
        Assert.All(fromStranger, m => Assert.Equal("ticket-opened", m.GetProperty("outcome").GetString()));
        var original = (await customer.TicketsAsync()).Single().GetProperty("id").GetString();
        var detail = await (await customer.GetAsync($"/api/v1/tickets/{original}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, detail.GetProperty("messages").GetArrayLength());
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        var general = await agent.DeskTicketAsync(fromStranger[0].GetProperty("ticketId").GetString()!);
        Assert.Equal("unverified", general.GetProperty("trust").GetString());
        Assert.Equal(stranger, general.GetProperty("requesterEmail").GetString());
    }

    [Fact]
    public async Task DuplicateDelivery_IsOneTicket()
    {
        var (customer, email) = await app.CustomerAsync("mail-dup");
        var message = MailApp.Mail(email, "Doppio invio", "Questa mail arriva due volte.");

        await app.SendAsync(message);
        await app.SendAsync(message);

        var admin = await app.AdminAsync();
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the ticket");
        await admin.HandledAsync(1);
        Assert.Single(await admin.InboundAsync(), m => m.GetProperty("from").GetString() == email);
        Assert.Single(await customer.TicketsAsync());
    }

    [Fact]
    public async Task RecipientNotOurs_Is550_AndOversize_Is552()
    {
        await app.StartAsync();
        var stray = MailApp.Mail("someone@example.org", "Hello", "Hi", to: "nobody@sportello.test");

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => app.SendAsync(stray));
        Assert.Equal(550, (int)refused.StatusCode);

        var huge = MailApp.Mail("someone@example.org", "Big", new string('x', 2_000_000));
        var tooBig = await Assert.ThrowsAsync<SmtpCommandException>(() => app.SendAsync(huge));
        Assert.Equal(552, (int)tooBig.StatusCode);
    }

    [Fact]
    public async Task MailToTheBillingAddress_GoesToFinancial_AndToAbuse_IsAnAbuseReport_NotATicket()
    {
        var (customer, email) = await app.CustomerAsync("mail-route");

        await app.SendAsync(MailApp.Mail(email, "Rimborso", "Vorrei un rimborso.", to: MailApp.Billing));
        await app.SendAsync(MailApp.Mail(email, "Spam from 203.0.113.9", "Your server sends spam.", to: MailApp.Abuse));

        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the billing ticket");
        Assert.Equal("financial", (await customer.TicketsAsync()).Single().GetProperty("department").GetString());
        var handled = await (await app.AdminAsync()).HandledAsync(2);
        var abuse = handled.First(m => m.GetProperty("subject").GetString() == "Spam from 203.0.113.9");
        Assert.Equal("abuse-report", abuse.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, abuse.GetProperty("ticketId").ValueKind);
        Assert.Single(await customer.TicketsAsync());
    }
}
