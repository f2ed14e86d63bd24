using Microsoft.EntityFrameworkCore;
using MimeKit;
using MimeKit.Utils;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// Delivery reports (RFC 3464) about our own mail: the mail is marked bounced and the address undeliverable, shown to
/// the customer and to admins. A report never becomes a ticket, and only one sent to the signed bounce address of a
/// mail we sent changes anything: an unsigned one would let anybody mark someone's address undeliverable.
/// </summary>
public sealed class DeliveryReports(MailTokens tokens, TimeProvider clock)
{
    public static bool IsReport(MimeMessage message, IEnumerable<string> recipients) =>
        (message.Body is MultipartReport report && string.Equals(report.ReportType, "delivery-status", StringComparison.OrdinalIgnoreCase))
        || recipients.Any(MailTokens.IsBounceAddress);

    /// <summary>Returns what was found, for the intake record.</summary>
    public async Task<string> HandleAsync(SportelloDb db, MimeMessage message, IEnumerable<string> recipients, CancellationToken cancellationToken)
    {
        OutboxMessage? original = null;
        foreach (var recipient in recipients)
        {
            if (await tokens.OutboxOfBounceAddressAsync(recipient.ToLowerInvariant()) is { } outboxId)
            {
                original = await db.OutboxMessages.FirstOrDefaultAsync(m => m.Id == outboxId, cancellationToken);
            }
        }
        if (original is null)
        {
            // Anyone who saw one of our mails knows its Message-ID: a report that names it, but did not come back to
            // the signed bounce address of that very mail, is kept for the record and changes nothing.
            var messageId = OriginalMessageId(message);
            return messageId is not null && await db.OutboxMessages.AnyAsync(m => m.MessageId == messageId, cancellationToken)
                ? $"delivery report naming our mail {messageId} but not sent to its signed bounce address: ignored, nothing marked"
                : "delivery report not sent to a signed bounce address of ours: ignored, nothing marked";
        }
        var (failed, status) = Failure(message);
        if (!failed)
        {
            return $"delivery report ({status}) for {original.ToAddress}: no failure";
        }
        var now = clock.GetUtcNow().UtcDateTime;
        original.State = OutboxStates.Bounced;
        original.LastError = $"Bounced: {status}";
        var address = original.ToAddress.ToLowerInvariant();
        // Tracked, not a bulk update: it commits with the rest of the intake's unit of work, or not at all.
        foreach (var row in await db.NotificationAddresses.Where(a => a.Address == address && a.UndeliverableAt == null).ToListAsync(cancellationToken))
        {
            row.UndeliverableAt = now;
        }
        return $"{original.ToAddress} undeliverable: {status}";
    }

    private static string? OriginalMessageId(MimeMessage message)
    {
        foreach (var part in message.BodyParts)
        {
            if (part is MessagePart { Message: { } returned })
            {
                return returned.MessageId;
            }
            if (part is TextPart text && text.ContentType.IsMimeType("text", "rfc822-headers"))
            {
                using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.Text));
                var headers = HeaderList.Load(stream);
                return MimeUtils.EnumerateReferences(headers[HeaderId.MessageId] ?? "").FirstOrDefault();
            }
        }
        return null;
    }

    private static (bool Failed, string Status) Failure(MimeMessage message)
    {
        var status = message.BodyParts.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (status is null)
        {
            // No machine-readable report (an auto-reply to the Return-Path, a challenge, a delay notice in prose):
            // not proof that the address is gone.
            return (false, "no delivery-status report");
        }
        foreach (var group in status.StatusGroups.Skip(1))
        {
            var action = group["Action"]?.Trim().ToLowerInvariant();
            if (action == "failed")
            {
                var detail = group["Diagnostic-Code"] ?? group["Status"] ?? "failed";
                return (true, detail.Trim().Length > 300 ? detail.Trim()[..300] : detail.Trim());
            }
        }
        return (false, status.StatusGroups.Skip(1).FirstOrDefault()?["Action"] ?? "no action");
    }
}
