using System.Net.Mail;
using NodaTime;

namespace Sportello.Features.Accounts;

/// <summary>Field rules shared by every use case that writes a user's profile.</summary>
public static class Profile
{
    public static string? NormalizeEmail(string? value)
    {
        var email = value?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > 254 || email.Contains(' ', StringComparison.Ordinal)
            || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email || parsed.DisplayName.Length > 0
            || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }
        return email;
    }

    public static bool IsTimeZone(string? id) => id is not null && DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) is not null;

    public static void ValidateName(Web.ValidationErrors errors, string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("name", "name is required.");
        }
        else if (name.Trim().Length > 200)
        {
            errors.Add("name", "name is at most 200 characters.");
        }
    }

    public static string? ValidateEmail(Web.ValidationErrors errors, string? email)
    {
        var normalized = NormalizeEmail(email);
        if (normalized is null)
        {
            errors.Add("email", string.IsNullOrWhiteSpace(email) ? "email is required." : "email is not a valid address.");
        }
        return normalized;
    }

    public static void ValidateLanguage(Web.ValidationErrors errors, string? language)
    {
        if (language is null || !Languages.All.Contains(language))
        {
            errors.Add("language", "language must be 'en' or 'it'.");
        }
    }

    public static void ValidateTimeZone(Web.ValidationErrors errors, string? timeZone)
    {
        if (!IsTimeZone(timeZone))
        {
            errors.Add("timeZone", "timeZone must be an IANA time zone id, such as Europe/Rome.");
        }
    }
}
