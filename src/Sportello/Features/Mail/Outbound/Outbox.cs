using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Sportello.Web;

namespace Sportello.Features.Mail.Outbound;

/// <summary>Someone a notification goes to, in their language (en, it).</summary>
public sealed record Recipient(string Address, string? Name, string Language, string TimeZone = "UTC");

/// <summary>
/// A notification to write: what it is about and its words; <see cref="Outbox"/> turns it into a complete message.
/// <see cref="EventKey"/> names the event it reports, so the same event to the same person is one mail, ever.
/// </summary>
public sealed record OutgoingMail(
    string Kind, Recipient To, string Subject, IReadOnlyList<string> Paragraphs, string EventKey,
    Guid? TicketId = null, string? Link = null, string? LinkText = null, bool AutoReply = false, IReadOnlyList<string>? References = null,
    string? Unsubscribe = null, IReadOnlyList<MailAttachment>? Attachments = null)
{
    /// <summary>The outbox row's id when the caller chose it beforehand (a notice's inbox row names its mail before it is composed).</summary>
    public Guid? Id { get; init; }

    /// <summary>
    /// A conversation other than a ticket that replies must find again (an abuse case): its mails carry the same
    /// signed Message-IDs as a ticket's, so a reply quoting one names it and nobody can forge one for another.
    /// </summary>
    public Guid? ThreadId { get; init; }

    /// <summary>The sender when not the support address (the abuse desk writes from the abuse address, so answers come back to it).</summary>
    public string? From { get; init; }
}

