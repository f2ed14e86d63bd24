using MimeKit;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>How header values from a mail become safe, bounded text for tickets and the admin pages.</summary>
public static class MailFields
{
    /// <summary>One line of printable text (encoded words decoded by MimeKit, controls and bidi overrides removed).</summary>
    public static string OneLine(string? subject)
    {
        var clean = new string((subject ?? "").Where(c => !char.IsControl(c) && !Web.InvisibleText.IsDirectionControl(c)).ToArray()).Trim();
        return clean.Length == 0 ? "(no subject)" : clean;
    }

    /// <summary>The sender as people see it: "Name &lt;address&gt;", the name cleaned.</summary>
    public static string Display(MimeMessage message, string from) =>
        message.From.Mailboxes.FirstOrDefault()?.Name is { Length: > 0 } name ? $"{OneLine(name)} <{from}>" : from;

    public static string? Cap(string? value, int max) => value is not null && value.Length > max ? value[..max] : value;
}
