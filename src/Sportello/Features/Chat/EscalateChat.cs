using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Inbound.Intake;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Chat;

public sealed record EscalateChatRequest(
    string? Department, string? Priority, string? Subject, Guid? ServiceId, string? ServiceReference, string? ProblemStartedAt, string? ProblemTimeZone);
public sealed record ChatEscalated(Guid TicketId, string Number);

/// <summary>
/// An agent turns a chat into a ticket (channel <c>chat</c>) holding the transcript. A verified chat opens the
/// customer's ticket through <see cref="OpenTicket"/>, with its rules (a High ticket names one of the customer's
/// services and when the problem started); an anonymous chat opens an unverified ticket for the visitor's email,
/// answered like a stranger's mail (no email: 400 naming <c>email</c>; High: 400 naming <c>priority</c>). The visitor
/// sees the ticket's number in the chat.
/// </summary>
public sealed class EscalateChat(
    SportelloDb db, ChatAccess access, ChatTranscript transcript, ChatSignals signals, OpenTicket openTicket, TicketMails mails,
    AnswerBudget budget, TicketSignals ticketSignals, TimeProvider clock)
{
    public async Task<Outcome<ChatEscalated>?> HandleAsync(User agent, Guid conversationId, EscalateChatRequest request, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(agent.Id, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        if (conversation.TicketId is { } existing)
        {
            var number = await db.Tickets.Where(t => t.Id == existing).Select(t => t.Number).FirstOrDefaultAsync(cancellationToken);
            return Outcome<ChatEscalated>.Invalid(new ValidationErrors().Add("status", "This chat is already ticket {0}.", number ?? ""));
        }
        var lines = await db.ChatMessages.AsNoTracking().Where(m => m.ConversationId == conversationId && !m.Internal)
            .OrderBy(m => m.Seq).ToListAsync(cancellationToken);
        var subject = string.IsNullOrWhiteSpace(request.Subject)
            ? Shorten(lines.FirstOrDefault(m => m.AuthorKind == ChatAuthors.Visitor)?.Body ?? "Chat", OpenTicket.MaxSubject)
            : request.Subject.Trim();
        var description = Transcript(lines);

        Outcome<Ticket> opened;
        if (conversation.CustomerId is { } customerId)
        {
            var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
            opened = await openTicket.HandleAsync(customer, new OpenTicketRequest(request.Department, request.Priority, subject, description,
                request.ServiceId, request.ServiceReference, request.ProblemStartedAt, request.ProblemTimeZone, null), Channels.Chat,
                cancellationToken: cancellationToken);
            if (opened.Value is null)
            {
                return Outcome<ChatEscalated>.Invalid(opened.Errors);
            }
        }
        else
        {
            var invalid = new ValidationErrors();
            var department = request.Department?.Trim().ToLowerInvariant();
            if (department is null || !Departments.All.Contains(department))
            {
                invalid.Add("department", "department must be 'technical' or 'financial'.");
            }
            var priority = string.IsNullOrWhiteSpace(request.Priority) ? Priorities.Normal : request.Priority.Trim().ToLowerInvariant();
            if (priority == Priorities.High)
            {
                invalid.Add("priority", "A high-priority ticket needs a verified chat: the visitor signs in to the Client Area or opens the ticket there.");
            }
            else if (priority != Priorities.Normal)
            {
                invalid.Add("priority", "priority must be 'normal' or 'high'.");
            }
            if (conversation.VisitorEmail is null)
            {
                invalid.Add("email", "The visitor left no email: ask for one, or ask them to open a ticket in the Client Area.");
            }
            OpenTicket.Text(invalid, "subject", subject, OpenTicket.MaxSubject, required: true);
            if (invalid.Any)
            {
                return Outcome<ChatEscalated>.Invalid(invalid);
            }
            opened = Outcome<Ticket>.Ok(await StrangerTicketAsync(conversation, department!, subject, description, cancellationToken));
        }
        var ticket = opened.Value!;
        conversation.TicketId = ticket.Id;
        var note = await transcript.AppendAsync(conversation, ChatNotes.System($"{agent.Name} opened ticket {ticket.Number} for this conversation."), cancellationToken);
        signals.Message(conversation, note);
        signals.Changed(conversation);
        if (conversation.CustomerId is null)
        {
            ticketSignals.Changed(ticket, TicketEventKinds.Created);
        }
        return Outcome<ChatEscalated>.Ok(new ChatEscalated(ticket.Id, ticket.Number));
    }

    // Committed with the chat's own note (AppendAsync saves both): the ticket exists exactly when the chat names it.
    private async Task<Ticket> StrangerTicketAsync(Conversation conversation, string department, string subject, string description, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var policy = await db.SlaPolicies.SingleAsync(p => p.Channel == Channels.Chat && p.Priority == Priorities.Normal, cancellationToken);
        var ticket = OpenTicket.NewTicket(null, department, Priorities.Normal, Channels.Chat, subject, policy, now);
        ticket.RequesterEmail = conversation.VisitorEmail;
        ticket.Trust = SenderTrust.Unverified;
        while (await db.Tickets.AnyAsync(t => t.Number == ticket.Number, cancellationToken))
        {
            ticket.Number = TicketNumbers.New();
        }
        db.Tickets.Add(ticket);
        db.TicketMessages.Add(new TicketMessage
        {
            Id = Guid.CreateVersion7(), TicketId = ticket.Id, AuthorKind = AuthorKinds.Customer, AuthorName = conversation.VisitorName ?? conversation.VisitorEmail!,
            Body = description, CreatedAt = now, Trust = SenderTrust.Unverified,
        });
        TicketAudit.Record(db, ticket.Id, null, TicketEventKinds.Created, $"{ticket.Department}, {ticket.Priority}, chat, {ticket.Trust}", now);
        // The same budget as a stranger's mail: an address typed in a chat cannot be made to receive a flood.
        if (await budget.TrySpendAsync(conversation.VisitorEmail!, now, cancellationToken))
        {
            db.OutboxMessages.AddRange(await mails.OpenedAsync(ticket, await mails.RecipientsAsync(db, ticket, cancellationToken: cancellationToken)));
        }
        return ticket;
    }

    /// <summary>The conversation as text, author and time on every line (internal notes stay on the Desk).</summary>
    internal static string Transcript(IEnumerable<ChatMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var m in messages)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{m.CreatedAt:yyyy-MM-dd HH:mm} UTC] {m.AuthorName} ({m.AuthorKind}): {m.Body}\n");
        }
        const string Cut = "\n[The transcript continues in the chat on the Desk.]";
        return text.Length <= OpenTicket.MaxBody ? text.ToString().TrimEnd() : text.ToString(0, OpenTicket.MaxBody - Cut.Length) + Cut;
    }

    private static string Shorten(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
