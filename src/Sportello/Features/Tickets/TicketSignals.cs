using Microsoft.AspNetCore.SignalR;
using Sportello.Features.Sla;

namespace Sportello.Features.Tickets;

/// <summary>Tells the people watching that a ticket changed, after the change is committed.</summary>
public sealed class TicketSignals(IHubContext<TicketsHub> hub, TimeProvider clock, ILogger<TicketSignals> logger)
{
    public sealed record TicketChanged(Guid Id, string Number, string Kind, string Status, string Priority, string Department, string SlaState, DateTime? DueAt);

    /// <summary>
    /// Fire and forget: a lost push costs a stale screen until the next one, never data. A ticket that moved also
    /// tells its <paramref name="formerDepartment"/>, whose queues it leaves.
    /// </summary>
    public void Changed(Ticket ticket, string kind, bool customerMaySee = true, string? formerDepartment = null)
    {
        var message = new TicketChanged(ticket.Id, ticket.Number, kind, ticket.Status, ticket.Priority, ticket.Department,
            SlaClock.StateOf(ticket, clock.GetUtcNow().UtcDateTime), ticket.DueAt);
        var departments = formerDepartment is null || formerDepartment == ticket.Department
            ? [TicketsHub.Department(ticket.Department)]
            : new[] { TicketsHub.Department(ticket.Department), TicketsHub.Department(formerDepartment) };
        _ = SendAsync(message, departments, ticket.CustomerId, customerMaySee);
    }

    public sealed record Escalation(Guid Id, string Number, string Subject, string Department, string Priority, DateTime? DueAt);

    /// <summary>A missed target: the department's agents and the on-call contact are alerted on the Desk.</summary>
    public void Escalated(Ticket ticket, Guid? onCallUserId)
    {
        var message = new Escalation(ticket.Id, ticket.Number, ticket.Subject, ticket.Department, ticket.Priority, ticket.DueAt);
        var groups = new List<string> { TicketsHub.Department(ticket.Department) };
        if (onCallUserId is { } onCall)
        {
            groups.Add(TicketsHub.User(onCall));
        }
        _ = SendEscalationAsync(message, groups);
    }

    private async Task SendEscalationAsync(Escalation message, IReadOnlyList<string> groups)
    {
        try
        {
            await hub.Clients.Groups(groups).SendAsync("slaEscalation", message);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not push the escalation of ticket {Number}", message.Number);
        }
    }

    private async Task SendAsync(TicketChanged message, IReadOnlyList<string> departments, Guid? customerId, bool customerMaySee)
    {
        try
        {
            // Agents are in their departments' groups (admins in all), customers in their own: only they hear of it.
            await hub.Clients.Groups(departments).SendAsync("ticketChanged", message);
            if (customerMaySee && customerId is { } customer)
            {
                await hub.Clients.Group(TicketsHub.Customer(customer)).SendAsync("ticketChanged", message);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not push the change of ticket {Number}", message.Number);
        }
    }
}
