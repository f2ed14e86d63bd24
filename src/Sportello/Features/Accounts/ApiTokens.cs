using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;

namespace Sportello.Features.Accounts;

/// <summary>Issues, finds and revokes personal API tokens.</summary>
public sealed class ApiTokens(SportelloDb db, TimeProvider clock, IOptions<SportelloOptions> options)
{
    public const string SecretPrefix = "spt_";

    public sealed record Issued(Guid Id, string Token, DateTime ExpiresAt);

    public async Task<Issued> IssueAsync(Guid userId, string name, CancellationToken cancellationToken = default)
    {
        var secret = SecretPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = name,
            Hash = Hash(secret),
            Prefix = secret[..(SecretPrefix.Length + 6)],
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.Value.Identity.TokenLifetimeDays),
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return new Issued(token.Id, secret, token.ExpiresAt);
    }

    public Task<ApiToken?> FindActiveAsync(string secret, CancellationToken cancellationToken = default)
    {
        var hash = Hash(secret);
        var now = clock.GetUtcNow().UtcDateTime;
        return db.ApiTokens.FirstOrDefaultAsync(
            t => t.Hash == hash && t.RevokedAt == null && t.ExpiresAt > now, cancellationToken);
    }

    public Task<List<ApiToken>> ListAsync(Guid userId, CancellationToken cancellationToken = default) =>
        db.ApiTokens.Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt).ToListAsync(cancellationToken);

    /// <summary>Revokes one of the user's tokens; false when the user has no such token.</summary>
    public async Task<bool> RevokeAsync(Guid userId, Guid tokenId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var changed = await db.ApiTokens
            .Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now), cancellationToken);
        return changed > 0;
    }

    public Task<int> RevokeAllAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.ApiTokens
            .Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, now), cancellationToken);
    }

    internal static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
