using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Issue 9 §4: only a delivery report to the signed bounce address of one of our mails marks anything.</summary>
[Trait("Category", "Data")]
public sealed class ForgedReportTests(MailApp app) : IClassFixture<MailApp>
{
    /// <summary>A customer with a confirmed second address, and our acknowledgement of a ticket to that address.</summary>
    private async Task<(HttpClient Customer, string Colleague, MimeMessage Ack)> AcknowledgedAsync()
    {
        var (customer, _) = await app.CustomerAsync("forged-dsn");
        var colleague = $"colleague-{Unique.Next()}@example.com";
        await customer.PutAsJsonAsync("/api/v1/account/notification-addresses", new { support = new[] { colleague } });
        var confirmation = await app.MailOut.WaitForAsync(colleague);
        var link = new Uri(System.Text.RegularExpressions.Regex.Match(confirmation.TextBody!, @"https://\S+/confirm-address/\S+").Value).PathAndQuery;
        await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>());
        var opened = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Report", description = "Ciao" });
        var ack = await app.MailOut.WaitForAsync(colleague, m => m.Subject!.Contains(opened.GetProperty("number").GetString()!, StringComparison.Ordinal));
        return (customer, colleague, ack);
    }

    /// <summary>A DSN saying the mail failed, quoting its headers (so its Message-ID) as MTAs do.</summary>
    private static MimeMessage Report(MimeMessage about, string to, string subject)
    {
        var report = new MimeMessage { Subject = subject, MessageId = $"{Guid.NewGuid():N}@mx.example.com" };
        report.From.Add(MailboxAddress.Parse("MAILER-DAEMON@mx.example.com"));
        report.To.Add(MailboxAddress.Parse(to));
        var status = new MessageDeliveryStatus();
        status.StatusGroups.Add(new HeaderList { { "Reporting-MTA", "dns; mx.example.com" } });
        status.StatusGroups.Add(new HeaderList
        {
            { "Final-Recipient", $"rfc822; {about.To.Mailboxes.Single().Address}" }, { "Action", "failed" }, { "Status", "5.1.1" },
            { "Diagnostic-Code", "smtp; 550 5.1.1 User unknown" },
        });
        var headers = new TextPart("rfc822-headers") { Text = $"From: {MailApp.Support}\r\nTo: {about.To.Mailboxes.Single().Address}\r\nMessage-ID: <{about.MessageId}>\r\nSubject: {about.Subject}\r\n" };
        report.Body = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "The mail could not be delivered." }, status, headers };
        return report;
    }

    private async Task AssertNothingMarkedAsync(HttpClient customer, MimeMessage ack, JsonElement handled)
    {
        Assert.Equal("delivery-report", handled.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, handled.GetProperty("ticketId").ValueKind);
        Assert.Contains("nothing marked", handled.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var addresses = await (await customer.GetAsync("/api/v1/account/notification-addresses")).JsonAsync(HttpStatusCode.OK);
        Assert.False(addresses.GetProperty("support")[0].GetProperty("undeliverable").GetBoolean());
        var outbox = await (await app.AdminAsync()).OutboxAsync();
        Assert.NotEqual("bounced", outbox.Single(m => m.GetProperty("messageId").GetString() == ack.MessageId).GetProperty("state").GetString());
        Assert.Single(await customer.TicketsAsync());
    }

    [Fact]
    public async Task ReportToTheSupportAddress_NamingOurMailByMessageId_MarksNothing()
    {
        var (customer, _, ack) = await AcknowledgedAsync();
        var subject = $"Undelivered Mail Returned to Sender {Unique.Next()}";

        await app.SendAsync(Report(ack, MailApp.Support, subject), envelopeFrom: "", MailApp.Support);

        var handled = await RawMail.HandledAsync(app, subject);
        await AssertNothingMarkedAsync(customer, ack, handled);
        Assert.Contains(ack.MessageId!, handled.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportToABounceAddressWithAForgedSignature_MarksNothing()
    {
        var (customer, _, ack) = await AcknowledgedAsync();
        var signed = ack.Headers[HeaderId.ReturnPath]!.Trim('<', '>');
        // The right mail's id, a signature the sender made up.
        var forged = System.Text.RegularExpressions.Regex.Replace(signed, @"\.[0-9a-f]{24}@", ".0123456789abcdef01234567@");
        Assert.NotEqual(signed, forged);
        var subject = $"Delivery Status Notification (Failure) {Unique.Next()}";

        await app.SendAsync(Report(ack, forged, subject), envelopeFrom: "", forged);

        await AssertNothingMarkedAsync(customer, ack, await RawMail.HandledAsync(app, subject));
    }

    [Fact]
    public async Task ReportToTheSignedBounceAddress_MarksTheAddressUndeliverable()
    {
        var (customer, _, ack) = await AcknowledgedAsync();
        var signed = ack.Headers[HeaderId.ReturnPath]!.Trim('<', '>');
        var subject = $"Undeliverable {Unique.Next()}";

        await app.SendAsync(Report(ack, signed, subject), envelopeFrom: "", signed);

        var handled = await RawMail.HandledAsync(app, subject);
        Assert.Equal("delivery-report", handled.GetProperty("outcome").GetString());
        var addresses = await (await customer.GetAsync("/api/v1/account/notification-addresses")).JsonAsync(HttpStatusCode.OK);
        Assert.True(addresses.GetProperty("support")[0].GetProperty("undeliverable").GetBoolean());
        var outbox = await (await app.AdminAsync()).OutboxAsync();
        Assert.Equal("bounced", outbox.Single(m => m.GetProperty("messageId").GetString() == ack.MessageId).GetProperty("state").GetString());
    }
}
