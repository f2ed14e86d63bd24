using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
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
    SportelloDb db, ChatAccess access, ChatTranscript transcript, ChatSignals signals, OpenTicket openTicket, ChatTickets chatTickets,
    TicketSignals ticketSignals)
{
    public async Task<Outcome<ChatEscalated>?> HandleAsync(User agent, Guid conversationId, EscalateChatRequest request, CancellationToken cancellationToken = default)
    {
        if (await access.StaffAsync(agent.Id, conversationId, cancellationToken) is not { } conversation)
        {
            return null;
        }
        if (conversation.TicketId is { } existing)
        {
            return await AlreadyAsync(existing, cancellationToken);
        }
        // A ticket opened from this chat whose link in the chat was never written (the node stopped in between): finish that one.
        if (await FromChatAsync(conversationId, cancellationToken) is { } unlinked)
        {
            return await LinkAsync(agent, conversation, unlinked, cancellationToken);
        }
        var lines = await db.ChatMessages.AsNoTracking().Include(m => m.Attachments).Where(m => m.ConversationId == conversationId && !m.Internal)
            .OrderBy(m => m.Seq).ToListAsync(cancellationToken);
        var files = await FilesAsync(lines, cancellationToken);
        var subject = string.IsNullOrWhiteSpace(request.Subject)
            ? ChatTickets.Subject(lines.FirstOrDefault(m => m.AuthorKind == ChatAuthors.Visitor)?.Body ?? "Chat")
            : request.Subject.Trim();
        var description = Transcript(lines);

        Outcome<Ticket> opened;
        if (conversation.CustomerId is { } customerId)
        {
            var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
            try
            {
                opened = await openTicket.HandleAsync(customer, new OpenTicketRequest(request.Department, request.Priority, subject, description,
                    request.ServiceId, request.ServiceReference, request.ProblemStartedAt, request.ProblemTimeZone, null), Channels.Chat,
                    files, conversation.Id, cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another agent escalated the same chat at the same moment: one ticket per chat (a unique index).
                if (await FromChatAsync(conversationId, cancellationToken) is { } raced)
                {
                    return await AlreadyAsync(raced.Id, cancellationToken);
                }
                throw;
            }
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
            // Committed with the chat's own note (AppendAsync saves both): the ticket exists exactly when the chat names it.
            var stranger = await chatTickets.AddStrangerAsync(conversation.VisitorName, conversation.VisitorEmail!, department!, subject, description, files,
                conversation.Id, cancellationToken);
            try
            {
                var linked = await LinkAsync(agent, conversation, stranger, cancellationToken);
                ticketSignals.Changed(stranger, TicketEventKinds.Created);
                return linked;
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear();
                if (await FromChatAsync(conversationId, cancellationToken) is { } raced)
                {
                    return await AlreadyAsync(raced.Id, cancellationToken);
                }
                throw;
            }
        }
        return await LinkAsync(agent, conversation, opened.Value!, cancellationToken);
    }

    /// <summary>The chat names its ticket, and says so in the transcript (the visitor reads the number).</summary>
    private async Task<Outcome<ChatEscalated>> LinkAsync(User agent, Conversation conversation, Ticket ticket, CancellationToken cancellationToken)
    {
        conversation.TicketId = ticket.Id;
        var note = await transcript.AppendAsync(conversation, ChatNotes.System($"{agent.Name} opened ticket {ticket.Number} for this conversation."), cancellationToken);
        signals.Message(note);
        signals.Changed(conversation);
        return Outcome<ChatEscalated>.Ok(new ChatEscalated(ticket.Id, ticket.Number));
    }

    private Task<Ticket?> FromChatAsync(Guid conversationId, CancellationToken cancellationToken) =>
        db.Tickets.AsNoTracking().FirstOrDefaultAsync(t => t.SourceChatId == conversationId, cancellationToken);

    private async Task<Outcome<ChatEscalated>> AlreadyAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        var number = await db.Tickets.Where(t => t.Id == ticketId).Select(t => t.Number).FirstOrDefaultAsync(cancellationToken);
        return Outcome<ChatEscalated>.Invalid(new ValidationErrors().Add("status", "This chat is already ticket {0}.", number ?? ""));
    }

    /// <summary>The chat's files, to join the ticket's first message (a chat holds no more than one ticket message may).</summary>
    private async Task<List<AddAttachments.Upload>> FilesAsync(List<ChatMessage> lines, CancellationToken cancellationToken)
    {
        var ids = lines.SelectMany(m => m.Attachments).Select(a => a.Id).ToList();
        if (ids.Count == 0)
        {
            return [];
        }
        var contents = await db.ChatAttachmentContents.AsNoTracking().Where(c => ids.Contains(c.AttachmentId))
            .ToDictionaryAsync(c => c.AttachmentId, c => c.Bytes, cancellationToken);
        return lines.SelectMany(m => m.Attachments).Select(a =>
        {
            var bytes = contents[a.Id];
            return new AddAttachments.Upload(a.FileName, a.ContentType, bytes.Length, () => new MemoryStream(bytes, writable: false));
        }).ToList();
    }

    /// <summary>What a message says in a transcript: its text, then the names of its files in brackets.</summary>
    internal static string Said(ChatMessage m) =>
        m.Attachments.Count == 0 ? m.Body : $"{m.Body}{(m.Body.Length == 0 ? "" : " ")}[{string.Join(", ", m.Attachments.Select(a => a.FileName))}]";

    /// <summary>The conversation as text, author and time on every line (internal notes stay on the Desk).</summary>
    internal static string Transcript(IEnumerable<ChatMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var m in messages)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{m.CreatedAt:yyyy-MM-dd HH:mm} UTC] {m.AuthorName} ({m.AuthorKind}): {Said(m)}\n");
        }
        const string Cut = "\n[The transcript continues in the chat on the Desk.]";
        return text.Length <= OpenTicket.MaxBody ? text.ToString().TrimEnd() : text.ToString(0, OpenTicket.MaxBody - Cut.Length) + Cut;
    }
}
