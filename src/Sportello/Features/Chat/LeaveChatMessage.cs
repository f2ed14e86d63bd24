using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;
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
    SportelloDb db, CustomerTokens customerTokens, OpenTicket openTicket, ChatTickets chatTickets, TicketSignals signals)
{
    public async Task<Outcome<MessageLeft>> HandleAsync(
        LeaveMessageRequest request, Guid? signedInCustomer, string? origin, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var department = string.IsNullOrWhiteSpace(request.Department) ? Departments.Technical : request.Department.Trim().ToLowerInvariant();
        if (!StartChat.Departments.Contains(department))
        {
            errors.Add("department", "department must be 'technical' or 'financial'.");
        }
        var message = request.Message?.Trim() ?? "";
        if (message.Length == 0)
        {
            errors.Add("message", "message is required.");
        }
        else if (message.Length > StartChat.MaxBody)
        {
            errors.Add("message", "message is at most {0} characters.", StartChat.MaxBody);
        }
        var name = string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim();
        if (name?.Length > 100)
        {
            errors.Add("name", "name is at most 100 characters.");
        }
        var customerId = signedInCustomer;
        if (!string.IsNullOrEmpty(request.CustomerToken))
        {
            customerId = customerTokens.Verify(request.CustomerToken, origin);
            if (customerId is null || !await Customers.Query(db).AnyAsync(u => u.Id == customerId, cancellationToken))
            {
                errors.Add("customerToken", "customerToken is not valid: forged, expired, or for no customer.");
            }
        }
        var email = EmailAddresses.Normalize(request.Email);
        if (customerId is null && email is null)
        {
            errors.Add("email", "Leave an email address: the answer comes by mail.");
        }
        if (errors.Any)
        {
            return Outcome<MessageLeft>.Invalid(errors);
        }

        var subject = ChatTickets.Subject(message);
        if (customerId is { } id)
        {
            var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == id, cancellationToken);
            var opened = await openTicket.HandleAsync(customer,
                new OpenTicketRequest(department, Priorities.Normal, subject, message, null, null, null, null, null), Channels.Chat,
                cancellationToken: cancellationToken);
            return opened.Value is { } ticket ? Outcome<MessageLeft>.Ok(new MessageLeft(ticket.Number, true)) : Outcome<MessageLeft>.Invalid(opened.Errors);
        }
        var stranger = await chatTickets.AddStrangerAsync(name, email!, department, subject, message, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        signals.Changed(stranger, TicketEventKinds.Created);
        return Outcome<MessageLeft>.Ok(new MessageLeft(stranger.Number, false));
    }
}
