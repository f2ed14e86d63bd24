using MimeKit;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// RFC 3834 and common sense: never answer a mail automatically when it was itself automatic, bulk, from a list, a
/// bounce, or from us; mail loops between two robots would otherwise never end.
/// </summary>
public static class LoopGuard
{
    /// <summary>Why no automatic answer may go to this mail, or null when one may.</summary>
    public static string? NoAutoAnswerReason(MimeMessage message, string? envelopeFrom, MailOptions options)
    {
        var autoSubmitted = message.Headers[HeaderId.AutoSubmitted];
        if (!string.IsNullOrWhiteSpace(autoSubmitted) && !autoSubmitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return $"Auto-Submitted: {autoSubmitted.Trim()}";
        }
        var precedence = message.Headers[HeaderId.Precedence]?.Trim().ToLowerInvariant();
        if (precedence is "bulk" or "list" or "junk")
        {
            return $"Precedence: {precedence}";
        }
        if (message.Headers.Any(h => h.Field.StartsWith("List-", StringComparison.OrdinalIgnoreCase)))
        {
            return "mailing list (List-* headers)";
        }
        if (envelopeFrom is not null && envelopeFrom.Length == 0)
        {
            return "empty return path";
        }
        if (message.Body is MultipartReport)
        {
            return "delivery or disposition report";
        }
        if (message.Headers.Contains("X-Auto-Response-Suppress") || message.Headers.Contains("X-Autoreply") || message.Headers.Contains("X-Autorespond"))
        {
            return "automatic mail (X-Auto headers)";
        }
        var from = message.From.Mailboxes.FirstOrDefault()?.Address;
        if (from is not null && IsOurs(from, options))
        {
            return "from our own address";
        }
        if (from is not null && (from.StartsWith("mailer-daemon@", StringComparison.OrdinalIgnoreCase) || from.StartsWith("postmaster@", StringComparison.OrdinalIgnoreCase)))
        {
            return "from a mail system";
        }
        return null;
    }

    public static bool IsOurs(string address, MailOptions options) =>
        string.Equals(address, options.SupportAddress, StringComparison.OrdinalIgnoreCase)
        || string.Equals(address, options.AbuseAddress, StringComparison.OrdinalIgnoreCase)
        || options.Routes.Any(r => string.Equals(address, r.Address, StringComparison.OrdinalIgnoreCase));
}
