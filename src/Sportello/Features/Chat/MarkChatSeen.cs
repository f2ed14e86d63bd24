using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Chat;

public sealed record ChatSeenRequest(long? Seq);

/// <summary>How far each side has got: the last message delivered to it and the last it read.</summary>
public sealed record ChatMarks(Guid ConversationId, string Side, long Delivered, long Read);

/// <summary>
/// Delivered and read marks: the widget tells how far the visitor has received and read, the console how far the
/// Desk has, and the other side sees "delivered" or "read" under its messages. Marks only move forward and never
/// past the last message; reading implies delivery.
/// </summary>
public sealed class MarkChatSeen(ChatAccess access, SportelloDb db, ChatSignals signals)
{
    public const string VisitorSide = "visitor";
    public const string StaffSide = "staff";

    public async Task<Outcome<ChatMarks>?> AsVisitorAsync(Guid conversationId, string? visitorToken, long? seq, bool read, CancellationToken cancellationToken = default) =>
        await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is { } conversation
            ? await MarkAsync(conversation, VisitorSide, seq, read, cancellationToken)
            : null;

    public async Task<Outcome<ChatMarks>?> AsStaffAsync(Guid userId, Guid conversationId, long? seq, bool read, CancellationToken cancellationToken = default) =>
        await access.StaffAsync(userId, conversationId, cancellationToken) is { } conversation
            ? await MarkAsync(conversation, StaffSide, seq, read, cancellationToken)
            : null;

    private async Task<Outcome<ChatMarks>> MarkAsync(Conversation conversation, string side, long? seq, bool read, CancellationToken cancellationToken)
    {
        if (seq is not { } wanted || wanted < 0)
        {
            return Outcome<ChatMarks>.Invalid(new ValidationErrors().Add("seq", "seq is the sequence number of the last message seen, 0 or more."));
        }
        var mark = Math.Min(wanted, conversation.LastSeq);
        var conversations = db.Conversations.Where(c => c.Id == conversation.Id);
        var moved = side == VisitorSide
            ? await conversations.Where(c => c.VisitorDeliveredSeq < mark).ExecuteUpdateAsync(s => s.SetProperty(c => c.VisitorDeliveredSeq, mark), cancellationToken)
              + (read ? await conversations.Where(c => c.VisitorReadSeq < mark).ExecuteUpdateAsync(s => s.SetProperty(c => c.VisitorReadSeq, mark), cancellationToken) : 0)
            : await conversations.Where(c => c.StaffDeliveredSeq < mark).ExecuteUpdateAsync(s => s.SetProperty(c => c.StaffDeliveredSeq, mark), cancellationToken)
              + (read ? await conversations.Where(c => c.StaffReadSeq < mark).ExecuteUpdateAsync(s => s.SetProperty(c => c.StaffReadSeq, mark), cancellationToken) : 0);
        var now = await conversations.AsNoTracking()
            .Select(c => new { c.VisitorDeliveredSeq, c.VisitorReadSeq, c.StaffDeliveredSeq, c.StaffReadSeq }).SingleAsync(cancellationToken);
        var marks = side == VisitorSide
            ? new ChatMarks(conversation.Id, side, now.VisitorDeliveredSeq, now.VisitorReadSeq)
            : new ChatMarks(conversation.Id, side, now.StaffDeliveredSeq, now.StaffReadSeq);
        if (moved > 0)
        {
            signals.Marks(marks);
        }
        return Outcome<ChatMarks>.Ok(marks);
    }
}
