using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>The listener with a certificate that it requires: STARTTLS first, then mail.</summary>
public sealed class TlsMailApp : MailApp
{
    public string CertificateFolder { get; } = Path.Combine(Path.GetTempPath(), $"sportello-tls-{Guid.NewGuid():N}");
    /// <summary>The certificate the listener should be serving now (a test in the class renews it).</summary>
    public string Thumbprint { get; private set; }

    public TlsMailApp() => Thumbprint = TestCertificates.WritePem(CertificateFolder, "mx.sportello.test", Clock, TimeSpan.FromDays(90));

    public string Renew(string subject, TimeSpan validFor) =>
        Thumbprint = TestCertificates.WritePem(CertificateFolder, subject, Clock, validFor);

    public string RenewWithChain(string subject, TimeSpan validFor)
    {
        var (leaf, intermediate) = TestCertificates.WriteChainPem(CertificateFolder, subject, Clock, validFor);
        Thumbprint = leaf;
        return intermediate;
    }

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:SmtpTls:CertificateFile"] = Path.Combine(CertificateFolder, "cert.pem"),
        ["Sportello:Mail:SmtpTls:KeyFile"] = Path.Combine(CertificateFolder, "key.pem"),
        ["Sportello:Mail:SmtpTls:Require"] = "true",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(CertificateFolder, recursive: true);
    }
}

[Trait("Category", "Data")]
public sealed class SmtpTlsTests(TlsMailApp app) : IClassFixture<TlsMailApp>
{
    /// <summary>Sends over STARTTLS, trusting only the certificate with <paramref name="thumbprint"/>; returns what the client saw.</summary>
    private async Task<(string Answer, string Thumbprint, System.Security.Authentication.SslProtocols Protocol)> SendOverTlsAsync(
        MimeMessage message, string thumbprint)
    {
        string? seen = null;
        using var client = new SmtpClient { LocalDomain = "client.example" };
        client.ServerCertificateValidationCallback = (_, certificate, _, _) =>
        {
            seen = new X509Certificate2(certificate!).Thumbprint;
            return seen == thumbprint;
        };
        await client.ConnectAsync("127.0.0.1", app.SmtpPort, SecureSocketOptions.StartTls);
        var protocol = client.SslProtocol;
        var answer = await client.SendAsync(message);
        await client.DisconnectAsync(true);
        return (answer, seen!, protocol);
    }

