using System.Security.Cryptography;
using System.Text;

namespace Sportello.Features.Mail;

/// <summary>Secrets for links mailed to confirm something: random, URL-safe, stored only as a hash.</summary>
public static class ConfirmationTokens
{
    public static (string Token, string Hash) New()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        return (token, Hash(token));
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether a value from a URL can be a token at all (cheap rejection before any lookup).</summary>
    public static bool Plausible(string? token) => !string.IsNullOrWhiteSpace(token) && token.Length <= 100;
}
