using Sportello.Features.Tickets;

namespace Sportello.Features.Chat;

public sealed record StartChatRequest(string? Name, string? Email, string? Message, string? Department, string? CustomerToken);
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
        new(m.ConversationId, m.Seq, new ChatAuthorView(m.AuthorKind, m.AuthorName), m.Body, m.CreatedAt, m.Internal, []);
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
public sealed record ChatStateView(Guid Id, string Status, int QueuePosition, bool Verified, long LastSeq, Guid? TicketId, string? TicketNumber);
