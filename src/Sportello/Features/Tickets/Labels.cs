namespace Sportello.Features.Tickets;

/// <summary>The English words for keys; pages translate them like any other text.</summary>
public static class Labels
{
    public static string Department(string key) => key switch
    {
        Accounts.Departments.Financial => "Financial",
        Accounts.Departments.Abuse => "Abuse",
        _ => "Technical",
    };

    public static string Priority(string key) => key == Priorities.High ? "High" : "Normal";

    public static string Channel(string key) => key switch
    {
        Channels.Email => "Email",
        Channels.Chat => "Chat",
        _ => "Client Area",
    };

    public static string Status(string key) => key switch
    {
        TicketStatus.Answered => "Answered",
        TicketStatus.CustomerReply => "Customer reply",
        TicketStatus.Closed => "Closed",
        _ => "Open",
    };

    public static readonly string[] EventKinds =
    [
        TicketEventKinds.Created, TicketEventKinds.CustomerReplied, TicketEventKinds.AgentReplied, TicketEventKinds.NoteAdded,
        TicketEventKinds.AttachmentsAdded, TicketEventKinds.StatusChanged, TicketEventKinds.PriorityChanged,
        TicketEventKinds.DepartmentChanged, TicketEventKinds.Assigned, TicketEventKinds.Merged, TicketEventKinds.MergedInto,
        TicketEventKinds.SlaAtRisk, TicketEventKinds.SlaBreached,
    ];

    public static string Event(string kind) => kind switch
    {
        TicketEventKinds.Created => "Ticket opened",
        TicketEventKinds.CustomerReplied => "Customer replied",
        TicketEventKinds.AgentReplied => "Support replied",
        TicketEventKinds.NoteAdded => "Internal note added",
        TicketEventKinds.AttachmentsAdded => "Files attached",
        TicketEventKinds.StatusChanged => "Status changed",
        TicketEventKinds.PriorityChanged => "Priority changed",
        TicketEventKinds.DepartmentChanged => "Department changed",
        TicketEventKinds.Assigned => "Assigned",
        TicketEventKinds.Merged => "Merged a duplicate",
        TicketEventKinds.MergedInto => "Merged into another ticket",
        TicketEventKinds.SlaAtRisk => "Response target at risk",
        TicketEventKinds.SlaBreached => "Response target missed",
        _ => kind,
    };

    public static string Trust(string key) => key switch
    {
        SenderTrust.Unverified => "Unverified sender",
        SenderTrust.Registered => "Registered address, not authenticated",
        _ => "Verified",
    };

    public static string SlaState(string key) => key switch
    {
        Sla.SlaStates.AtRisk => "At risk",
        Sla.SlaStates.Breached => "Overdue",
        _ => "On time",
    };
}
