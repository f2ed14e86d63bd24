using Microsoft.Extensions.Options;
using MimeKit;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Inbound.Intake;

namespace Sportello.Tests.Features.Mail;

/// <summary>The intake's pure rules, one file each: message trust, trusted relays, the dedup key.</summary>
public sealed class IntakeRulesTests
{
    private static readonly SenderCheckResult Pass = new(SenderVerdicts.Pass, "dkim=pass");
    private static readonly SenderCheckResult None = new(SenderVerdicts.None, "no signature");
    private static readonly SenderCheckResult Fail = new(SenderVerdicts.Fail, "dkim=fail");

    [Theory]
    [InlineData(true, "pass", false, "verified")]
    [InlineData(true, "none", false, "registered")]
    [InlineData(true, "fail", false, "unverified")]
    [InlineData(false, "pass", false, "unverified")]
    [InlineData(false, "none", false, "unverified")]
    [InlineData(true, "pass", true, "unverified")]
    [InlineData(true, "none", true, "unverified")]
    public void MessageTrust_DependsOnSenderCheckAndAccount_AndAutomaticMailEarnsNothing(bool known, string verdict, bool automatic, string expected)
    {
        var check = verdict switch { "pass" => Pass, "fail" => Fail, _ => None };
        Assert.Equal(expected, MessageTrust.Of(known, check, automatic));
    }

    private static TrustedRelays Relays(params string[] entries) =>
        new(Options.Create(new MailOptions { Authentication = { TrustedRelays = [.. entries] } }));

    private static MimeMessage Stored(params (string Field, string Value)[] headersOnTop)
    {
        var message = new MimeMessage { Subject = "x", Body = new TextPart("plain") { Text = "x" }, Date = Infrastructure.SportelloApp.Start };
        message.From.Add(MailboxAddress.Parse("a@example.it"));
        foreach (var (field, value) in headersOnTop.Reverse())
        {
            message.Headers.Insert(0, new Header(field, value));
        }
        return message;
    }

    private const string Verdict = "mx.sportello.test; dkim=pass header.d=example.it";
    private const string OurReceived = "from relay ([192.0.2.25]) by sportello.test (Sportello) with ESMTP; Tue, 24 Nov 2026 13:30:00 +0000";

    [Theory]
    [InlineData("192.0.2.25", "192.0.2.25", true)]
    [InlineData("192.0.2.0/24", "192.0.2.200", true)]
    [InlineData("192.0.2.0/24", "::ffff:192.0.2.9", true)]
    [InlineData("2001:db8::/32", "2001:db8::25", true)]
    [InlineData("192.0.2.25", "198.51.100.7", false)]
    [InlineData(null, "192.0.2.25", false)]
    public void AuthenticationResults_AreBelievedOnlyFromAListedRelay(string? relay, string client, bool believed)
    {
        var relays = relay is null ? Relays() : Relays(relay);
        var message = Stored(("Received", OurReceived), ("Authentication-Results", Verdict));

        var header = relays.BelievableAuthenticationResults(message, new InboundMessage { Source = "smtp", RemoteAddress = client });

        Assert.Equal(believed, header is not null);
    }

    [Fact]
    public void AuthenticationResults_BelowTheRelaysOwnLines_CameWithTheMail()
    {
        var message = Stored(("Received", OurReceived), ("Received", "from outside.example by mx.sportello.test"), ("Authentication-Results", Verdict));

        Assert.Null(Relays("192.0.2.25").BelievableAuthenticationResults(message, new InboundMessage { Source = "smtp", RemoteAddress = "192.0.2.25" }));
    }

    [Fact]
    public void AuthenticationResults_FromImap_AreTheTopmostOnes()
    {
        var message = Stored(("Authentication-Results", Verdict), ("Received", "from outside.example"), ("Authentication-Results", "forged; dkim=pass"));

        var header = Relays().BelievableAuthenticationResults(message, new InboundMessage { Source = "imap:support", RemoteAddress = "imap.example" });

        Assert.Equal(Verdict, header!.Value.Trim());
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("192.0.2.0/33")]
    [InlineData("192.0.2.0/-1")]
    public void TrustedRelays_ThatCannotBeRead_AreRefusedByName(string entry)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => TrustedRelays.Parse([entry]));
        Assert.Contains(entry, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MailText_AReadablePart_WinsOverABrokenAlternative()
    {
        var raw = "From: a@example.it\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe site is down since 10:00.\r\n"
            + "--b\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n<<<not base64!!>>>\r\n--b--\r\n";
        var message = MimeMessage.Load(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(raw)));

        Assert.Equal("The site is down since 10:00.", MailText.Read(message).Body);
    }

    [Fact]
    public void DedupKey_IsTheSameForAResendWithOtherTraceHeaders_AndDiffersForOtherContent()
    {
        static byte[] Raw(string trace, string body) => System.Text.Encoding.ASCII.GetBytes(
            trace + "From: a@example.it\r\nSubject: Hi\r\nMessage-ID: <same@example.it>\r\n\r\n" + body + "\r\n");

        var first = StoreInboundMail.DedupKey(Raw("", "Hello."));
        var relayed = StoreInboundMail.DedupKey(Raw("Received: from other.example by mx.example\r\n", "Hello."));
        var other = StoreInboundMail.DedupKey(Raw("", "Something else."));

        Assert.StartsWith("mid:<same@example.it>#", first, StringComparison.Ordinal);
        // Our own Received line in front of the stored bytes is looked past, with or without a Message-ID.
        var ours = "Received: from client ([192.0.2.25]) by sportello.test (Sportello) with ESMTP; Tue, 24 Nov 2026 13:30:00 +0000\r\n"u8.ToArray();
        Assert.Equal(first, StoreInboundMail.DedupKey([.. ours, .. Raw("", "Hello.")], ours.Length));
        var bare = System.Text.Encoding.ASCII.GetBytes("From: a@example.it\r\nSubject: No id\r\n\r\nHello.\r\n");
        Assert.StartsWith("sha256:", StoreInboundMail.DedupKey(bare), StringComparison.Ordinal);
        Assert.Equal(StoreInboundMail.DedupKey(bare), StoreInboundMail.DedupKey([.. ours, .. bare], ours.Length));
        Assert.Equal(first, relayed);
        Assert.NotEqual(first, other);
    }
}
