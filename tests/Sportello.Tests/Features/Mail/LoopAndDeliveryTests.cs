using System.Net;
using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MimeKit;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

[Trait("Category", "Data")]
public sealed class LoopGuardTests(MailApp app) : IClassFixture<MailApp>
{
    private async Task<System.Text.Json.JsonElement> HandledAsync(string subject)
    {
        var admin = await app.AdminAsync();
        System.Text.Json.JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            found = (await admin.InboundAsync()).FirstOrDefault(m => m.GetProperty("subject").GetString() == subject && m.GetProperty("state").GetString() != "received");
            return found.ValueKind != System.Text.Json.JsonValueKind.Undefined;
        }, $"the mail '{subject}' to be handled");
        return found;
    }

    [Theory]
    [InlineData("Auto-Submitted", "auto-replied")]
    [InlineData("Precedence", "bulk")]
    [InlineData("List-Id", "<announce.lists.example>")]
    public async Task AutomaticOrListMail_OpensATicket_ButGetsNoAutomaticAnswer(string header, string value)
    {
        await app.StartAsync();
        var sender = $"robot-{Unique.Next()}@lists.example";
        var subject = $"Out of office {Unique.Next()}";
        var mail = MailApp.Mail(sender, subject, "I am away.");
        mail.Headers.Add(header, value);

        await app.SendAsync(mail);

        var handled = await HandledAsync(subject);
        Assert.Equal("ticket-opened", handled.GetProperty("outcome").GetString());
        Assert.StartsWith("No acknowledgement", handled.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // An answer would have been written to the outbox in the handling's own transaction: none is, so none will go.
        Assert.DoesNotContain(await (await app.AdminAsync()).OutboxAsync(), m => m.GetProperty("to").GetString() == sender);
        Assert.Empty(app.MailOut.To(sender));
    }

    [Fact]
    public async Task NullReturnPath_GetsNoAutomaticAnswer()
    {
        await app.StartAsync();
        var sender = $"daemon-{Unique.Next()}@mx.example";
        var subject = $"Notice {Unique.Next()}";

        await app.SendAsync(MailApp.Mail(sender, subject, "System notice."), envelopeFrom: "");

        var handled = await HandledAsync(subject);
        Assert.Contains("empty return path", handled.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(app.MailOut.To(sender));
    }

    [Fact]
    public async Task Stranger_GetsAtMostOneAutomaticAnswerPerTenMinutes()
    {
        await app.StartAsync();
        var stranger = $"curious-{Unique.Next()}@elsewhere.example";

        await app.SendAsync(MailApp.Mail(stranger, "Domanda 1", "Fate hosting WordPress?"));
        await HandledAsync("Domanda 1");
        await app.SendAsync(MailApp.Mail(stranger, "Domanda 2", "E i backup?"));
        await HandledAsync("Domanda 2");
        await app.MailOut.WaitForAsync(stranger);
        // Both mails are handled, and answers are written with their handling: the outbox holds all there will be.
        Assert.Single(await (await app.AdminAsync()).OutboxAsync(), m => m.GetProperty("to").GetString() == stranger);
        Assert.Single(app.MailOut.To(stranger));
        var answer = app.MailOut.To(stranger)[0];
        Assert.Contains("registered", answer.TextBody, StringComparison.Ordinal);
        Assert.Equal("auto-replied", answer.Headers[HeaderId.AutoSubmitted]);
    }

    [Fact]
    public async Task DeliveryReport_MarksTheAddressUndeliverable_AndNeverBecomesATicket()
    {
        await app.StartAsync();
        var (email, _, _) = Unique.Customer("dsn");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var colleague = $"gone-{Unique.Next()}@example.com";
        await customer.PutAsJsonAsync("/api/v1/account/notification-addresses", new { support = new[] { colleague } });
        var confirmation = await app.MailOut.WaitForAsync(colleague);
        var link = new Uri(System.Text.RegularExpressions.Regex.Match(confirmation.TextBody!, @"https://\S+/confirm-address/\S+").Value).PathAndQuery;
        await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>());
        var opened = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "DSN", description = "Ciao" });
        var ack = await app.MailOut.WaitForAsync(colleague, m => m.Subject!.Contains(opened.GetProperty("number").GetString()!, StringComparison.Ordinal));
        var bounceTo = ack.Headers[HeaderId.ReturnPath]!.Trim('<', '>');

        var report = new MimeMessage { Subject = "Undelivered Mail Returned to Sender", Date = SportelloApp.Start };
        report.From.Add(MailboxAddress.Parse("MAILER-DAEMON@mx.example.com"));
        report.To.Add(MailboxAddress.Parse(bounceTo));
        var status = new MessageDeliveryStatus();
        status.StatusGroups.Add(new HeaderList { { "Reporting-MTA", "dns; mx.example.com" } });
        status.StatusGroups.Add(new HeaderList { { "Final-Recipient", $"rfc822; {colleague}" }, { "Action", "failed" }, { "Status", "5.1.1" }, { "Diagnostic-Code", "smtp; 550 5.1.1 User unknown" } });
        var multipart = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "The mail could not be delivered." }, status };
        report.Body = multipart;
        await app.SendAsync(report, envelopeFrom: "", bounceTo);

        var handled = await HandledAsync("Undelivered Mail Returned to Sender");
        Assert.Equal("delivery-report", handled.GetProperty("outcome").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, handled.GetProperty("ticketId").ValueKind);
        var addresses = await (await customer.GetAsync("/api/v1/account/notification-addresses")).JsonAsync(HttpStatusCode.OK);
        Assert.True(addresses.GetProperty("support")[0].GetProperty("undeliverable").GetBoolean());
        var outbox = await (await app.AdminAsync()).OutboxAsync();
        Assert.Equal("bounced", outbox.Single(m => m.GetProperty("messageId").GetString() == ack.MessageId).GetProperty("state").GetString());
    }

    [Fact]
    public async Task DatabaseFailure_Answers451_AndKeepsNothing_ThenTheResentMailIsStored()
    {
        await app.StartAsync();
        var (email, _, _) = Unique.Customer("db-down");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var mail = MailApp.Mail(email, "Mentre il database è giù", "Riprova più tardi.");

        await app.Database.ExecuteAsync("ALTER TABLE \"InboundMessages\" RENAME TO \"InboundMessagesAway\"");
        SmtpCommandException refused;
        try
        {
            refused = await Assert.ThrowsAsync<SmtpCommandException>(() => app.SendAsync(mail));
        }
        finally
        {
            await app.Database.ExecuteAsync("ALTER TABLE \"InboundMessagesAway\" RENAME TO \"InboundMessages\"");
        }
        Assert.Equal(451, (int)refused.StatusCode);

        await app.SendAsync(mail);
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the ticket from the resent mail");
    }
}

