namespace Sportello.Features.Chat;

/// <summary>
/// A live chat: a visitor (anonymous, or a customer verified by a signed token or the Client Area session) and, once
/// accepted, an agent of its department. Messages carry a sequence number per conversation, assigned at commit.
/// </summary>
public sealed class Conversation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string Department { get; set; } = "";
    public string Status { get; set; } = ChatStatus.Waiting;
    /// <summary>SHA-256 of the visitor's token (the token itself is only ever in the visitor's hands).</summary>
    public string VisitorTokenHash { get; set; } = "";
    public string? VisitorName { get; set; }
    public string? VisitorEmail { get; set; }
    /// <summary>Set only when the visitor proved who they are; a bare id or email from the page is never trusted.</summary>
    public Guid? CustomerId { get; set; }
    public Guid? AgentId { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Since when the chat waits for an agent (its start, or its transfer to another department).</summary>
    public DateTime WaitingSince { get; set; }
    public DateTime? AcceptedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public long LastSeq { get; set; }
    public int? Rating { get; set; }
    public string? RatingComment { get; set; }
    public Guid? TicketId { get; set; }
    public string? RemoteAddress { get; set; }
    /// <summary>The widget's language (en, it): the one canned answers are offered in.</summary>
    public string Language { get; set; } = "en";
    /// <summary>The last message the visitor's widget received (delivered) and showed with the panel open (read).</summary>
    public long VisitorDeliveredSeq { get; set; }
    public long VisitorReadSeq { get; set; }
    /// <summary>The same marks for the Desk: the last message an agent's console received and showed.</summary>
    public long StaffDeliveredSeq { get; set; }
    public long StaffReadSeq { get; set; }
    /// <summary>Changes on every state change: two agents accepting at once, one of them is told it is taken.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();

    public bool Verified => CustomerId is not null;
}

public sealed class ChatMessage
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ConversationId { get; set; }
    public long Seq { get; set; }
    public string AuthorKind { get; set; } = ChatAuthors.Visitor;
    public Guid? AuthorId { get; set; }
    public string AuthorName { get; set; } = "";
    public string Body { get; set; } = "";
    /// <summary>An agents-only note: never sent to the visitor, by any route.</summary>
    public bool Internal { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Files sent with this message (a message that carries files may have no text).</summary>
    public List<ChatAttachment> Attachments { get; set; } = [];
}

/// <summary>A file sent in a chat, under the same rules as a ticket's; it travels to the ticket the chat becomes.</summary>
public sealed class ChatAttachment
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid ConversationId { get; set; }
    public Guid MessageId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "application/octet-stream";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed class ChatAttachmentContent
{
    public Guid AttachmentId { get; set; }
    public byte[] Bytes { get; set; } = [];
}

public static class ChatStatus
{
    public const string Waiting = "waiting";
    public const string Active = "active";
    public const string Closed = "closed";
}

public static class ChatAuthors
{
    public const string Visitor = "visitor";
    public const string Agent = "agent";
    /// <summary>Sportello itself: accepted, transferred, closed, escalated.</summary>
    public const string System = "system";
}
