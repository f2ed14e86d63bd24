using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>
/// A mail that continues nothing opens a ticket: for the customer whose registered (or confirmed support) address
/// wrote, within the customer's ticket limit; else a general conversation with the stranger, never tied to an account
/// on the strength of a From header (mail to the abuse address is an abuse report instead). A registered customer's
/// new ticket is acknowledged with its number; strangers within the answer budget; automatic mail never.
/// </summary>
public sealed class OpenMailTicket(
    SportelloDb db, MailMessages messages, TicketMails mails, AnswerBudget budget, MailTicketLimit limit, IOptions<MailOptions> options)
{
    // Numbers handed out in this unit of work, not yet stored.
    private readonly HashSet<string> numbersIssued = [];

    public async Task<ReceiveInboundMail.Result> HandleAsync(
        InboundMessage inbound, ParsedMail mail, SenderCheckResult check, string? noAutoAnswer, MailText.Content content, DateTime now,
        CancellationToken cancellationToken)
    {
        var customer = check.Verdict == SenderVerdicts.Fail ? null : await CustomerAsync(mail.From, cancellationToken);
        if (customer is not null && !await limit.TryOpenAsync(customer.Id, now, cancellationToken))
        {
            // Stored (the 250 stands) and kept for an admin, but no ticket and no answer.
            return ReceiveInboundMail.Quarantine(inbound, MailTicketLimit.Reason);
        }
        var policy = await db.SlaPolicies.SingleAsync(p => p.Channel == Channels.Email && p.Priority == Priorities.Normal, cancellationToken);
        var subject = MailFields.OneLine(mail.Message.Subject);
        var ticket = OpenTicket.NewTicket(customer?.Id, options.Value.DepartmentFor(mail.Recipients), Priorities.Normal, Channels.Email,
            subject.Length > OpenTicket.MaxSubject ? subject[..OpenTicket.MaxSubject] : subject, policy, now);
        ticket.RequesterEmail = MailFields.Cap(mail.From, 320);
        ticket.Trust = MessageTrust.Of(knownSender: customer is not null, check, automatic: false);
        ticket.Number = await UnusedNumberAsync(cancellationToken);
        db.Tickets.Add(ticket);
        var author = new MailMessages.Author(customer?.Id, AuthorKinds.Customer, customer?.Name ?? MailFields.Display(mail.Message, mail.From),
            MessageTrust.Of(knownSender: customer is not null, check, automatic: noAutoAnswer is not null));
        db.TicketMessages.Add(await messages.NewAsync(ticket, author, inbound, content, now, cancellationToken));
        TicketAudit.Record(db, ticket.Id, customer?.Id, TicketEventKinds.Created, $"{ticket.Department}, {ticket.Priority}, email, {ticket.Trust}", now);
        inbound.Outcome = InboundOutcomes.TicketOpened;
        inbound.TicketId = ticket.Id;

        if (noAutoAnswer is not null)
        {
            inbound.Reason = $"No acknowledgement: {noAutoAnswer}";
        }
        else if (customer is not null || await budget.TrySpendAsync(mail.From, now, cancellationToken))
        {
            db.OutboxMessages.AddRange(await mails.OpenedAsync(ticket, await mails.RecipientsAsync(db, ticket, customer, cancellationToken), mail.Message.MessageId));
        }
        else
        {
            inbound.Reason = $"No acknowledgement: this address had one in the last {options.Value.AutoReplyIntervalMinutes} minutes";
        }
        return new ReceiveInboundMail.Result(ticket, TicketEventKinds.Created);
    }

    private async Task<User?> CustomerAsync(string from, CancellationToken cancellationToken)
    {
        var normalized = from.ToUpperInvariant();
        var customerRole = Guid.Parse(Roles.CustomerRoleId);
        var registered = await db.Users.AsNoTracking()
            .FirstOrDefaultAsync(u => u.NormalizedEmail == normalized && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == customerRole), cancellationToken);
        if (registered is not null)
        {
            return registered;
        }
        var extra = await db.NotificationAddresses.AsNoTracking()
            .Where(a => a.Address == from && a.Type == NotificationTypes.Support && a.ConfirmedAt != null)
            .Select(a => a.UserId).Distinct().Take(2).ToListAsync(cancellationToken);
        // An address confirmed by two customers says nothing about which one wrote.
        return extra.Count == 1 ? await db.Users.AsNoTracking().SingleAsync(u => u.Id == extra[0], cancellationToken) : null;
    }

    private async Task<string> UnusedNumberAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var number = TicketNumbers.New();
            if (!numbersIssued.Contains(number) && !await db.Tickets.AnyAsync(t => t.Number == number, cancellationToken))
            {
                numbersIssued.Add(number);
                return number;
            }
        }
    }
}
