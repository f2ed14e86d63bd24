using System.Text;
using System.Text.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Issue 9 §3.2-4: what the agent reads of a mail, through the real listener and the Desk.</summary>
[Trait("Category", "Data")]
public sealed class MailTextTests(MailApp app) : IClassFixture<MailApp>
{
    private const string Forwarded = "The disk on srv-12 is full since 03:00.";

    /// <summary>Sends the mail, checks it opened a ticket and was acknowledged, and returns the ticket's first message on the Desk.</summary>
    private async Task<JsonElement> DeskMessageAsync(string subject, string rest, byte[]? tail = null)
    {
        var sender = $"writer-{Unique.Next()}@elsewhere.example";
        subject = $"{subject} {Unique.Next()}";
        var raw = RawMail.Crlf(RawMail.Headers(sender, subject) + rest);
        var handled = await RawMail.SendAsync(app, sender, tail is null ? raw : [.. raw, .. tail], subject);
        Assert.True(handled.GetProperty("outcome").GetString() == "ticket-opened", handled.ToString());
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        var ticket = await agent.DeskTicketAsync(handled.GetProperty("ticketId").GetString()!);
        var ack = await app.MailOut.WaitForAsync(sender);
        Assert.Contains(ticket.GetProperty("number").GetString()!, ack.Subject, StringComparison.Ordinal);
        return ticket.GetProperty("messages")[0];
    }

    private static string Body(JsonElement message) => message.GetProperty("body").GetString()!;

    private static string? Quoted(JsonElement message) =>
        message.TryGetProperty("quotedText", out var quoted) && quoted.ValueKind == JsonValueKind.String ? quoted.GetString() : null;