/// <summary>A file sent with a mail (an invoice's PDF).</summary>
public sealed record MailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>
/// Writes outgoing mail into the caller's unit of work: the mail exists exactly when the change that causes it
/// commits. Delivery is <see cref="OutboxWorker"/>'s job.
/// </summary>
public sealed class Outbox(
    MailTokens tokens, IOptions<MailOptions> mailOptions, IOptions<SportelloOptions> appOptions,
    IStringLocalizer<Text> text, TimeProvider clock, DkimSigning dkim)
{
    private readonly MailOptions options = mailOptions.Value;

    public string PublicUrl => appOptions.Value.PublicUrl!.TrimEnd('/');

    /// <summary>Runs <paramref name="write"/> with the words of <paramref name="language"/>.</summary>
    public static T InLanguage<T>(string language, Func<T> write)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language == "it" ? "it" : "en");
        try
        {
            return write();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    /// <summary>A text of the shared translations in the current mail language, with values filled in.</summary>
    public string T(string english, params object[] values) =>
        values.Length == 0 ? text[english].Value : string.Format(CultureInfo.CurrentUICulture, text[english].Value, values);

    /// <summary>
    /// The complete mail, ready to add to the unit of work of the change that causes it (composed beforehand, so a
    /// shared writer does not wait on it). The same event for the same recipient always gets the same Message-ID.
    /// </summary>
    public async Task<OutboxMessage> ComposeAsync(OutgoingMail mail)
    {
        var domain = options.Domain;
        var messageId = (mail.TicketId ?? mail.ThreadId) is { } ticketId
            ? await tokens.MessageIdAsync(ticketId, mail.EventKey, mail.To.Address, domain)
            : $"sn.{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{mail.EventKey}|{mail.To.Address.ToLowerInvariant()}")))[..32]}@{domain}";
        var now = clock.GetUtcNow().UtcDateTime;
        var id = mail.Id ?? Guid.CreateVersion7();
        var message = new MimeMessage { MessageId = messageId, Date = new DateTimeOffset(now), Subject = mail.Subject };
        message.From.Add(new MailboxAddress(options.FromName, mail.From ?? options.SupportAddress));
        message.To.Add(new MailboxAddress(mail.To.Name ?? "", mail.To.Address));
        // Replies thread on the ticket's first mail; the signed ids let the reply find its ticket again.
        if ((mail.TicketId ?? mail.ThreadId) is { } thread)
        {
            var root = await tokens.MessageIdAsync(thread, "thread", "", domain);
            if (root != messageId)
            {
                message.InReplyTo = root;
                message.References.Add(root);
            }
        }
        foreach (var reference in mail.References ?? [])
        {
            message.References.Add(reference);
        }
        // RFC 3834: an automatic mail says so, and the bounce address traces a delivery report back to this row.
        message.Headers.Add("Auto-Submitted", mail.AutoReply ? "auto-replied" : "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        // What partner helpdesks look for to recognise mail they have already answered (and what our LoopGuard reads).
        message.Headers.Add("X-Loop", options.SupportAddress);
        // Written raw: an address is not free text, and MimeKit would encode a long one as if it were.
        var returnPath = new Header(HeaderId.ReturnPath, "");
        returnPath.SetRawValue(Encoding.ASCII.GetBytes($" <{await tokens.BounceAddressAsync(id, domain)}>\r\n"));
        message.Headers.Add(returnPath);
        // RFC 8058: a mail the recipient subscribed to can be left with one click, by the mail client itself (a POST).
        if (mail.Unsubscribe is not null)
        {
            message.Headers.Add("List-Unsubscribe", $"<{mail.Unsubscribe}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        var unsubscribe = mail.Unsubscribe is null ? null : InLanguage(mail.To.Language, () => T("Unsubscribe"));
        var body = new BodyBuilder { TextBody = PlainText(mail, unsubscribe), HtmlBody = Html(mail, unsubscribe) };
        foreach (var attachment in mail.Attachments ?? [])
        {
            body.Attachments.Add(attachment.FileName, attachment.Content, ContentType.Parse(attachment.ContentType));
        }
        message.Body = body.ToMessageBody();
        // A Content-* header belongs to the body entity (MimeKit keeps it there).
        message.Body.Headers.Add(HeaderId.ContentLanguage, mail.To.Language == "it" ? "it" : "en");
        dkim.Sign(message);
        using var bytes = new MemoryStream();
        await message.WriteToAsync(FormatOptions.Default, bytes);
        return new OutboxMessage
        {
            Id = id,
            MessageId = messageId,
            Kind = mail.Kind,
            TicketId = mail.TicketId,
            ToAddress = mail.To.Address,
            Subject = mail.Subject.Length > 400 ? mail.Subject[..400] : mail.Subject,
            Mime = bytes.ToArray(),
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    private static string PlainText(OutgoingMail mail, string? unsubscribe)
    {
        var text = new StringBuilder();
        foreach (var paragraph in mail.Paragraphs)
        {
            text.Append(paragraph).Append("\n\n");
        }
        if (mail.Link is not null)
        {
            text.Append(mail.LinkText).Append(": ").Append(mail.Link).Append("\n\n");
        }
        if (mail.Unsubscribe is not null)
        {
            text.Append(unsubscribe).Append(": ").Append(mail.Unsubscribe).Append("\n\n");
        }
        return text.ToString().TrimEnd() + "\n";
    }

    // A clean HTML twin of the text: every value is encoded, and the one link is ours.
    private static string Html(OutgoingMail mail, string? unsubscribe)
    {
        var html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">");
        foreach (var paragraph in mail.Paragraphs)
        {
            html.Append("<p>").Append(WebUtility.HtmlEncode(paragraph).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>");
        }
        if (mail.Link is not null)
        {
            html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(mail.Link)).Append("\">")
                .Append(WebUtility.HtmlEncode(mail.LinkText ?? mail.Link)).Append("</a></p>");
        }
        if (mail.Unsubscribe is not null)
        {
            html.Append("<p style=\"font-size:small\"><a href=\"").Append(WebUtility.HtmlEncode(mail.Unsubscribe)).Append("\">")
                .Append(WebUtility.HtmlEncode(unsubscribe)).Append("</a></p>");
        }
        return html.Append("</body></html>").ToString();
    }
}

/// <summary>DKIM-signs outgoing mail when a key is configured (<c>Sportello:Mail:DkimSigning</c>).</summary>
public sealed class DkimSigning
{
    private static readonly HeaderId[] SignedHeaders =
        [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.InReplyTo, HeaderId.References,
            HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost];
    private readonly DkimSigner? signer;

    public DkimSigning(IOptions<MailOptions> options)
    {
        var signing = options.Value.DkimSigning;
        if (signing is { PrivateKeyFile.Length: > 0, Domain.Length: > 0, Selector.Length: > 0 })
        {
            signer = new DkimSigner(signing.PrivateKeyFile, signing.Domain, signing.Selector)
            {
                HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
                BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            };
        }
    }

    public void Sign(MimeMessage message)
    {
        if (signer is not null)
        {
            message.Prepare(EncodingConstraint.SevenBit);
            signer.Sign(message, SignedHeaders);
        }
    }
}
