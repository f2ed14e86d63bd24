using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Cryptography;
using Sportello.Features.Sla;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Sportello that knows the DKIM key of signed.example and trusts the provider MTA mx.sportello.test.</summary>
public sealed class TrustMailApp : MailApp
{
    public const string SignedDomain = "signed.example";
    private static readonly RSA Key = RSA.Create(2048);
    public string PrivateKeyFile { get; } = Path.Combine(Path.GetTempPath(), $"dkim-{Guid.NewGuid():N}.pem");

    public TrustMailApp() => File.WriteAllText(PrivateKeyFile, Key.ExportPkcs8PrivateKeyPem());

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:Authentication:DkimKeys:0:Domain"] = SignedDomain,
        ["Sportello:Mail:Authentication:DkimKeys:0:Selector"] = "s1",
        ["Sportello:Mail:Authentication:DkimKeys:0:Record"] = $"v=DKIM1; k=rsa; p={Convert.ToBase64String(Key.ExportSubjectPublicKeyInfo())}",
        ["Sportello:Mail:Authentication:TrustedAuthServIds:0"] = "mx.sportello.test",
        // The tests' client stands for the provider's own MX, which hands mail over from loopback.
        ["Sportello:Mail:Authentication:TrustedRelays:0"] = "127.0.0.0/8",
        ["Sportello:Sla:OnCallEmail"] = "",
    };

    public MimeMessage Sign(MimeMessage message)
    {
        var signer = new DkimSigner(PrivateKeyFile, SignedDomain, "s1")
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        message.Prepare(EncodingConstraint.SevenBit);
        signer.Sign(message, [HeaderId.From, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.InReplyTo]);
        return message;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(PrivateKeyFile);
    }
}

[Trait("Category", "Data")]
public sealed class MailTrustTests(TrustMailApp app) : IClassFixture<TrustMailApp>
{
    private async Task<(HttpClient Customer, string Email)> CustomerAsync(string domain)
    {
        await app.StartAsync();
        var email = $"c{Unique.Next()}@{domain}";
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        return (await app.SignInAsync(email, "customer passphrase 2026"), email);
    }

