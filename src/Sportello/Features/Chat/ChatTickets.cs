using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Mail.Inbound.Intake;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Features.Chat;

/// <summary>
/// Tickets that come from chat for someone without a verified account: unverified, with their email as requester,
/// answered like a stranger's mail (general answers only), acknowledged within the same per-address budget as mail.
/// </summary>
public sealed class ChatTickets(SportelloDb db, TicketMails mails, AnswerBudget budget, TimeProvider clock)
{
    /// <summary>Adds the ticket, its first message and its acknowledgement to the unit of work; the caller saves.</summary>
    public async Task<Ticket> AddStrangerAsync(string? name, string email, string department, string subject, string body,
        IReadOnlyList<AddAttachments.Upload>? files = null, Guid? sourceChatId = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var policy = await db.SlaPolicies.SingleAsync(p => p.Channel == Channels.Chat && p.Priority == Priorities.Normal, cancellationToken);
        var ticket = OpenTicket.NewTicket(null, department, Priorities.Normal, Channels.Chat, subject, policy, now);
        ticket.RequesterEmail = email;
        ticket.Trust = SenderTrust.Unverified;
        ticket.SourceChatId = sourceChatId;
        while (await db.Tickets.AnyAsync(t => t.Number == ticket.Number, cancellationToken))
        {
            ticket.Number = TicketNumbers.New();
        }
        db.Tickets.Add(ticket);
        var first = new TicketMessage
        {
            Id = Guid.CreateVersion7(), TicketId = ticket.Id, AuthorKind = AuthorKinds.Customer, AuthorName = name ?? email,
            Body = body, CreatedAt = now, Trust = SenderTrust.Unverified,
        };
        db.TicketMessages.Add(first);
        if (files is { Count: > 0 })
        {
            AddAttachments.Stage(db, ticket.Id, null, await AddAttachments.PrepareAsync(ticket.Id, first.Id, files, now, cancellationToken), now);
        }
        TicketAudit.Record(db, ticket.Id, null, TicketEventKinds.Created, $"{ticket.Department}, {ticket.Priority}, chat, {ticket.Trust}", now);
        // The same budget as a stranger's mail: an address typed in a chat cannot be made to receive a flood.
        if (await budget.TrySpendAsync(email, now, cancellationToken))
        {
            db.OutboxMessages.AddRange(await mails.OpenedAsync(ticket, await mails.RecipientsAsync(db, ticket, cancellationToken: cancellationToken)));
        }
        return ticket;
    }

    public static string Subject(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= OpenTicket.MaxSubject ? line : line[..(OpenTicket.MaxSubject - 1)] + "…";
    }
}
