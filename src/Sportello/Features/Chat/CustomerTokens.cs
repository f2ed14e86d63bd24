using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Sportello.Features.Chat;

/// <summary>
/// A host site vouches for a signed-in customer of its own: <c>base64url(JSON {customerId, exp}) + "." +
/// base64url(HMAC-SHA256(secret, first part))</c>, <c>exp</c> in Unix seconds. The secret is the site's
/// (Sportello:Chat:Sites); the token of the site named by the request's Origin is checked with that site's secret
/// only, a request without an Origin (a script) against each site's.
/// </summary>
public sealed class CustomerTokens(IOptionsMonitor<ChatOptions> options, TimeProvider clock)
{
    private sealed record Claims(Guid? CustomerId, long? Exp);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The customer the token vouches for, or null when it is malformed, forged or expired.</summary>
    public Guid? Verify(string token, string? origin)
    {
        var parts = token.Split('.');
        if (parts.Length != 2 || parts[0].Length is 0 or > 1000 || parts[1].Length is 0 or > 100)
        {
            return null;
        }
        byte[] payload, signature;
        try
        {
            payload = WebEncoders.Base64UrlDecode(parts[0]);
            signature = WebEncoders.Base64UrlDecode(parts[1]);
        }
        catch (FormatException)
        {
            return null;
        }
        var sites = options.CurrentValue.Sites.Where(s => s.Secret.Length > 0).ToList();
        if (origin is not null && sites.Any(s => SameOrigin(s.Origin, origin)))
        {
            sites = sites.Where(s => SameOrigin(s.Origin, origin)).ToList();
        }
        var signed = Encoding.ASCII.GetBytes(parts[0]);
        if (!sites.Any(s => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(s.Secret), signed), signature)))
        {
            return null;
        }
        Claims? claims;
        try
        {
            claims = JsonSerializer.Deserialize<Claims>(payload, Json);
        }
        catch (JsonException)
        {
            return null;
        }
        if (claims is not { CustomerId: { } customerId, Exp: { } exp } || exp <= clock.GetUtcNow().ToUnixTimeSeconds())
        {
            return null;
        }
        return customerId;
    }

    /// <summary>How a site signs a token (the same code is in docs/chat.md, and the tests use it).</summary>
    public static string Sign(Guid customerId, DateTimeOffset expires, string secret)
    {
        var payload = WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(new { customerId, exp = expires.ToUnixTimeSeconds() }));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(payload));
        return payload + "." + WebEncoders.Base64UrlEncode(signature);
    }

    private static bool SameOrigin(string configured, string origin) =>
        string.Equals(configured.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
