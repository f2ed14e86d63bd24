using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Sla;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>Messages on a ticket: the customer's replies, the agents' public replies and internal notes.</summary>
public sealed class ReplyToTicket(SportelloDb db, TimeProvider clock, TicketSignals signals)
{
    /// <summary>Null when the customer has no such ticket.</summary>
    public async Task<Outcome<TicketMessage>?> AsCustomerAsync(User customer, Guid ticketId, string? body, CancellationToken cancellationToken = default)
    {
        var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId && t.CustomerId == customer.Id, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        var errors = Validate(ticket, body);
        if (errors.Any)
        {
            return Outcome<TicketMessage>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var message = Add(ticket, customer, AuthorKinds.Customer, body!, isInternal: false, now);
        // A customer reply also reopens a closed ticket (CONTRACT.md).
        ticket.Status = TicketStatus.CustomerReply;
        ticket.ClosedAt = null;
        var policy = await db.SlaPolicies.SingleAsync(p => p.Channel == ticket.Channel && p.Priority == ticket.Priority, cancellationToken);
        SlaClock.CustomerReplied(ticket, policy, now);
        TicketAudit.Record(db, ticket.Id, customer.Id, TicketEventKinds.CustomerReplied, null, now);
        await db.SaveChangesAsync(cancellationToken);
        signals.Changed(ticket, TicketEventKinds.CustomerReplied);
        return Outcome<TicketMessage>.Ok(message);
    }

    /// <summary>Null when there is no such ticket. A public reply answers the customer and stops the response clock.</summary>
    public async Task<Outcome<TicketMessage>?> AsAgentAsync(User agent, Guid ticketId, string? body, bool isInternal, CancellationToken cancellationToken = default)
    {
        var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
        if (ticket is null)
        {
            return null;
        }
        var errors = Validate(ticket, body);
        if (errors.Any)
        {
            return Outcome<TicketMessage>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var message = Add(ticket, agent, AuthorKinds.Agent, body!, isInternal, now);
        if (!isInternal)
        {
            ticket.Status = TicketStatus.Answered;
            ticket.ClosedAt = null;
            SlaClock.AgentReplied(ticket, now);
        }
        TicketAudit.Record(db, ticket.Id, agent.Id, isInternal ? TicketEventKinds.NoteAdded : TicketEventKinds.AgentReplied, null, now);
        await db.SaveChangesAsync(cancellationToken);
        signals.Changed(ticket, isInternal ? TicketEventKinds.NoteAdded : TicketEventKinds.AgentReplied, customerMaySee: !isInternal);
        return Outcome<TicketMessage>.Ok(message);
    }

    private static ValidationErrors Validate(Ticket ticket, string? body)
    {
        var errors = new ValidationErrors();
        OpenTicket.Text(errors, "body", body, OpenTicket.MaxBody, required: true);
        if (ticket.MergedIntoId is not null)
        {
            errors.Add("ticket", "This ticket was merged into another one: write there.");
        }
        return errors;
    }

    private TicketMessage Add(Ticket ticket, User author, string kind, string body, bool isInternal, DateTime now)
    {
        var message = new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TicketId = ticket.Id,
            AuthorId = author.Id,
            AuthorKind = kind,
            AuthorName = author.Name,
            Body = body,
            Internal = isInternal,
            CreatedAt = now,
        };
        db.TicketMessages.Add(message);
        ticket.UpdatedAt = now;
        return message;
    }
}