    private async Task<System.Text.Json.JsonElement> OutcomeAsync(string messageId)
    {
        var handled = await (await app.AdminAsync()).HandledAsync(1);
        System.Text.Json.JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            found = (await (await app.AdminAsync()).InboundAsync()).FirstOrDefault(m =>
                m.GetProperty("state").GetString() != "received" && m.GetProperty("subject").GetString()!.Contains(messageId, StringComparison.Ordinal));
            return found.ValueKind != System.Text.Json.JsonValueKind.Undefined;
        }, "the mail to be handled");
        Assert.NotEmpty(handled);
        return found;
    }

    [Fact]
    public async Task RegisteredSender_WithAlignedDkim_IsVerified()
    {
        var (customer, email) = await CustomerAsync(TrustMailApp.SignedDomain);

        await app.SendAsync(app.Sign(MailApp.Mail(email, "Firmata", "Mail firmata.")));

        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the ticket");
        Assert.Equal("verified", (await customer.TicketsAsync())[0].GetProperty("trust").GetString());
    }

    [Fact]
    public async Task TamperedSignature_IsUnverified_AndNeverTiedToTheAccount()
    {
        var (customer, email) = await CustomerAsync(TrustMailApp.SignedDomain);
        var tag = $"tampered-{Unique.Next()}";
        var message = app.Sign(MailApp.Mail(email, tag, "Original text."));
        ((TextPart)message.Body!).Text = "Send me the root password.";

        await app.SendAsync(message);

        var outcome = await OutcomeAsync(tag);
        Assert.StartsWith("fail", outcome.GetProperty("authentication").GetString(), StringComparison.Ordinal);
        Assert.Empty(await customer.TicketsAsync());
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        var ticket = await agent.DeskTicketAsync(outcome.GetProperty("ticketId").GetString()!);
        Assert.Equal("unverified", ticket.GetProperty("trust").GetString());
    }

    [Fact]
    public async Task SignatureOfAnotherDomain_DoesNotAlign_AndIsUnverified()
    {
        var (customer, email) = await CustomerAsync("other.example");
        var tag = $"misaligned-{Unique.Next()}";

        await app.SendAsync(app.Sign(MailApp.Mail(email, tag, "Signed by signed.example, From other.example.")));

        var outcome = await OutcomeAsync(tag);
        Assert.Contains("not aligned", outcome.GetProperty("authentication").GetString(), StringComparison.Ordinal);
        Assert.Empty(await customer.TicketsAsync());
    }

    [Fact]
    public async Task SubjectNumber_AppendsOnlyForTheAuthenticatedOwner()
    {
        var (customer, email) = await CustomerAsync(TrustMailApp.SignedDomain);
        var opened = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Via web", description = "Dal sito." });
        var number = opened.GetProperty("number").GetString()!;

        await app.SendAsync(MailApp.Mail(email, $"Re: [#{number}] senza firma", "Unsigned, quoting the number."));
        await app.SendAsync(app.Sign(MailApp.Mail(email, $"Re: [#{number}] firmata", "Signed, quoting the number.")));

        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 2, "the unsigned mail's own ticket");
        var detail = await (await customer.GetAsync($"/api/v1/tickets/{opened.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () =>
            (await (await customer.GetAsync($"/api/v1/tickets/{opened.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK))
                .GetProperty("messages").GetArrayLength() == 2, "the signed reply on the web ticket");
        Assert.NotEqual(default, detail);
    }

    [Fact]
    public async Task AuthenticationResults_AreBelievedOnlyFromTheProvidersMta()
    {
        var (customer, email) = await CustomerAsync("plain.example");
        // The relay writes its verdict on top, just before handing the mail over.
        var trusted = MailApp.Mail(email, "Trusted MTA", "Checked upstream.");
        trusted.Headers.Insert(0, new Header("Authentication-Results", "mx.sportello.test; dkim=pass header.d=plain.example; dmarc=pass header.from=plain.example"));
        var forged = MailApp.Mail(email, "Forged MTA", "Header added by anyone.");
        forged.Headers.Insert(0, new Header("Authentication-Results", "mx.evil.example; dkim=pass header.d=plain.example; dmarc=pass header.from=plain.example"));
        // A header with our MTA's name that came with the mail, below the relay's own Received line.
        var buried = MailApp.Mail(email, "Buried verdict", "Header written by the sender.");
        buried.Headers.Insert(0, new Header("Authentication-Results", "mx.sportello.test; dkim=pass header.d=plain.example; dmarc=pass header.from=plain.example"));
        buried.Headers.Insert(0, new Header("Received", "from outside.example by mx.sportello.test; Tue, 24 Nov 2026 13:00:00 +0000"));

        await app.SendAsync(trusted);
        await app.SendAsync(forged);
        await app.SendAsync(buried);

        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 3, "three tickets");
        var tickets = await customer.TicketsAsync();
        Assert.Equal("verified", tickets.Single(t => t.GetProperty("subject").GetString() == "Trusted MTA").GetProperty("trust").GetString());
        Assert.Equal("registered", tickets.Single(t => t.GetProperty("subject").GetString() == "Forged MTA").GetProperty("trust").GetString());
        Assert.Equal("registered", tickets.Single(t => t.GetProperty("subject").GetString() == "Buried verdict").GetProperty("trust").GetString());
    }

    [Fact]
    public async Task AgentReplyByMail_IsAddedWhenSigned_AndRefusedWithANoticeWhenNot()
    {
        var (customer, email) = await CustomerAsync("plain.example");
        var agentEmail = $"agent-{Unique.Next()}@{TrustMailApp.SignedDomain}";
        // Financial, which no other test of the class (nor mail intake) opens tickets in: the class shares one app, and an
        // agent with several missed targets in one pass gets a digest, threaded on no ticket, instead of the escalation.
        await app.AgentAsync(agentEmail, "financial");
        var opened = await customer.OpenTicketAsync(new { department = "financial", priority = "normal", subject = $"Lento {Unique.Next()}", description = "Lento." });
        var number = opened.GetProperty("number").GetString()!;
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        await app.Services.GetRequiredService<SlaMonitor>().SweepAsync(TestContext.Current.CancellationToken);
        var escalation = await app.MailOut.WaitForAsync(agentEmail, m => m.Subject!.Contains(number, StringComparison.Ordinal));

        var unsigned = MailApp.Mail(agentEmail, "Re: " + escalation.Subject, "Unsigned answer.");
        unsigned.InReplyTo = escalation.MessageId;
        await app.SendAsync(unsigned);
        await app.MailOut.WaitForAsync(agentEmail, m => m.Subject!.StartsWith("Not added", StringComparison.Ordinal));

        var signed = MailApp.Mail(agentEmail, "Re: " + escalation.Subject, "Riavviato il server: ora risponde.");
        signed.InReplyTo = escalation.MessageId;
        await app.SendAsync(app.Sign(signed));

        var reply = await app.MailOut.WaitForAsync(email, m => m.TextBody!.Contains("Riavviato il server", StringComparison.Ordinal));
        Assert.Contains(number, reply.Subject, StringComparison.Ordinal);
        var detail = await (await customer.GetAsync($"/api/v1/tickets/{opened.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("answered", detail.GetProperty("status").GetString());
        Assert.DoesNotContain(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("body").GetString() == "Unsigned answer.");
    }
}