    [Fact]
    public async Task PlainMail_IsRefusedUntilStartTls_ThenBecomesATicket_WithOurReceivedLine()
    {
        var (customer, email) = await app.CustomerAsync("tls");

        // 530: MailKit reads it as "authentication required", with the server's words.
        var refused = await Assert.ThrowsAsync<MailKit.ServiceNotAuthenticatedException>(() => app.SendAsync(MailApp.Mail(email, "In chiaro", "Plain text.")));
        Assert.Contains("5.7.0 Must issue a STARTTLS command first", refused.Message, StringComparison.Ordinal);

        var (answer, thumbprint, protocol) = await SendOverTlsAsync(MailApp.Mail(email, "Cifrata", "Over TLS."), app.Thumbprint);

        Assert.Contains("Ok", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(app.Thumbprint, thumbprint);
        System.Text.Json.JsonElement ticket = default;
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()) is [var only] && (ticket = only).ValueKind != default, "the ticket");
        Assert.Equal("Cifrata", ticket.GetProperty("subject").GetString());
        // The stored original starts with the trace line an SMTP server must add, naming TLS and its version.
        var admin = await app.AdminAsync();
        var stored = (await admin.HandledAsync(1)).Single(m => m.GetProperty("subject").GetString() == "Cifrata");
        var original = await (await admin.GetAsync($"/api/v1/desk/mail/{stored.GetProperty("id").GetString()}/original")).Content.ReadAsStringAsync();
        var version = protocol == System.Security.Authentication.SslProtocols.Tls13 ? "TLSv1.3" : "TLSv1.2";
        Assert.StartsWith("Received: from client.example ([127.0.0.1])\r\n\tby sportello.test (Sportello) with ESMTPS (" + version + ")", original, StringComparison.Ordinal);
        Assert.Contains($"for <{MailApp.Support}>;", original, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swaks_SendsOverStartTls()
    {
        var (customer, email) = await app.CustomerAsync("tls-swaks");
        var raw = Encoding.ASCII.GetBytes($"From: {email}\r\nTo: {MailApp.Support}\r\nSubject: Via swaks\r\nMessage-ID: <{Guid.NewGuid():N}@client.example>\r\n\r\nHello over TLS.\r\n");

        var plain = await Swaks.SendRawAsync(app.SmtpPort, email, MailApp.Support, raw);
        var secure = await Swaks.SendRawAsync(app.SmtpPort, email, MailApp.Support, raw, startTls: true);

        Assert.NotEqual(0, plain.ExitCode);
        Assert.Contains("530 5.7.0 Must issue a STARTTLS command first", plain.Transcript, StringComparison.Ordinal);
        Assert.True(secure.ExitCode == 0, secure.Transcript);
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the ticket");
    }

    [Fact]
    public async Task CommandsSentInClearBehindStartTls_AreNeverRunInsideTheTlsSession()
    {
        await app.StartAsync();
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, app.SmtpPort);
        var clear = tcp.GetStream();
        Assert.StartsWith("220", await ReplyAsync(clear), StringComparison.Ordinal);
        await WriteAsync(clear, "EHLO attacker.example\r\n");
        Assert.Contains("STARTTLS", await ReplyAsync(clear), StringComparison.Ordinal);

        // The injection (CVE-2011-0411): a command in the same packet as STARTTLS, meant to run as if sent encrypted.
        await WriteAsync(clear, $"STARTTLS\r\nMAIL FROM:<injected@evil.example>\r\n");
        Assert.StartsWith("220", await ReplyAsync(clear), StringComparison.Ordinal);
        await using var tls = new SslStream(clear, leaveInnerStreamOpen: false,
            (_, certificate, _, _) => certificate is not null && new X509Certificate2(certificate).Thumbprint == app.Thumbprint);
        await tls.AuthenticateAsClientAsync("mx.sportello.test");
        await WriteAsync(tls, "EHLO client.example\r\n");
        Assert.StartsWith("250", await ReplyAsync(tls), StringComparison.Ordinal);
        await WriteAsync(tls, $"RCPT TO:<{MailApp.Support}>\r\n");

        // No MAIL FROM was given inside TLS, so a recipient is out of sequence (had the injected one run: 250).
        Assert.Matches("^50[13] ", await ReplyAsync(tls));
    }

    [Fact]
    public async Task FullChainFile_SendsTheIntermediateToClients()
    {
        var (_, email) = await app.CustomerAsync("tls-chain");
        var intermediate = app.RenewWithChain("mx3.sportello.test", TimeSpan.FromDays(60));
        var sent = new List<string>();
        using var client = new SmtpClient { LocalDomain = "client.example" };
        client.ServerCertificateValidationCallback = (_, certificate, chain, _) =>
        {
            // What the server sent besides its own certificate.
            sent.AddRange(chain!.ChainPolicy.ExtraStore.Select(c => c.Thumbprint));
            return new X509Certificate2(certificate!).Thumbprint == app.Thumbprint;
        };

        await client.ConnectAsync("127.0.0.1", app.SmtpPort, SecureSocketOptions.StartTls);
        await client.SendAsync(MailApp.Mail(email, "Con catena", "Chain."));
        await client.DisconnectAsync(true);

        Assert.Contains(intermediate, sent);
    }

