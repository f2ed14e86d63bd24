using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Chat;

public sealed record LeaveMessageRequest(string? Name, string? Email, string? Message, string? Department, string? CustomerToken);
public sealed record MessageLeft(string Number, bool Verified);

/// <summary>
/// When nobody is online (or the wait is too long) the widget offers to leave a message instead. A verified customer's
/// message becomes their ticket (channel <c>chat</c>, followed in the Client Area); a visitor's becomes an unverified
/// conversation answered by email, exactly like mail from a stranger, so the email is required.
/// </summary>
public sealed class LeaveChatMessage(
    SportelloDb db, ChatVisitor visitor, OpenTicket openTicket, ChatTickets chatTickets, TicketSignals signals)
{
    public async Task<Outcome<MessageLeft>> HandleAsync(
        LeaveMessageRequest request, Guid? signedInCustomer, string? origin, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var details = await visitor.ReadAsync(request.Department, request.Message, request.Name, request.Email, request.CustomerToken,
            signedInCustomer, origin, errors, cancellationToken);
        if (details is { CustomerId: null, Email: null })
        {
            errors.Add("email", "Leave an email address: the answer comes by mail.");
        }
        if (details is null || errors.Any)
        {
            return Outcome<MessageLeft>.Invalid(errors);
        }
        var (department, message, name, email, customerId) = details;

        var subject = ChatTickets.Subject(message);
        if (customerId is { } id)
        {
            var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == id, cancellationToken);
            var opened = await openTicket.HandleAsync(customer,
                new OpenTicketRequest(department, Priorities.Normal, subject, message, null, null, null, null, null), Channels.Chat,
                cancellationToken: cancellationToken);
            return opened.Value is { } ticket ? Outcome<MessageLeft>.Ok(new MessageLeft(ticket.Number, true)) : Outcome<MessageLeft>.Invalid(opened.Errors);
        }
        var stranger = await chatTickets.AddStrangerAsync(name, email!, department, subject, message, cancellationToken: cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        signals.Changed(stranger, TicketEventKinds.Created);
        return Outcome<MessageLeft>.Ok(new MessageLeft(stranger.Number, false));
    }
}