/// <summary>Outgoing mail through a relay that is down, then up: nothing lost, nothing twice.</summary>
public sealed class RelayApp : MailApp
{
    public SmtpSink Sink { get; } = new();

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:Outbound:Host"] = "127.0.0.1",
        ["Sportello:Mail:Outbound:Port"] = Sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sportello:Mail:Outbound:Tls"] = "none",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Sink.DisposeAsync();
    }
}

[Trait("Category", "Data")]
public sealed class RelayTests(RelayApp app) : IClassFixture<RelayApp>
{
    [Fact]
    public async Task RelayDown_ThenUp_DeliversEveryMailExactlyOnce_AndAPermanentRefusalIsShownAsFailed()
    {
        await app.StartAsync();
        app.Sink.Refusing = true;
        var admin = await app.AdminAsync();
        var customers = new List<(string Email, string Number)>();
        for (var i = 0; i < 3; i++)
        {
            var (email, _, _) = Unique.Customer("relay");
            await admin.CreateCustomerAsync(email);
            var client = await app.SignInAsync(email, "customer passphrase 2026");
            var ticket = await client.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Relay {i}", description = "x" });
            customers.Add((email, ticket.GetProperty("number").GetString()!));
        }
        var gone = $"gone-{Unique.Next()}@example.com";
        await admin.CreateCustomerAsync(gone);
        await (await app.SignInAsync(gone, "customer passphrase 2026"))
            .OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Nobody home", description = "x" });

        await Eventually.TrueAsync(async () => (await admin.OutboxAsync()).Count(m => m.GetProperty("attempts").GetInt32() > 0) >= 3, "failed attempts");
        Assert.Empty(app.Sink.Received);
        var waiting = await admin.OutboxAsync();
        Assert.All(waiting.Where(m => customers.Any(c => c.Email == m.GetProperty("to").GetString())),
            m => Assert.Equal("pending", m.GetProperty("state").GetString()));

        app.Sink.Refusing = false;
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        await Eventually.TrueAsync(() => Task.FromResult(app.Sink.Received.Count >= 3), "the mails after the relay came back");
        await Eventually.TrueAsync(async () => (await admin.OutboxAsync()).Any(m => m.GetProperty("to").GetString() == gone && m.GetProperty("state").GetString() == "failed"),
            "the permanent refusal to be marked failed");
        app.Clock.Advance(TimeSpan.FromHours(3));
        // Once nothing is pending, nothing can be sent again: then count what the relay got.
        await Eventually.TrueAsync(async () => (await admin.OutboxAsync()).All(m => m.GetProperty("state").GetString() != "pending"),
            "every mail to be sent or given up");
        foreach (var (email, number) in customers)
        {
            Assert.Single(app.Sink.Received, m => m.To.Mailboxes.Single().Address == email && m.Subject!.Contains(number, StringComparison.Ordinal));
        }
        Assert.All(app.Sink.Envelopes, from => Assert.StartsWith("bounces+", from, StringComparison.Ordinal));
        var failed = (await admin.OutboxAsync()).Single(m => m.GetProperty("to").GetString() == gone);
        Assert.Contains("550", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        // The cause is fixed (the mailbox exists again) and an admin sends the failed mail again: it goes out, once.
        var failedId = failed.GetProperty("id").GetString()!;
        var agent = await app.AgentAsync($"retry-agent-{Unique.Next()}@sportello.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync($"/api/v1/admin/mail/outbox/{failedId}/retry", null)).StatusCode);
        app.Sink.GoneMailboxes = "nobody-at-all";
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/admin/mail/outbox/{failedId}/retry", null)).StatusCode);
        await Eventually.TrueAsync(async () => (await admin.OutboxAsync()).Single(m => m.GetProperty("id").GetString() == failedId)
            .GetProperty("state").GetString() == "sent", "the retried mail to be sent");
        Assert.Single(app.Sink.Received, m => m.To.Mailboxes.Single().Address == gone);
        // Only a failed mail can be sent again: a sent one, or one that does not exist, is not there to retry.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/admin/mail/outbox/{failedId}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/v1/admin/mail/outbox/{Guid.NewGuid()}/retry", null)).StatusCode);
    }
}
