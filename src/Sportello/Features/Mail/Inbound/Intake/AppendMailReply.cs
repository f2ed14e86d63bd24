using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>
/// A mail that continues a ticket (<see cref="ThreadInboundMail"/>): the customer's reply, an agent's authenticated
/// answer, or automatic mail (an out-of-office, a read receipt), kept as an agents-only note that reopens nothing,
/// answers nobody and is never shown under anyone's name as trusted. An agent's address proves nothing by itself:
/// an unauthenticated mail from it is refused, and the agent told (unless it was automatic).
/// </summary>
public sealed class AppendMailReply(SportelloDb db, MailMessages messages, ReplyToTicket replies, TicketMails mails, AnswerBudget budget, DeskAccess access)
{
    public async Task<ReceiveInboundMail.Result> HandleAsync(
        InboundMessage inbound, ParsedMail mail, ThreadMatch match, SenderCheckResult check, string? noAutoAnswer, MailText.Content content,
        DateTime now, CancellationToken cancellationToken)
    {
        var (ticket, agent) = match;
        inbound.TicketId = ticket.Id;
        if (agent is not null && !(await access.ScopeAsync(agent.Id, cancellationToken)).Covers(ticket.Department))
        {
            // The ticket moved to a department the agent does not work: their mail is not an answer there.
            inbound.Outcome = InboundOutcomes.AgentReplyRefused;
            inbound.Reason = "The agent does not work this ticket's department";
            return new ReceiveInboundMail.Result(null, null);
        }
        if (agent is not null && check.Verdict != SenderVerdicts.Pass)
        {
            inbound.Outcome = InboundOutcomes.AgentReplyRefused;
            inbound.Reason = "An agent's mail reply must be authenticated (DKIM or a trusted MTA)";
            // The From may be forged: the agent hears of it at most once per interval, and never about automatic mail.
            if (noAutoAnswer is null && await budget.TrySpendAsync(agent.Email!.ToLowerInvariant(), now, cancellationToken))
            {
                db.OutboxMessages.Add(await mails.AgentReplyRefusedAsync(ticket, agent, inbound.Id,
                    check.Verdict == SenderVerdicts.Fail ? "its signature failed verification." : "it carried no signature we could verify."));
            }
            return new ReceiveInboundMail.Result(null, null);
        }
        if (noAutoAnswer is not null)
        {
            var note = await messages.NewAsync(ticket,
                new MailMessages.Author(null, AuthorKinds.System, MailFields.Display(mail.Message, mail.From), SenderTrust.Unverified),
                inbound, content, now, cancellationToken);
            note.Internal = true;
            note.QuotedText = null;
            inbound.Outcome = InboundOutcomes.Appended;
            inbound.Reason = $"Automatic mail kept as an internal note: {noAutoAnswer}";
            return new ReceiveInboundMail.Result(ticket, await replies.AppendAsync(ticket, note, cancellationToken));
        }
        if (agent is not null)
        {
            var answer = await messages.NewAsync(ticket, new MailMessages.Author(agent.Id, AuthorKinds.Agent, agent.Name, SenderTrust.Verified),
                inbound, content, now, cancellationToken);
            // What an agent quotes is our notification to them (internal): the customer sees only what they wrote.
            answer.QuotedText = null;
            inbound.Outcome = InboundOutcomes.AgentReplied;
            return new ReceiveInboundMail.Result(ticket, await replies.AppendAsync(ticket, answer, cancellationToken));
        }
        var customer = ticket.CustomerId is { } owner ? await db.Users.AsNoTracking().SingleAsync(u => u.Id == owner, cancellationToken) : null;
        var trust = MessageTrust.Of(knownSender: customer is not null, check, automatic: false);
        var reply = await messages.NewAsync(ticket,
            new MailMessages.Author(customer?.Id, AuthorKinds.Customer, customer?.Name ?? MailFields.Display(mail.Message, mail.From), trust),
            inbound, content, now, cancellationToken);
        inbound.Outcome = InboundOutcomes.Appended;
        return new ReceiveInboundMail.Result(ticket, await replies.AppendAsync(ticket, reply, cancellationToken));
    }
}
