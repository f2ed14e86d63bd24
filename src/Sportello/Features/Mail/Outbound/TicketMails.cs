using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Mail.Outbound;

/// <summary>
/// The mails a ticket causes, each written into the caller's unit of work: to the customer (registered address and
/// confirmed support addresses) or, for a stranger's mail, to the address it came from; to agents for escalations.
/// </summary>
public sealed class TicketMails(Outbox outbox, IOptions<MailOptions> options)
{
    public static string SubjectToken(string number) => $"[#{number}]";

    /// <summary>Who hears about a ticket: never an unconfirmed or undeliverable extra address.</summary>
    public async Task<List<Recipient>> RecipientsAsync(SportelloDb db, Ticket ticket, User? customer = null, CancellationToken cancellationToken = default)
    {
        if (ticket.CustomerId is not { } customerId)
        {
            return ticket.RequesterEmail is { } requester ? [new Recipient(requester, null, options.Value.StrangerLanguage, "Europe/Rome")] : [];
        }
        customer ??= await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
        return Recipients(customer, await db.NotificationAddresses.AsNoTracking().Where(a => a.UserId == customerId).Where(HearTickets)
            .Select(a => a.Address).ToListAsync(cancellationToken));
    }

    /// <summary>
    /// Which of a customer's extra addresses hear about their tickets (support ones, confirmed, deliverable): a caller
    /// picks the customer's and folds this into its query, compiled or not
    /// (<c>db.NotificationAddresses.Where(a => a.UserId == customerId).Where(TicketMails.HearTickets)</c>).
    /// </summary>
    public static readonly Expression<Func<NotificationAddress, bool>> HearTickets =
        a => a.Type == NotificationTypes.Support && a.ConfirmedAt != null && a.UndeliverableAt == null;

    /// <summary>A customer's recipients: their registered address, then <paramref name="supportAddresses"/> (those <see cref="HearTickets"/> selects).</summary>
    public static List<Recipient> Recipients(User customer, IEnumerable<string> supportAddresses) =>
        [new Recipient(customer.Email!, customer.Name, customer.Language, customer.TimeZone),
            ..supportAddresses.Where(a => !string.Equals(a, customer.Email, StringComparison.OrdinalIgnoreCase))
                .Select(a => new Recipient(a, customer.Name, customer.Language, customer.TimeZone))];

    /// <summary>The acknowledgement of a new ticket, with its number in the subject.</summary>
    public async Task<List<OutboxMessage>> OpenedAsync(Ticket ticket, IReadOnlyList<Recipient> recipients, string? firstMessageId = null)
    {
        var composed = new List<OutboxMessage>();
        foreach (var to in recipients)
        {
            var mail = Outbox.InLanguage(to.Language, () => ticket.Trust == SenderTrust.Unverified
                ? new OutgoingMail(MailKinds.AutoReply, to, $"{SubjectToken(ticket.Number)} {ticket.Subject}",
                    [outbox.T("Hello,"),
                     outbox.T("we have received your message and opened conversation {0}. We answer general questions from any address.", ticket.Number),
                     outbox.T("We cannot discuss accounts, services, invoices or emergencies with an address we do not know: for those, write from the address registered with your account, or open a ticket in the Client Area."),
                     outbox.T("The Sportello support team")],
                    "opened", ticket.Id, outbox.PublicUrl, outbox.T("Client Area"), AutoReply: true, References: Quote(firstMessageId))
                : new OutgoingMail(MailKinds.TicketOpened, to, $"{SubjectToken(ticket.Number)} {ticket.Subject}",
                    [outbox.T("Hello {0},", to.Name ?? ""),
                     outbox.T("we have received your request and opened ticket {0} ({1}, {2} priority).", ticket.Number,
                        outbox.T(Labels.Department(ticket.Department)), outbox.T(Labels.Priority(ticket.Priority))),
                     outbox.T("We aim to answer by {0}.", Display.LocalTime(ticket.FirstResponseDueAt, to.TimeZone)),
                     outbox.T("To add information, reply to this mail."),
                     outbox.T("The Sportello support team")],
                    "opened", ticket.Id, $"{outbox.PublicUrl}/tickets/{ticket.Id}", outbox.T("Follow the ticket in the Client Area"),
                    AutoReply: ticket.Channel == Channels.Email, References: Quote(firstMessageId)));
            composed.Add(await outbox.ComposeAsync(mail));
        }
        return composed;
    }

    /// <summary>An agent's public reply, sent in full so the customer can answer by mail.</summary>
    public async Task<List<OutboxMessage>> AgentRepliedAsync(SportelloDb db, Ticket ticket, TicketMessage reply, CancellationToken cancellationToken = default)
    {
        var composed = new List<OutboxMessage>();
        foreach (var to in await RecipientsAsync(db, ticket, cancellationToken: cancellationToken))
        {
            var mail = Outbox.InLanguage(to.Language, () => new OutgoingMail(MailKinds.AgentReply, to,
                $"Re: {SubjectToken(ticket.Number)} {ticket.Subject}",
                [outbox.T("{0} wrote:", reply.AuthorName), reply.Body, outbox.T("To answer, reply to this mail.")],
                $"message:{reply.Id}", ticket.Id, TicketLink(ticket), outbox.T("Follow the ticket in the Client Area")));
            composed.Add(await outbox.ComposeAsync(mail));
        }
        return composed;
    }

