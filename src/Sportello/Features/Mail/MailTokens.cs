using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Mail;

/// <summary>
/// Our Message-IDs carry a signed ticket token, <c>&lt;st1.{ticket}.{event}.{signature}@domain&gt;</c>: a reply that
/// quotes one in In-Reply-To or References belongs to that ticket, and nobody can make one up for another ticket.
/// The key is shared by all nodes through the database.
/// </summary>
public sealed partial class MailTokens(IServiceScopeFactory scopes)
{
    private const string KeyName = "mail-token";
    private byte[]? key;

    public async Task<string> MessageIdAsync(Guid ticketId, string eventKey, string recipient, string domain)
    {
        var eventPart = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{eventKey}|{recipient.ToLowerInvariant()}")))[..20];
        var signature = await SignAsync($"{ticketId:N}.{eventPart}");
        return $"st1.{ticketId:N}.{eventPart}.{signature}@{domain}";
    }

    /// <summary>The ticket named by a correctly signed token among the given Message-IDs, if any.</summary>
    public async Task<Guid?> TicketOfAsync(IEnumerable<string> messageIds)
    {
        foreach (var id in messageIds)
        {
            var match = TokenPattern().Match(id);
            if (!match.Success)
            {
                continue;
            }
            var expected = await SignAsync($"{match.Groups["ticket"].Value}.{match.Groups["event"].Value}");
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(match.Groups["sig"].Value)))
            {
                return Guid.ParseExact(match.Groups["ticket"].Value, "N");
            }
        }
        return null;
    }

    /// <summary>The envelope sender of an outgoing mail: a bounce to it names the mail, and nobody can forge one.</summary>
    public async Task<string> BounceAddressAsync(Guid outboxId, string domain) =>
        $"bounces+{outboxId:N}.{await SignAsync(outboxId.ToString("N"))}@{domain}";

    public async Task<Guid?> OutboxOfBounceAddressAsync(string address)
    {
        var match = BouncePattern().Match(address);
        if (!match.Success)
        {
            return null;
        }
        var expected = await SignAsync(match.Groups["id"].Value);
        return expected == match.Groups["sig"].Value ? Guid.ParseExact(match.Groups["id"].Value, "N") : null;
    }

    public static bool IsBounceAddress(string address) => BouncePattern().IsMatch(address);

    private async Task<string> SignAsync(string value)
    {
        var mac = HMACSHA256.HashData(await KeyAsync(), Encoding.ASCII.GetBytes(value));
        return Convert.ToHexStringLower(mac)[..24];
    }

    /// <summary>Makes (or loads) the shared key at start-up, before any worker holds a transaction that would wait on it.</summary>
    public Task PrepareAsync() => KeyAsync();

    private async Task<byte[]> KeyAsync()
    {
        if (key is not null)
        {
            return key;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var stored = await db.SharedSecrets.AsNoTracking().FirstOrDefaultAsync(s => s.Name == KeyName);
        if (stored is null)
        {
            db.SharedSecrets.Add(new SharedSecret { Name = KeyName, Value = RandomNumberGenerator.GetBytes(32) });
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateException)
            {
                // Another node made it first: use theirs.
            }
            stored = await db.SharedSecrets.AsNoTracking().SingleAsync(s => s.Name == KeyName);
        }
        return key = stored.Value;
    }

    [GeneratedRegex(@"^<?st1\.(?<ticket>[0-9a-f]{32})\.(?<event>[0-9a-f]{20})\.(?<sig>[0-9a-f]{24})@", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"^bounces\+(?<id>[0-9a-f]{32})\.(?<sig>[0-9a-f]{24})@", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BouncePattern();
}
