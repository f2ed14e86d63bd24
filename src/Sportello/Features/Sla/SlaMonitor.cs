using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Features.Sla;

/// <summary>
/// Marks tickets at risk (80 % of the running target) and breached, each once per target, records the event in the
/// audit trail, counts it, and tells the Desk. Safe with several nodes: each mark is a conditional update, so only
/// one node wins it.
/// </summary>
public sealed class SlaMonitor(
    IServiceScopeFactory scopes, TimeProvider clock, ILogger<SlaMonitor> logger, IMeterFactory meters, IConfiguration configuration)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private const int Batch = 500;
    private readonly Counter<long> atRisk = meters.Create("Sportello").CreateCounter<long>("sportello.sla.at_risk", description: "Tickets that reached 80 % of a response target");
    private readonly Counter<long> breached = meters.Create("Sportello").CreateCounter<long>("sportello.sla.breached", description: "Tickets that missed a response target");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, TimeProvider.System);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "SLA sweep failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    // The on-call contact is an agent named by Sportello:Sla:OnCallEmail.
    private async Task<User?> OnCallAsync(SportelloDb db, CancellationToken cancellationToken)
    {
        var email = configuration["Sportello:Sla:OnCallEmail"];
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }
        var normalized = email.Trim().ToUpperInvariant();
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
    }

    // A breach is mailed to the department's agents and the on-call contact, in the mark's transaction.
    private static async Task<List<User>> EscalationRecipientsAsync(SportelloDb db, Ticket ticket, User? onCall, CancellationToken cancellationToken)
    {
        var agents = await new DeskAccess(db).AgentsOf(ticket.Department).AsNoTracking().ToListAsync(cancellationToken);
        if (onCall is not null && agents.All(a => a.Id != onCall.Id))
        {
            agents.Add(onCall);
        }
        return agents;
    }

    /// <summary>One pass over the tickets whose running target has crossed a mark. Returns the marks made.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var signals = scope.ServiceProvider.GetRequiredService<TicketSignals>();
        var mails = scope.ServiceProvider.GetRequiredService<TicketMails>();
        var now = clock.GetUtcNow().UtcDateTime;
        // Each mark read from its own partial index (running clocks not marked yet), so a pass costs what is due, not the table.
        var breaching = await db.Tickets.AsNoTracking()
            .Where(t => t.DueAt != null && t.BreachedAt == null && t.DueAt <= now && TicketStatus.WaitingOnSupport.Contains(t.Status))
            .OrderBy(t => t.DueAt).Take(Batch).ToListAsync(cancellationToken);
        var atRisk = await db.Tickets.AsNoTracking()
            .Where(t => t.AtRiskDueAt != null && t.AtRiskAt == null && t.AtRiskDueAt <= now && t.DueAt != null && TicketStatus.WaitingOnSupport.Contains(t.Status))
            .OrderBy(t => t.AtRiskDueAt).Take(Batch).ToListAsync(cancellationToken);
        var due = breaching.UnionBy(atRisk, t => t.Id).OrderBy(t => t.DueAt).Take(Batch).ToList();
        var marks = 0;
        foreach (var ticket in due)
        {
            try
            {
                if (await MarkAsync(db, signals, mails, ticket, now, cancellationToken))
                {
                    marks++;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One ticket that cannot be marked must not hold up every other ticket's escalation.
                logger.LogError(ex, "Could not mark ticket {Number}; the others go on", ticket.Number);
                db.ChangeTracker.Clear();
            }
        }
        return marks;
    }

    private async Task<bool> MarkAsync(SportelloDb db, TicketSignals signals, TicketMails mails, Ticket ticket, DateTime now, CancellationToken cancellationToken)
    {
        var kind = ticket.DueAt <= now ? TicketEventKinds.SlaBreached : TicketEventKinds.SlaAtRisk;
        // The mark and its audit entry commit together, so an event is never lost between them.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var won = kind == TicketEventKinds.SlaBreached
            ? await db.Tickets.Where(t => t.Id == ticket.Id && t.BreachedAt == null && t.DueAt == ticket.DueAt)
                .ExecuteUpdateAsync(t => t
                    .SetProperty(x => x.Version, Guid.NewGuid())
                    .SetProperty(x => x.BreachedAt, now)
                    .SetProperty(x => x.AtRiskAt, x => x.AtRiskAt ?? now)
                    .SetProperty(x => x.FirstResponseBreached, x => x.FirstResponseBreached || x.FirstRespondedAt == null), cancellationToken)
            : await db.Tickets.Where(t => t.Id == ticket.Id && t.AtRiskAt == null && t.DueAt == ticket.DueAt)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.AtRiskAt, now).SetProperty(x => x.Version, Guid.NewGuid()), cancellationToken);
        if (won == 0)
        {
            return false;
        }
        TicketAudit.Record(db, ticket.Id, null, kind, ticket.DueAt!.Value.ToString("O"), now);
        User? onCall = null;
        if (kind == TicketEventKinds.SlaBreached)
        {
            onCall = await OnCallAsync(db, cancellationToken);
            db.OutboxMessages.AddRange(await mails.EscalatedAsync(ticket, await EscalationRecipientsAsync(db, ticket, onCall, cancellationToken), now));
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        (kind == TicketEventKinds.SlaBreached ? breached : atRisk).Add(1,
            new KeyValuePair<string, object?>("department", ticket.Department),
            new KeyValuePair<string, object?>("priority", ticket.Priority),
            new KeyValuePair<string, object?>("channel", ticket.Channel));
        if (kind == TicketEventKinds.SlaBreached)
        {
            logger.LogWarning("Ticket {Number} ({Department}, {Priority}) missed its response target due {DueAt:O}",
                ticket.Number, ticket.Department, ticket.Priority, ticket.DueAt);
        }
        signals.Changed(ticket, kind, customerMaySee: false);
        if (kind == TicketEventKinds.SlaBreached)
        {
            signals.Escalated(ticket, onCall?.Id);
        }
        return true;
    }
}
