using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sportello.Data;
using Sportello.Features.Abuse;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Abuse;

/// <summary>Reports sent over real SMTP to the abuse address, as providers receive them, becoming cases on the customer's service.</summary>
[Trait("Category", "Data")]
public sealed partial class AbuseMailTests(MailApp app) : IClassFixture<MailApp>
{
    private sealed record Customer(string Id, string Email, string ServiceId, string Ip, string OrderNumber, HttpClient Client);

    [GeneratedRegex(@"https://desk\.sportello\.test/confirm-address/[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmationLink();

    /// <summary>A public address nobody else's service holds (the shared range Unique hands out is not public).</summary>
    public static string PublicIp(int n) => $"198.18.{n / 250}.{n % 250 + 1}";

    private async Task<Customer> CustomerAsync(string? ip = null, string name = "Marta Conti", string language = "en")
    {
        await app.StartAsync();
        var n = Unique.Next();
        var (email, order) = ($"abuse-customer-{n}@example.com", (930000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture));
        ip ??= PublicIp(n);
        var admin = await app.AdminAsync();
        var id = (await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name, password = "customer passphrase 2026", country = "IT", language, timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var service = await admin.AddServiceAsync(id, order, ip);
        return new Customer(id, email, service.GetProperty("id").GetString()!, ip, order, await app.SignInAsync(email, "customer passphrase 2026"));
    }

    /// <summary>Confirmed addresses for invoices, support and abuse: only the abuse one may get the case.</summary>
    private async Task<(string Invoices, string Support, string Abuse)> AddressesAsync(Customer customer)
    {
        var n = Unique.Next();
        var (invoices, support, abuse) = ($"accounts-{n}@example.com", $"tech-{n}@example.com", $"noc-{n}@example.com");
        await (await customer.Client.PutAsJsonAsync("/api/v1/account/notification-addresses",
            new { invoices = new[] { invoices }, support = new[] { support }, abuse = new[] { abuse } })).JsonAsync(HttpStatusCode.OK);
        foreach (var address in new[] { invoices, support, abuse })
        {
            var link = new Uri(ConfirmationLink().Match((await app.MailOut.WaitForAsync(address)).TextBody!).Value).PathAndQuery;
            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>())).StatusCode);
        }
        return (invoices, support, abuse);
    }

    private Task<HttpClient> AbuseAgentAsync() => app.AgentAsync($"abuse-agent-{Unique.Next()}@sportello.test", "abuse");

    /// <summary>The case about <paramref name="ip"/>, once the intake has made it.</summary>
    private static async Task<JsonElement> CaseAboutAsync(HttpClient agent, string ip, int reports = 1)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            var queue = (await (await agent.GetAsync("/api/v1/desk/abuse-cases?limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray();
            found = queue.FirstOrDefault(c => c.GetProperty("ips").EnumerateArray().Any(i => i.GetString() == ip));
            return found.ValueKind == JsonValueKind.Object && found.GetProperty("reports").GetInt32() >= reports;
        }, $"a case about {ip} with {reports} report(s)");
        return found;
    }

    private static async Task<JsonElement> DetailAsync(HttpClient client, string path) =>
        await (await client.GetAsync(path)).JsonAsync(HttpStatusCode.OK);

