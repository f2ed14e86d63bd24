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
public sealed class MarkChatSeen(ChatAccess access, GroupCommit writer, ChatSignals signals)
{
    public const string VisitorSide = "visitor";
    public const string StaffSide = "staff";

    public async Task<Outcome<ChatMarks>?> AsVisitorAsync(Guid conversationId, string? visitorToken, long? seq, bool read, CancellationToken cancellationToken = default) =>
        await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is { } conversation
            ? await MarkAsync(conversation, VisitorSide, seq, read)
            : null;

    public async Task<Outcome<ChatMarks>?> AsStaffAsync(Guid userId, Guid conversationId, long? seq, bool read, CancellationToken cancellationToken = default) =>
        await access.StaffAsync(userId, conversationId, cancellationToken) is { } conversation
            ? await MarkAsync(conversation, StaffSide, seq, read)
            : null;

    private async Task<Outcome<ChatMarks>> MarkAsync(Conversation conversation, string side, long? seq, bool read)
    {
        if (seq is not { } wanted || wanted < 0)
        {
            return Outcome<ChatMarks>.Invalid(new ValidationErrors().Add("seq", "seq is the sequence number of the last message seen, 0 or more."));
        }
        var mark = Math.Min(wanted, conversation.LastSeq);
        var visitor = side == VisitorSide;
        var (delivered, wasRead) = visitor
            ? (conversation.VisitorDeliveredSeq, conversation.VisitorReadSeq)
            : (conversation.StaffDeliveredSeq, conversation.StaffReadSeq);
        var marks = new ChatMarks(conversation.Id, side, Math.Max(delivered, mark), read ? Math.Max(wasRead, mark) : wasRead);
        if (marks.Delivered == delivered && marks.Read == wasRead)
        {
            // Nothing moves: no write, nobody to tell (the widget repeats itself after every message).
            return Outcome<ChatMarks>.Ok(marks);
        }
        // One statement; marks only move forward, also when two tabs or consoles report at once. It shares the group
        // commit with the messages being written, so a mark after every message costs no commit of its own.
        var id = conversation.Id;
        var readMark = read ? mark : 0;
        await writer.WriteAsync(async (target, token) =>
        {
            var row = target.Conversations.Where(c => c.Id == id);
            if (visitor)
            {
                await row.ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.VisitorDeliveredSeq, c => c.VisitorDeliveredSeq < mark ? mark : c.VisitorDeliveredSeq)
                    .SetProperty(c => c.VisitorReadSeq, c => c.VisitorReadSeq < readMark ? readMark : c.VisitorReadSeq), token);
            }
            else
            {
                await row.ExecuteUpdateAsync(s => s
                    .SetProperty(c => c.StaffDeliveredSeq, c => c.StaffDeliveredSeq < mark ? mark : c.StaffDeliveredSeq)
                    .SetProperty(c => c.StaffReadSeq, c => c.StaffReadSeq < readMark ? readMark : c.StaffReadSeq), token);
            }
        });
        signals.Marks(marks);
        return Outcome<ChatMarks>.Ok(marks);
    }
}