    public async Task<List<OutboxMessage>> StatusChangedAsync(SportelloDb db, Ticket ticket, Guid eventId, CancellationToken cancellationToken = default)
    {
        var composed = new List<OutboxMessage>();
        foreach (var to in await RecipientsAsync(db, ticket, cancellationToken: cancellationToken))
        {
            var mail = Outbox.InLanguage(to.Language, () => new OutgoingMail(MailKinds.StatusChanged, to,
                $"{SubjectToken(ticket.Number)} {ticket.Subject}: {outbox.T(Labels.Status(ticket.Status))}",
                [outbox.T("Ticket {0} is now: {1}.", ticket.Number, outbox.T(Labels.Status(ticket.Status))),
                 outbox.T("To add information, reply to this mail.")],
                $"status:{eventId}", ticket.Id, TicketLink(ticket), outbox.T("Follow the ticket in the Client Area")));
            composed.Add(await outbox.ComposeAsync(mail));
        }
        return composed;
    }

    /// <summary>
    /// The targets missed in one pass of the SLA monitor, one mail per recipient: who has one ticket gets that ticket's
    /// mail; who has several gets one digest listing them all (each breach's recipients: its department's agents and the on-call contact).
    /// </summary>
    public async Task<List<OutboxMessage>> EscalatedAsync(IEnumerable<(Ticket Ticket, IReadOnlyList<User> Recipients)> breaches, DateTime breachedAt)
    {
        var byRecipient = new Dictionary<Guid, (User Agent, List<Ticket> Tickets)>();
        foreach (var (ticket, recipients) in breaches)
        {
            foreach (var agent in recipients)
            {
                if (!byRecipient.TryGetValue(agent.Id, out var entry))
                {
                    byRecipient[agent.Id] = entry = (agent, []);
                }
                entry.Tickets.Add(ticket);
            }
        }
        var composed = new List<OutboxMessage>(byRecipient.Count);
        foreach (var (agent, tickets) in byRecipient.Values)
        {
            var to = new Recipient(agent.Email!, agent.Name, agent.Language, agent.TimeZone);
            var mail = Outbox.InLanguage(to.Language, () => tickets.Count == 1 ? Escalation(tickets[0], to, breachedAt) : Digest(tickets, to, breachedAt));
            composed.Add(await outbox.ComposeAsync(mail));
        }
        return composed;
    }

    // One missed target: threaded on the ticket, so the agent may answer the customer by replying.
    private OutgoingMail Escalation(Ticket ticket, Recipient to, DateTime breachedAt) => new(MailKinds.SlaEscalation, to,
        $"{SubjectToken(ticket.Number)} {outbox.T("Response target missed")}: {ticket.Subject}",
        [outbox.T("Ticket {0} ({1}, {2} priority) missed its response target, due {3}.", ticket.Number,
            outbox.T(Labels.Department(ticket.Department)), outbox.T(Labels.Priority(ticket.Priority)), Due(ticket, to)),
         outbox.T("You may answer the customer by replying to this mail from your registered address, if your mail is signed (DKIM); otherwise answer on the Desk.")],
        $"breach:{ticket.Id}:{breachedAt:O}", ticket.Id, DeskLink(ticket), outbox.T("Open it on the Desk"));

    // Several missed targets: one mail naming each, threaded on none (a reply could not say which ticket it answers).
    private OutgoingMail Digest(List<Ticket> tickets, Recipient to, DateTime breachedAt) => new(MailKinds.SlaEscalation, to,
        outbox.T("{0} tickets missed their response target", tickets.Count),
        [outbox.T("These tickets missed their response target:"),
         ..tickets.OrderBy(t => t.DueAt).ThenBy(t => t.Number, StringComparer.Ordinal).Select(t => outbox.T("{0} {1} ({2}, {3} priority), due {4}: {5}",
            SubjectToken(t.Number), t.Subject, outbox.T(Labels.Department(t.Department)), outbox.T(Labels.Priority(t.Priority)), Due(t, to), DeskLink(t))),
         outbox.T("Answer them on the Desk.")],
        $"breaches:{breachedAt:O}:{string.Join(',', tickets.Select(t => t.Id).Order())}", null, $"{outbox.PublicUrl}/desk", outbox.T("Open the Desk"));

    private static string Due(Ticket ticket, Recipient to) => ticket.DueAt is { } due ? Display.LocalTime(due, to.TimeZone) : "";

    private string DeskLink(Ticket ticket) => $"{outbox.PublicUrl}/desk/tickets/{ticket.Id}";

    /// <summary>An agent's mail reply that could not be trusted: it was not added, and they are told why.</summary>
    public Task<OutboxMessage> AgentReplyRefusedAsync(Ticket ticket, User agent, Guid inboundId, string reason)
    {
        var to = new Recipient(agent.Email!, agent.Name, agent.Language);
        var mail = Outbox.InLanguage(to.Language, () => new OutgoingMail(MailKinds.AgentReplyRefused, to,
            $"{outbox.T("Not added")}: {SubjectToken(ticket.Number)} {ticket.Subject}",
            [outbox.T("Your mail reply to ticket {0} was not added: {1}", ticket.Number, outbox.T(reason)),
             outbox.T("Agents may answer by mail only when the mail is signed (DKIM) for the registered address and replies to a Sportello notification. Answer on the Desk instead.")],
            $"refused:{inboundId}", ticket.Id, $"{outbox.PublicUrl}/desk/tickets/{ticket.Id}", outbox.T("Open it on the Desk")));
        return outbox.ComposeAsync(mail);
    }

    private string TicketLink(Ticket ticket) => ticket.CustomerId is null ? outbox.PublicUrl : $"{outbox.PublicUrl}/tickets/{ticket.Id}";

    private static string[]? Quote(string? messageId) => messageId is null ? null : [messageId];
}