    /// <summary>Every outbox row whose subject names <paramref name="reference"/>: written with the case, so complete at once.</summary>
    private async Task<List<(string To, string Kind)>> MailsAboutAsync(string reference)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        return [.. (await db.OutboxMessages.Where(m => (m.Subject ?? "").Contains(reference)).Select(m => new { m.ToAddress, m.Kind }).ToListAsync())
            .Select(m => (m.ToAddress, m.Kind))];
    }

    private static MimeMessage Raw(string raw) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n"))));

    // RFC 5965's example, about the given source address.
    private static MimeMessage Arf(string ip, string reporter) => Raw($"""
        From: Feedback Loop <{reporter}>
        Date: Mon, 30 Nov 2026 09:40:36 +0000
        Subject: FW: Earn money
        To: <{MailApp.Abuse}>
        Message-ID: <{Guid.NewGuid():N}@fbl.example>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report;
             boundary="part1_13d.2e68ed54_boundary"

        --part1_13d.2e68ed54_boundary
        Content-Type: text/plain; charset="US-ASCII"

        This is an email abuse report for an email message received from IP {ip}.

        --part1_13d.2e68ed54_boundary
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: SomeGenerator/1.0
        Version: 1
        Original-Mail-From: <somespammer@shop.example>
        Original-Rcpt-To: <complainant@fbl.example>
        Arrival-Date: Mon, 30 Nov 2026 09:00:00 +0000
        Source-IP: {ip}
        Reported-Uri: http://shop.example/earn_money.html

        --part1_13d.2e68ed54_boundary
        Content-Type: message/rfc822
        Content-Disposition: inline

        Received: from mail.shop.example (mail.shop.example [{ip}]) by mx.fbl.example with ESMTP id M63d4137594e46; Mon, 30 Nov 2026 09:00:00 +0000
        From: <somespammer@shop.example>
        To: <complainant@fbl.example>
        Subject: Earn money
        MIME-Version: 1.0
        Content-Type: text/plain
        Message-ID: <8787KJKJ3K4J3K4J3K4J3.mail@shop.example>
        Date: Mon, 30 Nov 2026 08:59:03 +0000

        Spam Spam Spam
        --part1_13d.2e68ed54_boundary--
        """);

    private static MimeMessage XArf(string ip, string reporter) => Raw($"""
        From: Blocklist <{reporter}>
        To: <{MailApp.Abuse}>
        Subject: abuse report about {ip} - 2026-11-30T10:00:00Z
        Message-ID: <{Guid.NewGuid():N}@blocklist.example>
        MIME-Version: 1.0
        X-ARF: YES
        Content-Type: multipart/mixed; boundary="Abuse-bc4ce1ba"

        --Abuse-bc4ce1ba
        Content-Type: text/plain; charset=utf-8

        Dear abuse team, a host of yours attacked our SSH service.

        --Abuse-bc4ce1ba
        Content-Type: text/plain; charset=utf-8; name="report.txt"

        ---
        Reported-From: {reporter}
        Category: abuse
        Report-Type: login-attack
        Service: ssh
        Version: 0.2
        User-Agent: fail2ban
        Date: 2026-11-30T10:00:00Z
        Source-Type: ipv4
        Source: {ip}
        Port: 22
        Attachment: text/plain

        --Abuse-bc4ce1ba
        Content-Type: text/plain; charset=utf-8; name="logfile.log"

        Nov 30 10:00:00 host sshd[1]: Failed password for root from {ip} port 4242 ssh2
        --Abuse-bc4ce1ba--
        """);

    private static MimeMessage Plain(string from, string subject, string body) => MailApp.Mail(from, subject, body, to: MailApp.Abuse);

    [Fact]
    public async Task ArfReport_BecomesACaseForTheRightCustomer_ForwardedToTheConfirmedAbuseAddressOnly()
    {
        var customer = await CustomerAsync();
        var other = await CustomerAsync();
        var (invoices, support, abuse) = await AddressesAsync(customer);
        var agent = await AbuseAgentAsync();

        await app.SendAsync(Arf(customer.Ip, $"fbl-{Unique.Next()}@fbl.example"));

        var found = await CaseAboutAsync(agent, customer.Ip);
        Assert.Equal("forwarded", found.GetProperty("state").GetString());
        Assert.Equal("spam", found.GetProperty("type").GetString());
        Assert.Equal(customer.Id, found.GetProperty("customerId").GetString());
        Assert.Equal(customer.ServiceId, found.GetProperty("serviceId").GetString());
        var reference = found.GetProperty("reference").GetString()!;
        Assert.Matches(@"^ABU-\d{8}$", reference);
        // Forwarded to the abuse address only; the feedback loop, being automatic, is not acknowledged.
        Assert.Equal([(abuse, AbuseMails.ForwardedKind)], await MailsAboutAsync(reference));
        var mail = await app.MailOut.WaitForAsync(abuse, m => (m.Subject ?? "").Contains(reference, StringComparison.Ordinal));
        Assert.Contains(customer.Ip, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"#{customer.OrderNumber}", mail.TextBody, StringComparison.Ordinal);
        var evidence = Assert.Single(mail.Attachments.OfType<MimePart>());
        using var bytes = new MemoryStream();
        evidence.Content!.DecodeTo(bytes);
        var attached = Encoding.UTF8.GetString(bytes.ToArray());
        Assert.Contains("Spam Spam Spam", attached, StringComparison.Ordinal);
        Assert.DoesNotContain("complainant@fbl.example", attached, StringComparison.Ordinal);
        Assert.DoesNotContain(app.MailOut.To(invoices), m => (m.Subject ?? "").Contains(reference, StringComparison.Ordinal));
        Assert.DoesNotContain(app.MailOut.To(support), m => (m.Subject ?? "").Contains(reference, StringComparison.Ordinal));

        // The customer reads it; another customer does not know it exists.
        var id = found.GetProperty("id").GetString()!;
        var mine = await DetailAsync(customer.Client, $"/api/v1/abuse-cases/{id}");
        Assert.Equal(reference, mine.GetProperty("reference").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/api/v1/abuse-cases/{id}")).StatusCode);
        Assert.Empty((await (await other.Client.GetAsync("/api/v1/abuse-cases")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        // No ticket was opened by mail to the abuse address.
        Assert.Empty(await customer.Client.TicketsAsync());
    }

    [Fact]
    public async Task XArfReport_BecomesAnAttackCase_AndTheCustomerNeverSeesTheReporter()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var reporter = $"soc-{Unique.Next()}@blocklist.example";

        await app.SendAsync(XArf(customer.Ip, reporter));

        var found = await CaseAboutAsync(agent, customer.Ip);
        Assert.Equal("attack", found.GetProperty("type").GetString());
        Assert.Equal(customer.Id, found.GetProperty("customerId").GetString());
        var id = found.GetProperty("id").GetString()!;
        var desk = await DetailAsync(agent, $"/api/v1/desk/abuse-cases/{id}");
        var report = Assert.Single(desk.GetProperty("reportList").EnumerateArray());
        Assert.Equal("x-arf", report.GetProperty("format").GetString());
        Assert.Equal(reporter, report.GetProperty("reporter").GetProperty("email").GetString());

        var raw = await (await customer.Client.GetAsync($"/api/v1/abuse-cases/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("Failed password for root", raw, StringComparison.Ordinal);
        Assert.DoesNotContain(reporter, raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Blocklist", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("blocklist.example", raw, StringComparison.OrdinalIgnoreCase);
        // The registered address gets it when no abuse address is confirmed.
        await app.MailOut.WaitForAsync(customer.Email, m => (m.Subject ?? "").Contains(found.GetProperty("reference").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ipv6InAPlainTextReport_IsMatched_AndThePersonWhoReportedIsAcknowledged_WithNothingAboutTheCustomer()
    {
        var ip = $"2001:db8:ab:{Unique.Next():x}::25";
        var customer = await CustomerAsync(ip, name: "Ottavio Segreto");
        var agent = await AbuseAgentAsync();
        var reporter = $"jane-{Unique.Next()}@victim.example";

        await app.SendAsync(Plain($"Jane Doe <{reporter}>", "Phishing site", $"Your server {ip.ToUpperInvariant()} hosts a phishing page: http://bank-login.example/secure"));

        var found = await CaseAboutAsync(agent, ip);
        Assert.Equal("phishing", found.GetProperty("type").GetString());
        Assert.Equal(customer.Id, found.GetProperty("customerId").GetString());
        var reference = found.GetProperty("reference").GetString()!;
        var acknowledgement = await app.MailOut.WaitForAsync(reporter);
        Assert.Contains(reference, acknowledgement.Subject, StringComparison.Ordinal);
        var whole = acknowledgement.ToString();
        foreach (var secret in new[] { "Ottavio", "Segreto", customer.Email, customer.OrderNumber, customer.Id })
        {
            Assert.DoesNotContain(secret, whole, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal("auto-replied", acknowledgement.Headers["Auto-Submitted"]);
        // From the abuse address: the reporter's answer, quoting the reference, joins the case (never a support ticket).
        Assert.Equal(MailApp.Abuse, acknowledgement.From.Mailboxes.Single().Address);
        var followUp = Plain($"Jane Doe <{reporter}>", $"Re: {acknowledgement.Subject}", "It is still online this morning.");
        followUp.InReplyTo = acknowledgement.MessageId;
        await app.SendAsync(followUp);
        await CaseAboutAsync(agent, ip, reports: 2);
    }

    [Fact]
    public async Task AReportAboutAnAddressWeDoNotHost_IsNotOurs_AndTheOneClickAnswerTellsTheReporter()
    {
        await app.StartAsync();
        var agent = await AbuseAgentAsync();
        var ip = PublicIp(Unique.Next());
        var reporter = $"ops-{Unique.Next()}@elsewhere.example";

        await app.SendAsync(Plain(reporter, "Spam", $"Spam from {ip}."));

        var found = await CaseAboutAsync(agent, ip);
        Assert.Equal("not-ours", found.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, found.GetProperty("customerId").ValueKind);
        var id = found.GetProperty("id").GetString()!;
        await app.MailOut.WaitForAsync(reporter);

        var answered = await (await agent.PostAsync($"/api/v1/desk/abuse-cases/{id}/not-ours-answer", null)).JsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(JsonValueKind.Null, answered.GetProperty("notOursAnsweredAt").ValueKind);
        Assert.Equal(2, (await MailsAboutAsync(found.GetProperty("reference").GetString()!)).Count(m => m.To == reporter));
        // Once only.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent.PostAsync($"/api/v1/desk/abuse-cases/{id}/not-ours-answer", null)).StatusCode);
    }

    [Fact]
    public async Task ThreeReportsAboutTheSameServiceWithinTheWindow_MakeOneCase_WithThreePiecesOfEvidence()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();

        for (var i = 1; i <= 3; i++)
        {
            await app.SendAsync(Plain($"reporter{i}-{Unique.Next()}@example.org", "Spam", $"Spam number {i} came from {customer.Ip}."));
        }

        var found = await CaseAboutAsync(agent, customer.Ip, reports: 3);
        Assert.Equal(3, found.GetProperty("reports").GetInt32());
        var id = found.GetProperty("id").GetString()!;
        var mine = await DetailAsync(customer.Client, $"/api/v1/abuse-cases/{id}");
        var evidence = mine.GetProperty("reportList").EnumerateArray().Select(r => r.GetProperty("evidence").GetString()).ToList();
        Assert.Equal(3, evidence.Count);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Contains(evidence, e => e!.Contains($"Spam number {i}", StringComparison.Ordinal));
        }
        Assert.Single((await (await customer.Client.GetAsync("/api/v1/abuse-cases")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        // One forwarding for the case, not one per report.
        Assert.Single(await MailsAboutAsync(found.GetProperty("reference").GetString()!), m => m.Kind == AbuseMails.ForwardedKind);
    }

    [Fact]
    public async Task AutomaticReport_GetsNoAcknowledgement_AndAPersonGetsAtMostOneInTenMinutes()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var robot = $"robot-{Unique.Next()}@scanner.example";
        var person = $"person-{Unique.Next()}@example.org";

        var automatic = Plain(robot, "Port scan", $"Portscan from {customer.Ip}.");
        automatic.Headers.Add("Auto-Submitted", "auto-generated");
        await app.SendAsync(automatic);
        await app.SendAsync(Plain(person, "Brute force", $"Brute force attack from {customer.Ip} on our SSH."));
        await app.SendAsync(Plain(person, "Brute force again", $"Another brute force attack from {customer.Ip}."));

        var found = await CaseAboutAsync(agent, customer.Ip, reports: 3);
        var reference = found.GetProperty("reference").GetString()!;
        var mails = await MailsAboutAsync(reference);
        Assert.DoesNotContain(mails, m => m.To == robot);
        Assert.Single(mails, m => m.To == person && m.Kind == AbuseMails.AcknowledgementKind);
    }

    [Fact]
    public async Task TheCustomerAnswersByReplyingToTheMail_AndAStrangerQuotingTheSameMessageIdDoesNot()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        await app.SendAsync(Plain($"someone-{Unique.Next()}@example.org", "Malware", $"Malware download at http://{customer.Ip}/x.exe, a trojan."));
        var found = await CaseAboutAsync(agent, customer.Ip);
        var id = found.GetProperty("id").GetString()!;
        var forwarded = await app.MailOut.WaitForAsync(customer.Email, m => (m.Subject ?? "").Contains(found.GetProperty("reference").GetString()!, StringComparison.Ordinal));

        var forged = MailApp.Mail($"intruder-{Unique.Next()}@example.org", "Re: " + forwarded.Subject, "All fixed, close it.", to: MailApp.Support);
        forged.InReplyTo = forwarded.MessageId;
        await app.SendAsync(forged);
        var reply = MailApp.Mail(customer.Email, "Re: " + forwarded.Subject, "We removed the file and changed the FTP password.", to: MailApp.Support);
        reply.InReplyTo = forwarded.MessageId;
        reply.References.Add(forwarded.MessageId!);
        await app.SendAsync(reply);

        await Eventually.TrueAsync(async () => (await DetailAsync(agent, $"/api/v1/desk/abuse-cases/{id}")).GetProperty("state").GetString() == "customer-responded",
            "the customer's mail to answer the case");
        var desk = await DetailAsync(agent, $"/api/v1/desk/abuse-cases/{id}");
        var message = Assert.Single(desk.GetProperty("messages").EnumerateArray());
        Assert.Contains("changed the FTP password", message.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Equal("email", message.GetProperty("channel").GetString());
        Assert.DoesNotContain(desk.GetProperty("messages").EnumerateArray(), m => m.GetProperty("body").GetString()!.Contains("close it", StringComparison.Ordinal));
        // The stranger on the case's thread opens no ticket either: the desk sees that someone else wrote.
        Assert.Contains(desk.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "reply-refused"
            && e.GetProperty("detail").GetString()!.StartsWith(forged.From.Mailboxes.Single().Address, StringComparison.Ordinal));
        var handled = await (await app.AdminAsync()).InboundAsync();
        var intruder = handled.Single(m => m.GetProperty("from").GetString() == forged.From.Mailboxes.Single().Address);
        Assert.Equal("ignored", intruder.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, intruder.GetProperty("ticketId").ValueKind);
    }

    [Fact]
    public async Task AReportWithNulAndDirectionOverrides_IsStoredClean()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var report = new MimeMessage { Subject = "Spam\u202E report", Date = SportelloApp.Start };
        report.From.Add(MailboxAddress.Parse($"nul-{Unique.Next()}@example.org"));
        report.To.Add(MailboxAddress.Parse(MailApp.Abuse));
        report.Body = new TextPart("plain") { Text = $"Spam from {customer.Ip}\u0000 with a NUL.", ContentTransferEncoding = ContentEncoding.QuotedPrintable };

        await app.SendAsync(report);

        var found = await CaseAboutAsync(agent, customer.Ip);
        var stored = (await DetailAsync(agent, $"/api/v1/desk/abuse-cases/{found.GetProperty("id").GetString()}")).GetProperty("reportList")[0];
        Assert.Equal($"Spam from {customer.Ip} with a NUL.", stored.GetProperty("evidence").GetString()!.Trim());
        Assert.Equal("Spam report", stored.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task AReportWithNoAddress_IsKeptForTheDesk_AndForwardedOnceAnAgentNamesTheAddress_InTheCustomersLanguage()
    {
        var customer = await CustomerAsync(language: "it");
        var agent = await AbuseAgentAsync();
        var marker = $"unreadable-{Unique.Next()}";
        await app.SendAsync(Plain($"someone-{Unique.Next()}@example.org", $"Complaint {marker}", "Your customer's shop keeps mailing me, make it stop."));

        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            var queue = (await (await agent.GetAsync("/api/v1/desk/abuse-cases?state=new&limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
            foreach (var c in queue)
            {
                var detail = await DetailAsync(agent, $"/api/v1/desk/abuse-cases/{c.GetProperty("id").GetString()}");
                if (detail.GetProperty("reportList")[0].GetProperty("subject").GetString() == $"Complaint {marker}")
                {
                    found = detail;
                    return true;
                }
            }
            return false;
        }, "the unreadable report in the queue as new");
        Assert.Equal(JsonValueKind.Null, found.GetProperty("customerId").ValueKind);
        Assert.Contains("make it stop", found.GetProperty("reportList")[0].GetProperty("evidence").GetString(), StringComparison.Ordinal);
        var id = found.GetProperty("id").GetString()!;

        await (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/address", new { ip = "10.1.2.3" })).AssertNamesFieldAsync("ip");
        var assigned = await (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/address", new { ip = customer.Ip })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("forwarded", assigned.GetProperty("state").GetString());
        Assert.Equal(customer.Id, assigned.GetProperty("customerId").GetString());
        var mail = await app.MailOut.WaitForAsync(customer.Email, m => (m.Subject ?? "").Contains(assigned.GetProperty("reference").GetString()!, StringComparison.Ordinal));
        Assert.Contains("Segnalazione di abuso", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("abbiamo ricevuto una segnalazione", mail.TextBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/address", new { ip = customer.Ip })).StatusCode);
    }

    [Fact]
    public async Task AHostileMailToTheAbuseAddress_IsQuarantined_AndStillShownToTheDesk()
    {
        await app.StartAsync();
        var agent = await AbuseAgentAsync();
        var marker = $"bomb-{Unique.Next()}";
        var hostile = Plain($"attacker-{Unique.Next()}@example.org", marker, "Spam from 198.51.100.99.");
        for (var i = 0; i < 1_100; i++)
        {
            hostile.Headers.Add($"X-Filler-{i}", "x");
        }

        await app.SendAsync(hostile);

        await Eventually.TrueAsync(async () =>
        {
            foreach (var c in (await (await agent.GetAsync("/api/v1/desk/abuse-cases?state=new&limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray())
            {
                var report = (await DetailAsync(agent, $"/api/v1/desk/abuse-cases/{c.GetProperty("id").GetString()}")).GetProperty("reportList")[0];
                if (report.GetProperty("subject").GetString() == marker)
                {
                    return report.GetProperty("evidence").GetString()!.Contains("quarantined", StringComparison.Ordinal)
                        && report.GetProperty("ips").GetArrayLength() == 0;
                }
            }
            return false;
        }, "the quarantined report on the desk, unread");
        var stored = (await (await app.AdminAsync()).InboundAsync()).Single(m => m.GetProperty("subject").GetString() == marker);
        Assert.Equal("quarantined", stored.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.String, stored.GetProperty("abuseCaseId").ValueKind);
    }
}
