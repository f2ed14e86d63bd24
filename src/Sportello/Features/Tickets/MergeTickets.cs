using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>Folds a duplicate ticket into another of the same customer: messages and files move, the duplicate closes.</summary>
public sealed class MergeTickets(SportelloDb db, TimeProvider clock, TicketSignals signals, DeskAccess access)
{
    /// <summary>Null when the duplicate does not exist.</summary>
    public async Task<Outcome<Ticket>?> HandleAsync(User agent, Guid duplicateId, string? into, CancellationToken cancellationToken = default)
    {
        // Both tickets must be in the agent's departments: another department's ticket is not there to merge into.
        var visible = (await access.ScopeAsync(agent.Id, cancellationToken)).Tickets(db.Tickets);
        var duplicate = await visible.FirstOrDefaultAsync(t => t.Id == duplicateId, cancellationToken);
        if (duplicate is null)
        {
            return null;
        }
        var number = (into ?? "").Trim().TrimStart('#').ToUpperInvariant();
        // Only an id or a well-formed number is looked up: anything else names no ticket.
        var target = Guid.TryParse(into, out var targetId)
            ? await visible.FirstOrDefaultAsync(t => t.Id == targetId, cancellationToken)
            : TicketNumbers.IsValid(number) ? await visible.FirstOrDefaultAsync(t => t.Number == number, cancellationToken) : null;
        var errors = new ValidationErrors();
        if (target is null)
        {
            errors.Add("into", "into must name an existing ticket, by id or number.");
        }
        else if (target.Id == duplicate.Id)
        {
            errors.Add("into", "A ticket cannot be merged into itself.");
        }
        // Tickets without an account belong to whoever wrote them: two strangers' mail never joins.
        else if (target.CustomerId != duplicate.CustomerId
            || (target.CustomerId is null && !string.Equals(target.RequesterEmail, duplicate.RequesterEmail, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add("into", "Only tickets of the same customer can be merged.");
        }
        else if (target.MergedIntoId is not null || duplicate.MergedIntoId is not null)
        {
            errors.Add("into", "One of these tickets was already merged.");
        }
        if (errors.Any)
        {
            return Outcome<Ticket>.Invalid(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.TicketMessages.Where(m => m.TicketId == duplicate.Id)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.TicketId, target!.Id), cancellationToken);
        await db.Attachments.Where(a => a.TicketId == duplicate.Id)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.TicketId, target!.Id), cancellationToken);
        // A question still waiting on support keeps waiting, now on the ticket it joined.
        if (Sla.SlaClock.WaitsOnSupport(duplicate.Status) && !Sla.SlaClock.WaitsOnSupport(target!.Status))
        {
            target.Status = TicketStatus.CustomerReply;
            target.ClosedAt = null;
            var policy = await db.SlaPolicies.SingleAsync(p => p.Channel == target.Channel && p.Priority == target.Priority, cancellationToken);
            Sla.SlaClock.CustomerReplied(target, policy, now);
        }
        duplicate.MergedIntoId = target!.Id;
        duplicate.Status = TicketStatus.Closed;
        duplicate.ClosedAt = now;
        duplicate.UpdatedAt = now;
        Sla.SlaClock.Stop(duplicate);
        target.UpdatedAt = now;
        TicketAudit.Record(db, duplicate.Id, agent.Id, TicketEventKinds.MergedInto, target.Number, now);
        TicketAudit.Record(db, target.Id, agent.Id, TicketEventKinds.Merged, duplicate.Number, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        signals.Changed(duplicate, TicketEventKinds.MergedInto);
        signals.Changed(target, TicketEventKinds.Merged);
        return Outcome<Ticket>.Ok(target);
    }
}
