using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Chat;

/// <summary>
/// A file sent in a chat, for the visitor holding the chat's token or staff of its department; anyone else, or a file
/// of another chat, gets nothing (404).
/// </summary>
public sealed class ReadChatAttachment(SportelloDb db, ChatAccess access)
{
    public sealed record File(ChatAttachment Attachment, byte[] Bytes);

    public async Task<File?> AsVisitorAsync(Guid conversationId, string? visitorToken, Guid attachmentId, CancellationToken cancellationToken = default) =>
        await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is null ? null : await ReadAsync(conversationId, attachmentId, cancellationToken);

    public async Task<File?> AsStaffAsync(Guid userId, Guid attachmentId, CancellationToken cancellationToken = default)
    {
        var conversationId = await db.ChatAttachments.Where(a => a.Id == attachmentId).Select(a => (Guid?)a.ConversationId).FirstOrDefaultAsync(cancellationToken);
        return conversationId is { } id && await access.StaffAsync(userId, id, cancellationToken) is not null
            ? await ReadAsync(id, attachmentId, cancellationToken)
            : null;
    }

    private async Task<File?> ReadAsync(Guid conversationId, Guid attachmentId, CancellationToken cancellationToken)
    {
        var attachment = await db.ChatAttachments.AsNoTracking()
            .FirstOrDefaultAsync(a => a.Id == attachmentId && a.ConversationId == conversationId, cancellationToken);
        if (attachment is null)
        {
            return null;
        }
        var bytes = await db.ChatAttachmentContents.Where(c => c.AttachmentId == attachmentId).Select(c => c.Bytes).SingleAsync(cancellationToken);
        return new File(attachment, bytes);
    }
}
