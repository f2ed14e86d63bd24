using MimeKit;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>A stored mail read far enough to decide what it is: the MIME tree, the sender, the recipients.</summary>
public sealed record ParsedMail(MimeMessage Message, string From, IReadOnlyList<string> Recipients);

/// <summary>
/// The first step of intake: reads the stored bytes with MimeKit, after the checks that must run before parsing
/// (header bombs) and those that need the tree (zip bombs, nesting). What cannot be read, or carries no sender, is
/// quarantined with the reason; the sender and subject are named on the stored mail either way, for the admin.
/// </summary>
public static class ParseInboundMail
{
    /// <summary>The parsed mail, or null when <paramref name="inbound"/> was quarantined (or is a delivery report, see the caller).</summary>
    public static async Task<(ParsedMail? Mail, string? Quarantine)> ParseAsync(InboundMessage inbound, CancellationToken cancellationToken)
    {
        if (HostileMail.BeforeParsing(inbound.Raw) is { } early)
        {
            (inbound.FromAddress, inbound.Subject) = Peek(inbound.Raw);
            return (null, early);
        }
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(inbound.Raw, writable: false);
            message = await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (FormatException ex)
        {
            return (null, $"Unreadable MIME: {ex.Message}");
        }
        var from = message.From.Mailboxes.FirstOrDefault()?.Address?.Trim().ToLowerInvariant();
        inbound.FromAddress = MailFields.Cap(from, 320);
        inbound.Subject = MailFields.Cap(MailFields.OneLine(message.Subject), 200);
        if (HostileMail.AfterParsing(message) is { } hostile)
        {
            return (null, hostile);
        }
        var recipients = inbound.Recipients.Split(',', StringSplitOptions.RemoveEmptyEntries);
        return (new ParsedMail(message, from ?? "", recipients), null);
    }

    private static (string? From, string? Subject) Peek(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var headers = new MimeParser(stream, MimeFormat.Entity).ParseHeaders();
            var from = InternetAddressList.TryParse(headers[HeaderId.From] ?? "", out var list) ? list.Mailboxes.FirstOrDefault()?.Address : null;
            var subject = headers[HeaderId.Subject];
            return (MailFields.Cap(from, 320), subject is null ? null : MailFields.Cap(MailFields.OneLine(subject), 200));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }
}
