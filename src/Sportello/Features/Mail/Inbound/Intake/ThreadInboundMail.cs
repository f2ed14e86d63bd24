using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound.Intake;

/// <summary>The ticket a mail continues, and who wrote it there: an agent, or someone who may write on the ticket.</summary>
public sealed record ThreadMatch(Ticket Ticket, User? Agent);

/// <summary>
/// Finds the ticket a mail replies to. A reply joins its ticket only when it proves the thread (our signed
/// Message-ID in In-Reply-To or References) and comes from someone who may write there, or quotes the number
/// <c>[#KQF-482913]</c> and is authenticated as the ticket's owner. A mail from an agent's address on a thread is
/// returned with the agent, to be judged as an agent's reply; a From header alone gives nobody anything.
/// </summary>
public sealed partial class ThreadInboundMail(SportelloDb db, MailTokens tokens, DeskAccess access)
{
    public async Task<ThreadMatch?> FindAsync(MimeMessage message, string from, SenderCheckResult check, CancellationToken cancellationToken)
    {
        var ids = message.References.Prepend(message.InReplyTo ?? "").Where(i => i.Length > 0);
        if (await tokens.TicketOfAsync(ids) is { } ticketId && await FollowMergesAsync(ticketId, cancellationToken) is { } ticket)
        {
            if (await AgentAsync(from, cancellationToken) is { } agent)
            {
                return new ThreadMatch(ticket, agent);
            }
            return check.Verdict != SenderVerdicts.Fail && await MayWriteOnAsync(ticket, from, cancellationToken) ? new ThreadMatch(ticket, null) : null;
        }
        if (check.Verdict == SenderVerdicts.Pass && SubjectNumber().Match(message.Subject ?? "") is { Success: true } token)
        {
            var number = token.Groups[1].Value;
            var byNumber = await db.Tickets.FirstOrDefaultAsync(t => t.Number == number, cancellationToken);
            if (byNumber is { CustomerId: not null } && await FollowMergesAsync(byNumber.Id, cancellationToken) is { } owned
                && await MayWriteOnAsync(owned, from, cancellationToken))
            {
                return new ThreadMatch(owned, null);
            }
        }
        return null;
    }

    private async Task<Ticket?> FollowMergesAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
            if (ticket?.MergedIntoId is not { } next)
            {
                return ticket;
            }
            ticketId = next;
        }
        return null;
    }

    /// <summary>The ticket's customer (registered or confirmed support address), or for a stranger's ticket, that stranger.</summary>
    private async Task<bool> MayWriteOnAsync(Ticket ticket, string from, CancellationToken cancellationToken)
    {
        if (ticket.CustomerId is not { } customerId)
        {
            return string.Equals(ticket.RequesterEmail, from, StringComparison.OrdinalIgnoreCase);
        }
        var normalized = from.ToUpperInvariant();
        return await db.Users.AnyAsync(u => u.Id == customerId && u.NormalizedEmail == normalized, cancellationToken)
            || await db.NotificationAddresses.AnyAsync(a => a.UserId == customerId && a.Type == NotificationTypes.Support
                && a.Address == from && a.ConfirmedAt != null, cancellationToken);
    }

    private async Task<User?> AgentAsync(string from, CancellationToken cancellationToken)
    {
        var normalized = from.ToUpperInvariant();
        return await access.Agents().AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
    }

    [GeneratedRegex(@"\[#([A-Z]{3}-\d{6})\]", RegexOptions.CultureInvariant)]
    private static partial Regex SubjectNumber();
}