    public static TheoryData<string, string, string> Forwards => new()
    {
        { "gmail-en", "Fwd: Disk full", $"FYI, see below.\n\n---------- Forwarded message ---------\nFrom: NOC <noc@partner.example>\nDate: Mon, 30 Nov 2026 at 09:12\nSubject: Disk full\nTo: <me@client.example>\n\n{Forwarded}\n\nOn Sun, 29 Nov 2026 at 10:00, Me <me@client.example> wrote:\n> Is the disk fine?\n" },
        { "gmail-it", "Fwd: Disco pieno", $"Vedete sotto.\n\n---------- Messaggio inoltrato ---------\nDa: NOC <noc@partner.example>\nDate: lun 30 nov 2026 alle ore 09:12\nSubject: Disco pieno\nTo: <me@client.example>\n\n{Forwarded}\n" },
        { "thunderbird-it", "Fwd: Disco pieno", $"Vedete sotto.\n\n-------- Messaggio inoltrato --------\nOggetto: \tDisco pieno\nData: \tMon, 30 Nov 2026 09:12:00 +0100\nMittente: \tNOC <noc@partner.example>\n\n{Forwarded}\n" },
        { "thunderbird-en", "Fwd: Disk full", $"See below.\n\n-------- Forwarded Message --------\nSubject: \tDisk full\nDate: \tMon, 30 Nov 2026 09:12:00 +0100\nFrom: \tNOC <noc@partner.example>\n\n{Forwarded}\n" },
        { "apple-en", "Fwd: Disk full", $"See below.\n\nBegin forwarded message:\n\nFrom: NOC <noc@partner.example>\nSubject: Disk full\nDate: 30 November 2026 at 09:12:00 CET\nTo: me@client.example\n\n{Forwarded}\n" },
        { "apple-it", "I: Disco pieno", $"Vedete sotto.\n\nInizio messaggio inoltrato:\n\nDa: NOC <noc@partner.example>\nOggetto: Disco pieno\nData: 30 novembre 2026 09:12:00 CET\nA: me@client.example\n\n{Forwarded}\n" },
        { "gmail-fr", "TR: Disque plein", $"Voir ci-dessous.\n\n---------- Message transféré ---------\nDe : NOC <noc@partner.example>\nDate: lun. 30 nov. 2026 à 09:12\nSubject: Disque plein\n\n{Forwarded}\n" },
        { "apple-fr", "Fwd: Disque plein", $"Voir ci-dessous.\n\nDébut du message réexpédié :\n\nDe: NOC <noc@partner.example>\nObjet: Disque plein\n\n{Forwarded}\n" },
        { "gmail-de", "WG: Festplatte voll", $"Siehe unten.\n\n---------- Weitergeleitete Nachricht ---------\nVon: NOC <noc@partner.example>\nDate: Mo., 30. Nov. 2026 um 09:12 Uhr\n\n{Forwarded}\n" },
        { "apple-de", "WG: Festplatte voll", $"Siehe unten.\n\nAnfang der weitergeleiteten Nachricht:\n\nVon: NOC <noc@partner.example>\nBetreff: Festplatte voll\n\n{Forwarded}\n" },
        { "gmail-es", "RV: Disco lleno", $"Ver abajo.\n\n---------- Mensaje reenviado ---------\nDe: NOC <noc@partner.example>\nDate: lun, 30 nov 2026 a las 09:12\n\n{Forwarded}\n" },
        { "apple-es", "RV: Disco lleno", $"Ver abajo.\n\nInicio del mensaje reenviado:\n\nDe: NOC <noc@partner.example>\nAsunto: Disco lleno\n\n{Forwarded}\n" },
        { "outlook-en", "FW: Disk full", $"Please have a look.\n\n________________________________\nFrom: NOC <noc@partner.example>\nSent: Monday, November 30, 2026 9:12 AM\nTo: Me <me@client.example>\nSubject: Disk full\n\n{Forwarded}\n" },
        { "outlook-it", "I: Disco pieno", $"Guardate qui.\n\nDa: NOC <noc@partner.example>\nInviato: lunedì 30 novembre 2026 09:12\nA: Me <me@client.example>\nOggetto: Disco pieno\n\n{Forwarded}\n" },
        { "outlook-it-inoltro", "Inoltro: Disco pieno", $"Guardate qui.\n\nDa: NOC <noc@partner.example>\nInviato: lunedì 30 novembre 2026 09:12\nA: Me <me@client.example>\nOggetto: Disco pieno\n\n{Forwarded}\n" },
        { "outlook-fr", "TR: Disque plein", $"Regardez.\n\nDe : NOC <noc@partner.example>\nEnvoyé : lundi 30 novembre 2026 09:12\nÀ : Me <me@client.example>\nObjet : Disque plein\n\n{Forwarded}\n" },
        { "outlook-de", "WG: Festplatte voll", $"Bitte ansehen.\n\nVon: NOC <noc@partner.example>\nGesendet: Montag, 30. November 2026 09:12\nAn: Me <me@client.example>\nBetreff: Festplatte voll\n\n{Forwarded}\n" },
        { "outlook-es", "RV: Disco lleno", $"Mirad.\n\nDe: NOC <noc@partner.example>\nEnviado: lunes, 30 de noviembre de 2026 9:12\nPara: Me <me@client.example>\nAsunto: Disco lleno\n\n{Forwarded}\n" },
        { "outlook-original-message", "FW: Disk full", $"Please have a look.\n\n-----Original Message-----\nFrom: NOC <noc@partner.example>\nSent: Monday, November 30, 2026 9:12 AM\nTo: Me <me@client.example>\nSubject: Disk full\n\n{Forwarded}\n" },
        { "forward-only", "Fwd: Disk full", $"---------- Forwarded message ---------\nFrom: NOC <noc@partner.example>\nDate: Mon, 30 Nov 2026 at 09:12\n\n{Forwarded}\n\n> older quoted lines\n> more of them\n" },
    };

    [Theory]
    [MemberData(nameof(Forwards))]
    public async Task InlineForward_OnANewTicket_IsContentTheAgentReads(string client, string subject, string body)
    {
        var message = await DeskMessageAsync(subject, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body);

        Assert.True(Body(message).Contains(Forwarded, StringComparison.Ordinal), $"{client}: {message}");
        Assert.Null(Quoted(message));
    }

