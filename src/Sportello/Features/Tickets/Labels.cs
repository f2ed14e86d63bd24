namespace Sportello.Features.Tickets;

/// <summary>The English words for keys; pages translate them like any other text.</summary>
public static class Labels
{
    public static string Department(string key) => key == Accounts.Departments.Financial ? "Financial" : "Technical";

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

    public static string SlaState(string key) => key switch
    {
        Sla.SlaStates.AtRisk => "At risk",
        Sla.SlaStates.Breached => "Overdue",
        _ => "On time",
    };
}
