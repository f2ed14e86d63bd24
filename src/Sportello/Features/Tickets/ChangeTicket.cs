using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Sla;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>What agents change on a ticket besides writing: status, priority, department, assignee.</summary>
public sealed class ChangeTicket(SportelloDb db, TimeProvider clock, TicketSignals signals, TicketMails mails, DeskAccess access)
{
    /// <summary>Null when there is no such ticket (or, for a customer, not theirs).</summary>
    public async Task<Outcome<Ticket>?> StatusAsync(User actor, Guid ticketId, string? status, bool asAgent, CancellationToken cancellationToken = default)
    {
        var ticket = await FindAsync(actor, ticketId, asAgent, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        var errors = new ValidationErrors();
        if (ticket.MergedIntoId is not null)
        {
            return Outcome<Ticket>.Invalid(errors.Add("status", "This ticket was merged into another one; change that one instead."));
        }
        var allowed = asAgent ? TicketStatus.All : [TicketStatus.Closed];
        if (status is null || !allowed.Contains(status))
        {
            errors.Add("status", asAgent ? "status must be one of: open, answered, customer-reply, closed." : "A customer may only set 'closed'; reply to reopen.");
            return Outcome<Ticket>.Invalid(errors);
        }
        if (ticket.Status == status)
        {
            return Outcome<Ticket>.Ok(ticket);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var before = ticket.Status;
        ticket.Status = status;
        ticket.ClosedAt = status == TicketStatus.Closed ? now : null;
        if (SlaClock.WaitsOnSupport(status))
        {
            SlaClock.CustomerReplied(ticket, await PolicyAsync(ticket, ticket.Priority, cancellationToken), now);
        }
        else
        {
            SlaClock.Stop(ticket);
        }
        if (asAgent)
        {
            // The customer hears of what support did; their own closing needs no mail.
            db.OutboxMessages.AddRange(await mails.StatusChangedAsync(db, ticket, Guid.CreateVersion7(), cancellationToken));
        }
        return await SaveAsync(ticket, actor, TicketEventKinds.StatusChanged, $"{before} → {status}", now, cancellationToken);
    }

    public async Task<Outcome<Ticket>?> PriorityAsync(User agent, Guid ticketId, string? priority, CancellationToken cancellationToken = default)
    {
        var ticket = await FindAsync(agent, ticketId, asAgent: true, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        if (priority is null || !Priorities.All.Contains(priority))
        {
            return Outcome<Ticket>.Invalid(new ValidationErrors().Add("priority", "priority must be 'normal' or 'high'."));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var before = ticket.Priority;
        ticket.Priority = priority;
        SlaClock.Retarget(ticket, await PolicyAsync(ticket, priority, cancellationToken), now);
        return await SaveAsync(ticket, agent, TicketEventKinds.PriorityChanged, $"{before} → {priority}", now, cancellationToken);
    }

    public async Task<Outcome<Ticket>?> DepartmentAsync(User agent, Guid ticketId, string? department, CancellationToken cancellationToken = default)
    {
        var ticket = await FindAsync(agent, ticketId, asAgent: true, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        if (department is null || !Departments.All.Contains(department))
        {
            return Outcome<Ticket>.Invalid(new ValidationErrors().Add("department", "department must be 'technical' or 'financial'."));
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var before = ticket.Department;
        ticket.Department = department;
        // An assignee who does not work the new department could no longer see it: it waits for someone there.
        if (ticket.AssigneeId is { } assignee && !await access.AgentsOf(department).AnyAsync(u => u.Id == assignee, cancellationToken))
        {
            ticket.AssigneeId = null;
        }
        // Moved out of the mover's departments, it leaves their view; its old department hears that it left.
        return await SaveAsync(ticket, agent, TicketEventKinds.DepartmentChanged, $"{before} → {department}", now, cancellationToken, formerDepartment: before);
    }

    /// <summary>Assigns the ticket to an agent (or to nobody with null).</summary>
    public async Task<Outcome<Ticket>?> AssignAsync(User agent, Guid ticketId, Guid? assigneeId, CancellationToken cancellationToken = default)
    {
        var ticket = await FindAsync(agent, ticketId, asAgent: true, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        string detail = "nobody";
        if (assigneeId is { } id)
        {
            var assignee = await access.AgentsOf(ticket.Department).Where(u => u.Id == id).Select(u => u.Name).FirstOrDefaultAsync(cancellationToken);
            if (assignee is null)
            {
                return Outcome<Ticket>.Invalid(new ValidationErrors().Add("assigneeId", "assigneeId is not an agent of this ticket's department."));
            }
            detail = assignee;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        ticket.AssigneeId = assigneeId;
        return await SaveAsync(ticket, agent, TicketEventKinds.Assigned, detail, now, cancellationToken);
    }

    // A customer's own ticket, or one in the agent's departments: anything else is missing.
    private Task<Ticket?> FindAsync(User actor, Guid ticketId, bool asAgent, CancellationToken cancellationToken) => asAgent
        ? access.TicketAsync(actor.Id, ticketId, cancellationToken)
        : db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId && t.CustomerId == actor.Id, cancellationToken);

    private Task<SlaPolicy> PolicyAsync(Ticket ticket, string priority, CancellationToken cancellationToken) =>
        db.SlaPolicies.SingleAsync(p => p.Channel == ticket.Channel && p.Priority == priority, cancellationToken);

    private async Task<Outcome<Ticket>?> SaveAsync(
        Ticket ticket, User actor, string kind, string detail, DateTime now, CancellationToken cancellationToken, string? formerDepartment = null)
    {
        ticket.UpdatedAt = now;
        TicketAudit.Record(db, ticket.Id, actor.Id, kind, detail, now);
        await db.SaveChangesAsync(cancellationToken);
        signals.Changed(ticket, kind, formerDepartment: formerDepartment);
        return Outcome<Ticket>.Ok(ticket);
    }
}
