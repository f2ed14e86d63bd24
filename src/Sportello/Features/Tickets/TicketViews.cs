using Sportello.Features.Sla;

namespace Sportello.Features.Tickets;

public sealed record ServiceRef(Guid Id, string Name);

public sealed record TicketResponse(
    Guid Id, string Number, string Status, string Department, string Priority, string Channel, string Subject,
    DateTime CreatedAt, DateTime UpdatedAt, DateTime FirstResponseDueAt, DateTime? FirstRespondedAt,
    ServiceRef? Service, DateTime? ProblemStartedAtUtc, string? ProblemTimeZone, string? Diagnostics,
    string SlaState, DateTime? DueAt, Guid? AssigneeId, Guid? MergedIntoId)
{
    /// <summary>Present on a single ticket's view, absent from lists.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<MessageView>? Messages { get; init; }

    /// <summary>The audit trail, on the Desk's view of a single ticket.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EventView>? Events { get; init; }

    /// <summary>How far the requester is known (<c>verified</c>, <c>registered</c>, <c>unverified</c>): mail tickets may be less than verified.</summary>
    public string Trust { get; init; } = SenderTrust.Verified;

    /// <summary>The address a mail ticket came from.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? RequesterEmail { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Tag { get; init; }

    /// <summary>The service notice (incident, maintenance) the ticket is linked to.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? NoticeId { get; init; }

    /// <summary>The live chat an agent turned into this ticket.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? SourceChatId { get; init; }

    /// <summary>On a financial ticket: the customer's invoice or credit note it is about.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? InvoiceId { get; init; }

    /// <summary>On a financial ticket: the customer's order it is about.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? OrderId { get; init; }

    public static TicketResponse From(Ticket t, DateTime now) => new(
        t.Id, t.Number, t.Status, t.Department, t.Priority, t.Channel, t.Subject, t.CreatedAt, t.UpdatedAt,
        t.FirstResponseDueAt, t.FirstRespondedAt,
        t.ServiceId is { } id ? new ServiceRef(id, t.ServiceName ?? "") : null,
        t.ProblemStartedAtUtc, t.ProblemTimeZone, t.Diagnostics, SlaClock.StateOf(t, now), t.DueAt, t.AssigneeId, t.MergedIntoId)
    {
        Trust = t.Trust,
        RequesterEmail = t.RequesterEmail,
        Tag = t.Tag,
        NoticeId = t.NoticeId,
        SourceChatId = t.SourceChatId,
        InvoiceId = t.InvoiceId,
        OrderId = t.OrderId,
    };
}

public sealed record AuthorView(string Kind, string Name);

public sealed record AttachmentView(Guid Id, string FileName, string ContentType, long Size, string Sha256);

public sealed record MessageView(Guid Id, AuthorView Author, string Body, DateTime CreatedAt, bool Internal, IReadOnlyList<AttachmentView> Attachments)
{
    /// <summary>For a message that came by mail: the quoted history cut from <see cref="Body"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? QuotedText { get; init; }

    /// <summary>On the Desk: how this message's sender was known (<c>verified</c>, <c>registered</c>, <c>unverified</c>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Trust { get; init; }

    /// <summary>For a message that came by mail: the stored original (agents can download it).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Guid? InboundMessageId { get; init; }

    public static MessageView From(TicketMessage m) => new(m.Id, new AuthorView(m.AuthorKind, m.AuthorName), m.Body, m.CreatedAt,
        m.Internal, m.Attachments.OrderBy(a => a.CreatedAt).Select(a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256)).ToList())
    {
        QuotedText = m.QuotedText,
        InboundMessageId = m.InboundMessageId,
    };
}
