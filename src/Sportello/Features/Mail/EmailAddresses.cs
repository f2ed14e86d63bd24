using MimeKit;

namespace Sportello.Features.Mail;

/// <summary>What counts as an email address someone typed: one plain address (no display name), lower-cased.</summary>
public static class EmailAddresses
{
    /// <summary>The address trimmed and lower-cased, or null when it is not one plain address.</summary>
    public static string? Normalize(string? input)
    {
        var address = input?.Trim().ToLowerInvariant() ?? "";
        return address.Length is 0 or > 254 || !MailboxAddress.TryParse(address, out var parsed) || parsed.Address != address
            || !address.Contains('@') || address.EndsWith('@')
            ? null : address;
    }
}
