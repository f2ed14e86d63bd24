using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using MailKit.Net.Smtp;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Sportello that DKIM-signs its mail for sportello.test with a key the test knows.</summary>
public sealed class SigningMailApp : MailApp
{
    public static readonly RSA Key = RSA.Create(2048);
    private readonly string keyFile = Path.Combine(Path.GetTempPath(), $"dkim-sign-{Guid.NewGuid():N}.pem");

    public SigningMailApp() => File.WriteAllText(keyFile, Key.ExportPkcs8PrivateKeyPem());

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:DkimSigning:Domain"] = "sportello.test",
        ["Sportello:Mail:DkimSigning:Selector"] = "mail2026",
        ["Sportello:Mail:DkimSigning:PrivateKeyFile"] = keyFile,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(keyFile);
    }
}

[Trait("Category", "Data")]
public sealed class OutgoingMailTests(SigningMailApp app) : IClassFixture<SigningMailApp>
{
    private sealed class KnownKey : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            GetPublicKey($"v=DKIM1; k=rsa; p={Convert.ToBase64String(SigningMailApp.Key.ExportSubjectPublicKeyInfo())}");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }

    [Fact]
    public async Task StatusChange_IsMailedInTheCustomersLanguage_WithBothParts_AndAValidDkimSignature()
    {
        await app.StartAsync();
        var email = $"italiana-{Unique.Next()}@example.it";
        var admin = await app.AdminAsync();
        var created = await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Chiara Verdi", password = "customer passphrase 2026", country = "IT", language = "it", timeZone = "Europe/Rome",
        });
        await created.JsonAsync(HttpStatusCode.Created);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Certificato", description = "Scade domani." });
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");

        var closed = await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{ticket.GetProperty("id").GetString()}/status", new { status = "closed" });
        await closed.JsonAsync(HttpStatusCode.OK);

        var mail = await app.MailOut.WaitForAsync(email, m => m.Subject!.EndsWith("Chiuso", StringComparison.Ordinal));
        Assert.Contains("ora è: Chiuso", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("Chiuso", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("it", mail.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.Equal("auto-generated", mail.Headers[HeaderId.AutoSubmitted]);
        var signature = mail.Headers.Single(h => h.Id == HeaderId.DkimSignature);
        Assert.Contains("d=sportello.test", signature.Value, StringComparison.Ordinal);
        Assert.True(await new DkimVerifier(new KnownKey()).VerifyAsync(mail, signature));
        // The acknowledgement, written when the ticket opened, is Italian too and names the number.
        var ack = await app.MailOut.WaitForAsync(email, m => m.TextBody!.Contains("abbiamo ricevuto", StringComparison.Ordinal));
        Assert.Contains(ticket.GetProperty("number").GetString()!, ack.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InlineImages_AreKeptAsAttachments()
    {
        await app.StartAsync();
        var sender = $"pics-{Unique.Next()}@elsewhere.example";
        var builder = new BodyBuilder { HtmlBody = "<p>Look: <img src=\"cid:shot1\"></p>" };
        var image = builder.LinkedResources.Add("screen.png", Convert.FromBase64String(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="));
        image.ContentId = "shot1";
        var message = MailApp.Mail(sender, $"Screenshot {Unique.Next()}", "");
        message.Body = builder.ToMessageBody();

        await app.SendAsync(message);

        var admin = await app.AdminAsync();
        System.Text.Json.JsonElement row = default;
        await Eventually.TrueAsync(async () =>
        {
            row = (await admin.InboundAsync()).FirstOrDefault(m => m.GetProperty("subject").GetString() == message.Subject && m.GetProperty("state").GetString() != "received");
            return row.ValueKind != System.Text.Json.JsonValueKind.Undefined;
        }, "the mail with an inline image");
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        var detail = await agent.DeskTicketAsync(row.GetProperty("ticketId").GetString()!);
        var first = detail.GetProperty("messages")[0];
        Assert.Equal("Look:", first.GetProperty("body").GetString()!.Trim());
        Assert.Equal("screen.png", first.GetProperty("attachments")[0].GetProperty("fileName").GetString());
        Assert.Equal("image/png", first.GetProperty("attachments")[0].GetProperty("contentType").GetString());
    }
}

/// <summary>Sportello whose SMTP listener takes three messages a minute from one client.</summary>
public sealed class ThrottledMailApp : MailApp
{
    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:RateLimits:InboundSmtp:PermitLimit"] = "3",
    };
}

public sealed class InboundRateLimitTests(ThrottledMailApp app) : IClassFixture<ThrottledMailApp>
{
    [Fact]
    public async Task AClientOverItsRate_Gets451_AndNothingIsStored()
    {
        await app.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await app.SendAsync(MailApp.Mail("busy@elsewhere.example", $"Burst {i}", "x"));
        }

        var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => app.SendAsync(MailApp.Mail("busy@elsewhere.example", "Burst 3", "x")));

        Assert.Equal(451, (int)refused.StatusCode);
        var inbound = await (await app.AdminAsync()).InboundAsync();
        Assert.Equal(3, inbound.Length);
    }
}
