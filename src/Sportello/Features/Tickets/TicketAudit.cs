using Sportello.Data;

namespace Sportello.Features.Tickets;

public static class TicketEventKinds
{
    public const string Created = "created";
    public const string CustomerReplied = "customer-replied";
    public const string AgentReplied = "agent-replied";
    public const string NoteAdded = "note-added";
    public const string AttachmentsAdded = "attachments-added";
    public const string StatusChanged = "status-changed";
    public const string PriorityChanged = "priority-changed";
    public const string DepartmentChanged = "department-changed";
    public const string Assigned = "assigned";
    public const string Merged = "merged";
    public const string MergedInto = "merged-into";
    public const string SlaAtRisk = "sla-at-risk";
    public const string SlaBreached = "sla-breached";
}

/// <summary>Adds an entry to a ticket's audit trail, in the same unit of work as the change it records.</summary>
public static class TicketAudit
{
    public static void Record(SportelloDb db, Guid ticketId, Guid? actorId, string kind, string? detail, DateTime at) =>
        db.TicketEvents.Add(new TicketEvent
        {
            Id = Guid.CreateVersion7(),
            TicketId = ticketId,
            ActorId = actorId,
            Kind = kind,
            Detail = detail is { Length: > 1000 } ? detail[..1000] : detail,
            At = at,
        });
}
