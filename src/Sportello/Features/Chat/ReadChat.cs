using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// A chat's messages after a sequence number, in order: the visitor's view (no internal notes) with their token, the
/// Desk's (everything) for staff of its department. What a reconnecting client asks for.
/// </summary>
public sealed class ReadChat(
    ChatAccess access, ChatTranscript transcript, ChatQueue queue, Data.SportelloDb db, IOptionsMonitor<ChatOptions> options, TimeProvider clock)
{
    public const int MaxBatch = 500;

    public async Task<Outcome<List<ChatMessageView>>?> AsVisitorAsync(Guid conversationId, string? visitorToken, long? after, CancellationToken cancellationToken = default)
    {
        if (await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is null)
        {
            return null;
        }
        return await ReadAsync(conversationId, after, forVisitor: true, cancellationToken);
    }

    /// <summary>The visitor's conversation and what follows <paramref name="after"/>, with one check of the token (the hub's Join).</summary>
    public async Task<(Conversation Conversation, Outcome<List<ChatMessageView>> Messages)?> JoinAsync(
        Guid conversationId, string? visitorToken, long? after, CancellationToken cancellationToken = default) =>
        await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is { } conversation
            ? (conversation, await ReadAsync(conversationId, after, forVisitor: true, cancellationToken))
            : null;

    public async Task<Outcome<List<ChatMessageView>>?> AsStaffAsync(Guid userId, Guid conversationId, long? after, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(userId, conversationId, cancellationToken) is null)
        {
            return null;
        }
        return await ReadAsync(conversationId, after, forVisitor: false, cancellationToken);
    }

    /// <summary>Where the visitor stands: status, queue position, and the ticket their chat became.</summary>
    public async Task<ChatStateView?> StateAsync(Guid conversationId, string? visitorToken, CancellationToken cancellationToken = default)
    {
        if (await access.VisitorAsync(conversationId, visitorToken, cancellationToken) is not { } c)
        {
            return null;
        }
        var number = c.TicketId is { } ticketId
            ? await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.Number).FirstOrDefaultAsync(cancellationToken)
            : null;
        var position = await queue.PositionAsync(c, cancellationToken);
        var waited = (clock.GetUtcNow().UtcDateTime - c.WaitingSince).TotalSeconds;
        return new ChatStateView(c.Id, c.Status, position, c.Verified, c.LastSeq, c.TicketId, number)
        {
            ExpectedWaitSeconds = c.Status == ChatStatus.Waiting ? await queue.ExpectedWaitSecondsAsync(c.Department, position, cancellationToken) : null,
            OfferMessageInSeconds = c.Status == ChatStatus.Waiting ? (int)Math.Max(0, Math.Ceiling(options.CurrentValue.MaxWaitSeconds - waited)) : null,
            StaffDeliveredSeq = c.StaffDeliveredSeq,
            StaffReadSeq = c.StaffReadSeq,
        };
    }

    private async Task<Outcome<List<ChatMessageView>>> ReadAsync(Guid conversationId, long? after, bool forVisitor, CancellationToken cancellationToken)
    {
        if (after is < 0)
        {
            return Outcome<List<ChatMessageView>>.Invalid(new ValidationErrors().Add("after", "after is a sequence number, 0 or more."));
        }
        var messages = await transcript.AfterAsync(conversationId, after ?? 0, forVisitor, MaxBatch, cancellationToken);
        return Outcome<List<ChatMessageView>>.Ok(messages.Select(ChatMessageView.From).ToList());
    }
}
