namespace Sportello.Features.Tickets;

public static class TicketStatus
{
    public const string Open = "open";
    public const string Answered = "answered";
    public const string CustomerReply = "customer-reply";
    public const string Closed = "closed";
    public static readonly string[] All = [Open, Answered, CustomerReply, Closed];
    /// <summary>The statuses in which the ticket waits on support, and so an SLA clock runs.</summary>
    public static readonly string[] WaitingOnSupport = [Open, CustomerReply];
}

public static class Priorities
{
    public const string Normal = "normal";
    public const string High = "high";
    public static readonly string[] All = [Normal, High];
}

public static class Channels
{
    public const string Web = "web";
    public const string Email = "email";
    public const string Chat = "chat";
    public static readonly string[] All = [Web, Email, Chat];
}

/// <summary>How far the person who asked is known: signed in, or only by the address a mail came from.</summary>
public static class SenderTrust
{
    /// <summary>Signed in to the Client Area or the API, or mail from the registered address that passed DKIM.</summary>
    public const string Verified = "verified";
    /// <summary>Mail from a registered address with no authentication: tied to the account, not marked verified.</summary>
    public const string Registered = "registered";
    /// <summary>A stranger's mail, or mail whose authentication failed: general questions only, never account data.</summary>
    public const string Unverified = "unverified";
}

public static class AuthorKinds
{
    public const string Customer = "customer";
    public const string Agent = "agent";
    public const string System = "system";
}

/// <summary>A support request: who asked, about what service, how urgent, and where its SLA clock stands.</summary>
public sealed class Ticket
{
    public Guid Id { get; set; }
    /// <summary>Public reference, e.g. KQF-482913: random, never reused.</summary>
    public string Number { get; set; } = "";
    /// <summary>Null for a stranger's mail: the requester is then only <see cref="RequesterEmail"/>.</summary>
    public Guid? CustomerId { get; set; }
    /// <summary>The address a mail ticket came from: where notifications go when no account is attached.</summary>
    public string? RequesterEmail { get; set; }
    public string Trust { get; set; } = SenderTrust.Verified;
    /// <summary>A free tag, e.g. <c>abuse</c> for mail to the abuse address.</summary>
    public string? Tag { get; set; }
    public string Department { get; set; } = "";
    public string Priority { get; set; } = Priorities.Normal;
    public string Status { get; set; } = TicketStatus.Open;
    public string Channel { get; set; } = Channels.Web;
    public string Subject { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    public Guid? ServiceId { get; set; }
    /// <summary>The service's name as shown in the Client Area when the ticket was opened.</summary>
    public string? ServiceName { get; set; }
    public DateTime? ProblemStartedAtUtc { get; set; }
    /// <summary>The zone the customer stated the start in (IANA id, or CET/CEST as given).</summary>
    public string? ProblemTimeZone { get; set; }
    public string? Diagnostics { get; set; }
    /// <summary>On a financial ticket: the customer's invoice (or credit note) the question is about.</summary>
    public Guid? InvoiceId { get; set; }
    /// <summary>On a financial ticket: the customer's order the question is about.</summary>
    public Guid? OrderId { get; set; }

    public Guid? AssigneeId { get; set; }
    public Guid? MergedIntoId { get; set; }
    /// <summary>The chat this ticket was opened from (at most one ticket per chat: a unique index, so a retried or doubled escalation cannot open two).</summary>
    public Guid? SourceChatId { get; set; }
    /// <summary>The incident or maintenance under way on the ticket's service when it was opened: its resolution answers the ticket.</summary>
    public Guid? NoticeId { get; set; }

    // SLA: the first-response target is fixed at creation; the running target is the one the clock counts now.
    public DateTime FirstResponseDueAt { get; set; }
    public DateTime? FirstRespondedAt { get; set; }
    public DateTime? DueAt { get; set; }
    public DateTime? DueStartedAt { get; set; }
    /// <summary>
    /// 80 % of the running target: when the ticket turns at risk, while that mark is still to make. Cleared when the
    /// monitor makes it (or the breach, which implies it), so only the pending marks hold a value: PostgreSQL's
    /// statistics then count what a sweep will find, not every waiting ticket (see <c>SlaMonitor.AtRiskDue</c>).
    /// </summary>
    public DateTime? AtRiskDueAt { get; set; }
    public DateTime? AtRiskAt { get; set; }
    public DateTime? BreachedAt { get; set; }
    public bool FirstResponseBreached { get; set; }

    /// <summary>
    /// The ticket's place in the Desk queue: 0 for High and 1 for Normal while it waits on support, null otherwise.
    /// Kept by the context on every save, so the queue reads an index in working order instead of sorting.
    /// </summary>
    public int? QueueRank { get; set; }

    /// <summary>Renewed on every save: a change made from a stale copy fails instead of overwriting a newer one.</summary>
    public Guid Version { get; set; }

    public static int? RankOf(string status, string priority, Guid? mergedIntoId) =>
        mergedIntoId is null && TicketStatus.WaitingOnSupport.Contains(status) ? (priority == Priorities.High ? 0 : 1) : null;

    public List<TicketMessage> Messages { get; set; } = [];
}

public sealed class TicketMessage
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public Guid? AuthorId { get; set; }
    public string AuthorKind { get; set; } = AuthorKinds.Customer;
    public string AuthorName { get; set; } = "";
    public string Body { get; set; } = "";
    /// <summary>How this message's sender was known (<see cref="SenderTrust"/>): signed in, or judged per mail.</summary>
    public string Trust { get; set; } = SenderTrust.Verified;
    /// <summary>An agents-only note: never shown to the customer.</summary>
    public bool Internal { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>For a message that came by mail: the stored original, and the quoted history cut from the body.</summary>
    public Guid? InboundMessageId { get; set; }
    public string? QuotedText { get; set; }
    public List<Attachment> Attachments { get; set; } = [];
}

/// <summary>A file on a message; its bytes live in <see cref="AttachmentContent"/> so listings never load them.</summary>
public sealed class Attachment
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public Guid MessageId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "application/octet-stream";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public DateTime CreatedAt { get; set; }
}

public sealed class AttachmentContent
{
    public Guid AttachmentId { get; set; }
    public byte[] Bytes { get; set; } = [];
}

/// <summary>The audit trail: who did what to a ticket, and when.</summary>
public sealed class TicketEvent
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public Guid? ActorId { get; set; }
    public string Kind { get; set; } = "";
    public string? Detail { get; set; }
    public DateTime At { get; set; }
}
