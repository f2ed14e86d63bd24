using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Chat;

/// <summary>
/// Who may reach a conversation: the visitor holding its token (another conversation is a missing one), and staff of
/// its department (<see cref="DeskAccess"/>; another department's chat is a missing one).
/// </summary>
public sealed class ChatAccess(SportelloDb db, DeskAccess desk)
{
    public static string NewVisitorToken() => "chv_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>The conversation, tracked, when <paramref name="visitorToken"/> is its token; else null (404).</summary>
    public async Task<Conversation?> VisitorAsync(Guid conversationId, string? visitorToken, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(visitorToken) || visitorToken.Length > 200)
        {
            return null;
        }
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken);
        var presented = Encoding.ASCII.GetBytes(Hash(visitorToken));
        return conversation is not null && CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(conversation.VisitorTokenHash))
            ? conversation : null;
    }

    /// <summary>The conversation, tracked, when <paramref name="userId"/> works its department (admins every one); else null (404).</summary>
    public async Task<Conversation?> StaffAsync(Guid userId, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var scope = await desk.ScopeAsync(userId, cancellationToken);
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken);
        return conversation is not null && scope.Covers(conversation.Department) ? conversation : null;
    }

    /// <summary>
    /// What sending a message needs to know of a conversation, read without tracking when <paramref name="visitorToken"/>
    /// is its token; else null (404). The hot path of every visitor message.
    /// </summary>
    public async Task<ChatPeek?> PeekAsVisitorAsync(Guid conversationId, string? visitorToken, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(visitorToken) || visitorToken.Length > 200)
        {
            return null;
        }
        var peek = await Peek(conversationId).FirstOrDefaultAsync(cancellationToken);
        var presented = Encoding.ASCII.GetBytes(Hash(visitorToken));
        return peek is not null && CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(peek.VisitorTokenHash)) ? peek : null;
    }

    /// <summary>The same for staff of the conversation's department (admins every one); else null (404).</summary>
    public async Task<ChatPeek?> PeekAsStaffAsync(DeskScope scope, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var peek = await Peek(conversationId).FirstOrDefaultAsync(cancellationToken);
        return peek is not null && scope.Covers(peek.Department) ? peek : null;
    }

    private IQueryable<ChatPeek> Peek(Guid conversationId) =>
        db.Conversations.AsNoTracking().Where(c => c.Id == conversationId)
            .Select(c => new ChatPeek(c.Id, c.Department, c.Status, c.VisitorName, c.VisitorTokenHash));

    public Task<DeskScope> ScopeAsync(Guid userId, CancellationToken cancellationToken = default) => desk.ScopeAsync(userId, cancellationToken);
}

/// <summary>A conversation as a message's sender sees it: where it belongs, whether it is open, who the visitor is.</summary>
public sealed record ChatPeek(Guid Id, string Department, string Status, string? VisitorName, string VisitorTokenHash);