    [Fact]
    public async Task HtmlForward_FromGmail_IsContentTheAgentReads()
    {
        var html = "<div dir=\"ltr\">FYI<br><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">---------- Forwarded message ---------<br>" +
            "From: <strong>NOC</strong> &lt;noc@partner.example&gt;<br>Date: Mon, 30 Nov 2026 at 09:12<br></div><br><div>" + Forwarded + "</div></div></div>";

        var message = await DeskMessageAsync("Fwd: Disk full", $"Content-Type: text/html; charset=utf-8\n\n{html}\n");

        Assert.Contains(Forwarded, Body(message), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> Replies => new()
    {
        { "gmail-en", "Re: Disk full", "Thanks, it works now.\n\nOn Mon, 30 Nov 2026 at 09:12, Support <support@sportello.test> wrote:\n> We freed some space.\n", "On Mon" },
        { "gmail-it", "R: Disco pieno", "Grazie, ora va.\n\nIl giorno lun 30 nov 2026 alle ore 09:12 Support <support@sportello.test> ha scritto:\n> Abbiamo liberato spazio.\n", "Il giorno" },
        { "quote-only", "Re: Disk full", "Thanks, it works now.\n\n> We freed some space.\n> Regards\n", "> We freed" },
        { "outlook-en", "RE: Disk full", "Thanks, it works now.\n\nFrom: Support <support@sportello.test>\nSent: Monday, November 30, 2026 9:12 AM\nTo: Me <me@client.example>\nSubject: Disk full\n\nWe freed some space.\n", "From: Support" },
        { "outlook-it", "R: Disco pieno", "Grazie, ora va.\n\nDa: Support <support@sportello.test>\nInviato: lunedì 30 novembre 2026 09:12\nA: Me <me@client.example>\nOggetto: Disco pieno\n\nAbbiamo liberato spazio.\n", "Da: Support" },
        { "reply-to-a-forward", "Re: Fwd: Disk full", "Thanks, it works now.\n\nOn Mon, 30 Nov 2026 at 09:12, Support <support@sportello.test> wrote:\n> ---------- Forwarded message ---------\n> We freed some space.\n", "On Mon" },
        { "outlook-original-message", "RE: Disk full", "Thanks, it works now.\n\n-----Original Message-----\nFrom: Support <support@sportello.test>\nSent: Monday, November 30, 2026 9:12 AM\n\nWe freed some space.\n", "-----Original" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public async Task Reply_QuotedHistoryIsStillCut(string client, string subject, string body, string quoteStart)
    {
        var message = await DeskMessageAsync(subject, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body);

        Assert.True(Body(message) is "Thanks, it works now." or "Grazie, ora va.", $"{client}: {message}");
        Assert.StartsWith(quoteStart, Quoted(message), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "no-boundary", "Content-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nNo boundary was declared.\n--x--\n", "No boundary was declared." },
        { "boundary-never-occurs", "Content-Type: multipart/mixed; boundary=\"declared\"\n\n--actual\nContent-Type: text/plain; charset=utf-8\n\nThe declared boundary never occurs.\n--actual\nContent-Type: application/octet-stream\n\nAAAA\n--actual--\n", "The declared boundary never occurs." },
        { "boundary-never-occurs-html", "Content-Type: multipart/alternative; boundary=\"declared\"\n\n--actual\nContent-Type: text/html\n\n<p>Hello <b>agent</b></p><script>alert(1)</script><a href=\"javascript:alert(2)\">x</a>\n--actual--\n", "Hello agent" },
        { "no-parts-at-all", "Content-Type: multipart/mixed; boundary=\"declared\"\n\nJust words, and no parts at all: è così.\n", "Just words, and no parts at all: è così." },
        { "no-parts-raw-html", "Content-Type: multipart/mixed; boundary=\"declared\"\n\n<html><body><script>alert(1)</script><p>Raw words</p><img src=x onerror=alert(3)></body></html>\n", "Raw words" },
        { "no-parts-controls", "Content-Type: multipart/mixed\n\nPlain words \u0001\u001b[31m and \u202egnp.exe\u202c here\n", "Plain words [31m and gnp.exe here" },
        { "broken-inside-sound", "Content-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\nContent-Type: multipart/alternative; boundary=\"inner\"\n\n--wrong\nContent-Type: text/plain\n\nThe inner boundary is wrong.\n--wrong--\n--outer\nContent-Type: application/pdf; name=\"a.pdf\"\nContent-Disposition: attachment; filename=\"a.pdf\"\n\nJVBERi0K\n--outer--\n", "The inner boundary is wrong." },
        { "empty-multipart", "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b--\n", "(empty message)" },
        { "broken-base64", "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nIl sito non risponde da stamattina, è urgente!\n", "Il sito non risponde da stamattina, è urgente!" },
        { "broken-base64-html", "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\n<p>Il sito è giù!</p><script>alert(1)</script>\n", "Il sito è giù!" },
        { "unknown-charset", "Content-Type: text/plain; charset=x-klingon\nContent-Transfer-Encoding: 8bit\n\nIl caffè è finito.\n", "Il caffè è finito." },
        { "unknown-transfer-encoding", "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: x-martian\n\nStrange encoding, plain words.\n", "Strange encoding, plain words." },
        { "rfc822-wrapper", "Content-Type: message/rfc822\n\nFrom: NOC <noc@partner.example>\nSubject: Inner\nContent-Type: text/plain\n\nThe wrapped message speaks.\n", "The wrapped message speaks." },
        { "rfc822-wrapper-multipart", "Content-Type: message/rfc822\n\nFrom: NOC <noc@partner.example>\nSubject: Inner\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"in\"\n\n--in\nContent-Type: text/html\n\n<p>Wrapped <i>HTML</i></p>\n--in--\n", "Wrapped HTML" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public async Task BrokenStructure_StillShowsItsText_AsPlainText(string name, string rest, string expected)
    {
        var message = await DeskMessageAsync($"Broken {name}", rest);

        var body = Body(message);
        Assert.True(body.Contains(expected, StringComparison.Ordinal), $"{name}: {body}");
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(body, c => char.IsControl(c) && c is not ('\n' or '\t') || c is '\u202e' or '\u202c');
    }

    [Fact]
    public async Task Latin1Bytes_InABodyWithNoParts_AreShownAsText()
    {
        var message = await DeskMessageAsync("Broken latin1", "Content-Type: multipart/mixed\n\n", Encoding.Latin1.GetBytes("Il caff\u00e8 \u00e8 finito.\r\n"));

        Assert.Contains("Il caffè è finito.", Body(message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyAnAttachment_KeepsTheFile()
    {
        var message = await DeskMessageAsync("Only a file",
            "Content-Type: application/pdf; name=\"report.pdf\"\nContent-Disposition: attachment; filename=\"report.pdf\"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQKJcfsj6IK\n");

        Assert.Equal("(empty message)", Body(message));
        Assert.Equal("report.pdf", Assert.Single(message.GetProperty("attachments").EnumerateArray()).GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task ForwardAsAttachment_KeepsTheForwardedMailAsAFile()
    {
        var message = await DeskMessageAsync("Fwd: Disk full",
            "Content-Type: multipart/mixed; boundary=\"f\"\n\n--f\nContent-Type: text/plain\n\nSee the attached mail.\n--f\n" +
            "Content-Type: message/rfc822\nContent-Disposition: attachment; filename=\"disk-full.eml\"\n\nFrom: NOC <noc@partner.example>\nSubject: Disk full\nContent-Type: text/plain\n\n" + Forwarded + "\n--f--\n");

        Assert.Equal("See the attached mail.", Body(message));
        Assert.Equal("disk-full.eml", Assert.Single(message.GetProperty("attachments").EnumerateArray()).GetProperty("fileName").GetString());
    }
}
