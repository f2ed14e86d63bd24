using System.Text;
using System.Text.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Mail written byte by byte and sent through the real listener with swaks, as an outside server would.</summary>
public static class RawMail
{
    /// <summary>The message with CRLF line ends, in UTF-8 (a test wanting other bytes passes them itself).</summary>
    public static byte[] Crlf(string text) =>
        Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));

    public static string Headers(string from, string subject, string to = MailApp.Support) =>
        $"From: {from}\nTo: {to}\nSubject: {subject}\nMessage-ID: <{Guid.NewGuid():N}@elsewhere.example>\n" +
        "Date: Mon, 30 Nov 2026 10:00:00 +0100\nMIME-Version: 1.0\n";

    /// <summary>Sends the bytes and waits until the intake has handled the mail with this subject; returns its record.</summary>
    public static async Task<JsonElement> SendAsync(MailApp app, string envelopeFrom, byte[] raw, string subject, string to = MailApp.Support)
    {
        await app.StartAsync();
        var sent = await Swaks.SendRawAsync(app.SmtpPort, envelopeFrom, to, raw);
        Assert.True(sent.ExitCode == 0, sent.Transcript);
        return await HandledAsync(app, subject);
    }

    /// <summary>Waits until the intake has handled the mail with this subject; returns its record.</summary>
    public static async Task<JsonElement> HandledAsync(MailApp app, string subject)
    {
        var admin = await app.AdminAsync();
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            found = (await admin.InboundAsync()).FirstOrDefault(m => m.GetProperty("subject").GetString() == subject && m.GetProperty("state").GetString() != "received");
            return found.ValueKind != JsonValueKind.Undefined;
        }, $"the mail '{subject}' to be handled");
        return found;
    }

    /// <summary>The outgoing mail rows to <paramref name="address"/>: written in the intake's own unit of work, so final once it is handled.</summary>
    public static async Task<JsonElement[]> OutboxToAsync(MailApp app, string address) =>
        (await (await app.AdminAsync()).OutboxAsync()).Where(m => string.Equals(m.GetProperty("to").GetString(), address, StringComparison.OrdinalIgnoreCase)).ToArray();
}
