using Sportello.Features.Tickets;

namespace Sportello.Features.Chat;

public sealed record StartChatRequest(string? Name, string? Email, string? Message, string? Department, string? CustomerToken, string? Language = null);
public sealed record ChatStarted(Guid Id, string VisitorToken, int QueuePosition, bool Verified);
public sealed record ChatMessageRequest(string? Body);
public sealed record AgentChatMessageRequest(string? Body, bool? Internal = null);
public sealed record CloseChatRequest(int? Rating, string? Comment);
public sealed record AvailabilityRequest(string? Status);
public sealed record TransferChatRequest(Guid? AgentId, string? Department, string? Note);

public sealed record ChatAuthorView(string Kind, string Name);

public sealed record ChatMessageView(Guid ConversationId, long Seq, ChatAuthorView Author, string Body, DateTime CreatedAt, bool Internal,
    IReadOnlyList<AttachmentView> Attachments)
{
    public static ChatMessageView From(ChatMessage m) =>
        new(m.ConversationId, m.Seq, new ChatAuthorView(m.AuthorKind, m.AuthorName), m.Body, m.CreatedAt, m.Internal,
            m.Attachments.Select(a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256)).ToList());
}

public sealed record ChatCustomerView(Guid Id, string Name);

/// <summary>A chat as the Desk lists it.</summary>
public sealed record ChatSummary(
    Guid Id, string Status, string Department, DateTime WaitingSince, DateTime? AcceptedAt, bool Verified, ChatCustomerView? Customer,
    string? VisitorName, Guid? AgentId, long LastSeq, Guid? TicketId)
{
    /// <summary>When a waiting chat should be accepted by (the chat row's pickup target).</summary>
    public DateTime? PickupDueAt { get; init; }

    /// <summary><c>ok</c>, <c>at-risk</c> or <c>breached</c> for a waiting chat against its pickup target; <c>ok</c> once accepted.</summary>
    public string SlaState { get; init; } = Sla.SlaStates.Ok;
}

/// <summary>The visitor's view of their chat: where they stand.</summary>
public sealed record ChatStateView(Guid Id, string Status, int QueuePosition, bool Verified, long LastSeq, Guid? TicketId, string? TicketNumber)
{
    /// <summary>While waiting: about how long until an agent accepts (from recent pickups in the department); null when unknown.</summary>
    public int? ExpectedWaitSeconds { get; init; }

    /// <summary>While waiting: seconds until the widget offers to leave a message instead (0 once <c>MaxWaitSeconds</c> has passed).</summary>
    public int? OfferMessageInSeconds { get; init; }

    /// <summary>How far the Desk has received and read the conversation (the visitor's "delivered" and "read").</summary>
    public long StaffDeliveredSeq { get; init; }
    public long StaffReadSeq { get; init; }
}
