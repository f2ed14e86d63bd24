using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Sla;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>
/// Messages on a ticket: the customer's replies, the agents' public replies and internal notes. A message and its
/// files are written together, after both are checked, or not at all.
/// </summary>
public sealed class ReplyToTicket(SportelloDb db, TimeProvider clock, TicketSignals signals, AddAttachments attachments, TicketMails mails, DeskAccess access)
{
    /// <summary>Null when the customer has no such ticket.</summary>
    public async Task<Outcome<TicketMessage>?> AsCustomerAsync(
        User customer, Guid ticketId, string? body, IReadOnlyList<AddAttachments.Upload>? files = null, CancellationToken cancellationToken = default)
    {
        var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId && t.CustomerId == customer.Id, cancellationToken);
        return ticket is null ? null : await ReplyAsync(ticket, customer, AuthorKinds.Customer, body, isInternal: false, files, cancellationToken);
    }

    /// <summary>
    /// Null when there is no such ticket in the agent's departments. A public reply answers the customer and stops the
    /// response clock.
    /// </summary>
    public async Task<Outcome<TicketMessage>?> AsAgentAsync(
        User agent, Guid ticketId, string? body, bool isInternal, IReadOnlyList<AddAttachments.Upload>? files = null, CancellationToken cancellationToken = default)
    {
        var ticket = await access.TicketAsync(agent.Id, ticketId, cancellationToken);
        return ticket is null ? null : await ReplyAsync(ticket, agent, AuthorKinds.Agent, body, isInternal, files, cancellationToken);
    }

    private async Task<Outcome<TicketMessage>> ReplyAsync(
        Ticket ticket, User author, string kind, string? body, bool isInternal, IReadOnlyList<AddAttachments.Upload>? files, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        OpenTicket.Text(errors, "body", body, OpenTicket.MaxBody, required: true);
        if (ticket.MergedIntoId is not null)
        {
            errors.Add("ticket", "This ticket was merged into another one: write there.");
        }
        if (files is { Count: > 0 })
        {
            attachments.Check(files, alreadyOnMessage: 0, errors);
        }
        if (errors.Any)
        {
            return Outcome<TicketMessage>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var message = new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TicketId = ticket.Id,
            AuthorId = author.Id,
            AuthorKind = kind,
            AuthorName = author.Name,
            Body = body!,
            Internal = isInternal,
            CreatedAt = now,
        };
        var change = await AppendAsync(ticket, message, cancellationToken);
        if (files is { Count: > 0 })
        {
            var prepared = await AddAttachments.PrepareAsync(ticket.Id, message.Id, files, now, cancellationToken);
            AddAttachments.Stage(db, ticket.Id, author.Id, prepared, now);
            message.Attachments.AddRange(prepared.Select(p => p.Attachment));
        }
        await db.SaveChangesAsync(cancellationToken);
        signals.Changed(ticket, change, customerMaySee: !isInternal);
        return Outcome<TicketMessage>.Ok(message);
    }

    /// <summary>
    /// Adds a message to the ticket in this scope's unit of work (the caller saves): status, response clock, audit
    /// entry, and the mail to the customer for a public agent reply. Returns the kind of change.
    /// </summary>
    public async Task<string> AppendAsync(Ticket ticket, TicketMessage message, CancellationToken cancellationToken = default)
    {
        var now = message.CreatedAt;
        db.TicketMessages.Add(message);
        ticket.UpdatedAt = now;
        string change;
        if (message.AuthorKind == AuthorKinds.Customer)
        {
            // A customer reply also reopens a closed ticket (CONTRACT.md).
            ticket.Status = TicketStatus.CustomerReply;
            ticket.ClosedAt = null;
            var policy = await db.SlaPolicies.SingleAsync(p => p.Channel == ticket.Channel && p.Priority == ticket.Priority, cancellationToken);
            SlaClock.CustomerReplied(ticket, policy, now);
            change = TicketEventKinds.CustomerReplied;
        }
        else if (!message.Internal)
        {
            ticket.Status = TicketStatus.Answered;
            ticket.ClosedAt = null;
            SlaClock.AgentReplied(ticket, now);
            change = TicketEventKinds.AgentReplied;
            db.OutboxMessages.AddRange(await mails.AgentRepliedAsync(db, ticket, message, cancellationToken));
        }
        else
        {
            change = TicketEventKinds.NoteAdded;
        }
        TicketAudit.Record(db, ticket.Id, message.AuthorId, change, null, now);
        return change;
    }
}