    private static Task WriteAsync(Stream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

    /// <summary>Reads one whole SMTP reply (all its lines) a byte at a time, so nothing past it is taken from the socket.</summary>
    private static async Task<string> ReplyAsync(Stream stream)
    {
        var reply = new StringBuilder();
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new EndOfStreamException("The server closed the connection after: " + reply + line);
            }
            line.Append((char)one[0]);
            if (one[0] == '\n')
            {
                reply.Append(line);
                if (line.Length < 4 || line[3] != '-')
                {
                    return reply.ToString();
                }
                line.Clear();
            }
        }
    }

    [Fact]
    public async Task RenewedCertificate_IsServedFromTheNextConnection_WithoutARestart()
    {
        var (_, email) = await app.CustomerAsync("tls-renew");
        var admin = await app.AdminAsync();
        var before = await (await admin.GetAsync("/api/v1/admin/mail/summary")).JsonAsync(HttpStatusCode.OK);
        Assert.True(before.GetProperty("smtpTls").GetProperty("required").GetBoolean());

        // The renewal tool replaces both files.
        var renewed = app.Renew("mx2.sportello.test", TimeSpan.FromDays(10));
        // The admin page reads the files again by itself: a renewal shows before any client connects.
        var early = await (await admin.GetAsync("/api/v1/admin/mail/summary")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(renewed, early.GetProperty("smtpTls").GetProperty("certificate").GetProperty("thumbprint").GetString());
        var (_, thumbprint, _) = await SendOverTlsAsync(MailApp.Mail(email, "Dopo il rinnovo", "Renewed."), renewed);

        Assert.Equal(renewed, thumbprint);
        var after = await (await admin.GetAsync("/api/v1/admin/mail/summary")).JsonAsync(HttpStatusCode.OK);
        var certificate = after.GetProperty("smtpTls").GetProperty("certificate");
        Assert.Equal("CN=mx2.sportello.test", certificate.GetProperty("subject").GetString());
        Assert.Equal(renewed, certificate.GetProperty("thumbprint").GetString());
        // Ten days left: the admin page says to renew.
        var page = await (await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword)).GetStringAsync("/admin/mail");
        Assert.Contains("Renew the certificate: it runs out soon.", page, StringComparison.Ordinal);
        Assert.Contains("CN=mx2.sportello.test", page, StringComparison.Ordinal);
    }
}

[Trait("Category", "Data")]
public sealed class SmtpTraceTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task PlainSmtp_IsRecordedAsSuch_InTheReceivedLine_AndStartTlsIsNotOffered()
    {
        await app.StartAsync();
        using var client = new SmtpClient { LocalDomain = "relay.client.example" };
        await client.ConnectAsync("127.0.0.1", app.SmtpPort, SecureSocketOptions.None);
        Assert.False(client.Capabilities.HasFlag(SmtpCapabilities.StartTLS));
        await client.SendAsync(MailApp.Mail($"plain-{Unique.Next()}@elsewhere.example", "In chiaro", "Plain."));
        await client.DisconnectAsync(true);

        var admin = await app.AdminAsync();
        var stored = (await admin.HandledAsync(1)).First(m => m.GetProperty("subject").GetString() == "In chiaro");
        var original = await (await admin.GetAsync($"/api/v1/desk/mail/{stored.GetProperty("id").GetString()}/original")).Content.ReadAsStringAsync();
        Assert.StartsWith("Received: from relay.client.example ([127.0.0.1])\r\n\tby sportello.test (Sportello) with ESMTP\r\n", original, StringComparison.Ordinal);
    }
}

/// <summary>A certificate file that cannot be read: the listener stays down rather than take mail in clear.</summary>
public sealed class BadCertificateMailApp : MailApp
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"sportello-bad-{Guid.NewGuid():N}.pem");

    public BadCertificateMailApp() => File.WriteAllText(file, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:SmtpTls:CertificateFile"] = file,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(file);
    }
}

[Trait("Category", "Data")]
public sealed class SmtpBadCertificateTests(BadCertificateMailApp app) : IClassFixture<BadCertificateMailApp>
{
    [Fact]
    public async Task UnreadableCertificate_KeepsTheListenerDown_AndTheNodeNotReady()
    {
        var ready = await app.Anonymous().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        // The admin page says why, once the listener has tried.
        var admin = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        await Eventually.TrueAsync(async () => (await admin.GetStringAsync("/admin/mail"))
            .Contains("The SMTP listener is not bound: its certificate could not be read", StringComparison.Ordinal), "the reason on the admin page");
    }
}
