using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Features.Sla;

/// <summary>
/// Marks tickets at risk (80 % of the running target) and breached, each once per target, records the event in the
/// audit trail, counts it, and tells the Desk; a pass mails each recipient once (a digest when several of their
/// tickets breached). Safe with several nodes: each mark is a conditional update, so only one node wins it.
/// </summary>
public sealed class SlaMonitor(
    IServiceScopeFactory scopes, TimeProvider clock, ILogger<SlaMonitor> logger, IMeterFactory meters, IConfiguration configuration)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private const int Batch = 500;
    private static readonly TimeSpan RollUpInterval = TimeSpan.FromMinutes(1);
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
            await RollUpAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private DateTime rolledUp = DateTime.MinValue;

    // The SLA report's hours, counted again once a minute (the first time, every existing hour).
    private async Task RollUpAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (now - rolledUp < RollUpInterval)
        {
            return;
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var counted = await SlaRollup.RollUpAsync(scope.ServiceProvider.GetRequiredService<SportelloDb>(), now, cancellationToken);
            rolledUp = now;
            logger.LogDebug("SLA roll-up counted {Hours} hours", counted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "SLA roll-up failed; reports read more hours live from the tickets until one succeeds");
        }
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
        var atRisk = await AtRiskDue(db.Tickets.AsNoTracking(), now).ToListAsync(cancellationToken);
        var due = breaching.UnionBy(atRisk, t => t.Id).OrderBy(t => t.DueAt).Take(Batch).ToList();
        if (due.Count == 0)
        {
            return 0;
        }
        var pass = new Pass(db, signals, mails, now, await OnCallAsync(db, cancellationToken));
        try
        {
            return await MarkAsync(pass, due, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One ticket that cannot be marked must not hold up every other ticket's escalation: the pass goes on one by one.
            logger.LogWarning(ex, "SLA marks of {Count} tickets failed together; marking them one by one", due.Count);
            db.ChangeTracker.Clear();
        }
        var marks = 0;
        foreach (var ticket in due)
        {
            try
            {
                marks += await MarkAsync(pass, [ticket], cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not mark ticket {Number}; the others go on", ticket.Number);
                db.ChangeTracker.Clear();
            }
        }
        return marks;
    }

    /// <summary>
    /// The tickets whose at-risk mark has fallen due, oldest first. Only a pending mark holds an <c>AtRiskDueAt</c>
    /// (a mark made clears it), so PostgreSQL estimates this read from that column alone and walks the partial index:
    /// while made marks kept theirs, it expected a tenth of a desk of 5,000,000 tickets here, and sorted them with
    /// parallel workers and JIT compilation, 250 ms a sweep with nothing due (bench/README.md).
    /// </summary>
    internal static IQueryable<Ticket> AtRiskDue(IQueryable<Ticket> tickets, DateTime now) => tickets
        .Where(t => t.AtRiskDueAt != null && t.AtRiskAt == null && t.AtRiskDueAt <= now && t.DueAt != null && TicketStatus.WaitingOnSupport.Contains(t.Status))
        .OrderBy(t => t.AtRiskDueAt).Take(Batch);

    /// <summary>What a pass shares among its marks: the unit of work, the instant, the on-call contact and each department's agents.</summary>
    private sealed record Pass(SportelloDb Db, TicketSignals Signals, TicketMails Mails, DateTime Now, User? OnCall)
    {
        public Dictionary<string, List<User>> Recipients { get; } = new(StringComparer.Ordinal);
    }

    // A breach is mailed to the department's agents and the on-call contact: read once per department and pass.
    private static async Task<List<User>> EscalationRecipientsAsync(Pass pass, string department, CancellationToken cancellationToken)
    {
        if (!pass.Recipients.TryGetValue(department, out var agents))
        {
            agents = await new DeskAccess(pass.Db).AgentsOf(department).AsNoTracking().ToListAsync(cancellationToken);
            if (pass.OnCall is { } onCall && agents.All(a => a.Id != onCall.Id))
            {
                agents.Add(onCall);
            }
            pass.Recipients[department] = agents;
        }
        return agents;
    }

    // Each breach with its recipients, so every recipient gets one mail for the pass (a digest when several tickets).
    private static async Task<List<OutboxMessage>> EscalationsAsync(Pass pass, IEnumerable<Ticket> breaches, CancellationToken cancellationToken)
    {
        var recipients = new List<(Ticket, IReadOnlyList<User>)>();
        foreach (var ticket in breaches)
        {
            recipients.Add((ticket, await EscalationRecipientsAsync(pass, ticket.Department, cancellationToken)));
        }
        return await pass.Mails.EscalatedAsync(recipients, pass.Now);
    }

    /// <summary>
    /// Marks the tickets in one transaction: a conditional update per mark kind (only tickets still unmarked and still
    /// due are won, so with several nodes each mark is made once), then the audit entries and the breaches' mails, one
    /// commit. The mails are composed before the transaction for every breach read, so the writer is held for the
    /// writes alone; only when another node won some of them, or one was retargeted, are they composed again for what this pass won.
    /// </summary>
    private async Task<int> MarkAsync(Pass pass, IReadOnlyList<Ticket> tickets, CancellationToken cancellationToken)
    {
        var (db, now) = (pass.Db, pass.Now);
        var breaches = tickets.Where(t => t.DueAt <= now).ToList();
        var risks = tickets.Where(t => t.DueAt > now).ToList();
        var escalations = breaches.Count > 0 ? await EscalationsAsync(pass, breaches, cancellationToken) : [];
        // The mark, its audit entry and its mails commit together, so an event is never lost between them nor sent twice.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var breachIds = breaches.Select(t => t.Id).ToList();
        var riskIds = risks.Select(t => t.Id).ToList();
        // Each update renews the versions of the tickets it wins with one value of its own, which then names them.
        var breachPass = Guid.NewGuid();
        var riskPass = Guid.NewGuid();
        if (breachIds.Count > 0)
        {
            await db.Tickets.Where(t => breachIds.Contains(t.Id) && t.BreachedAt == null && t.DueAt != null && t.DueAt <= now
                    && TicketStatus.WaitingOnSupport.Contains(t.Status))
                .ExecuteUpdateAsync(t => t
                    .SetProperty(x => x.Version, breachPass)
                    .SetProperty(x => x.BreachedAt, now)
                    .SetProperty(x => x.AtRiskAt, x => x.AtRiskAt ?? now)
                    .SetProperty(x => x.AtRiskDueAt, (DateTime?)null)
                    .SetProperty(x => x.FirstResponseBreached, x => x.FirstResponseBreached || x.FirstRespondedAt == null), cancellationToken);
        }
        if (riskIds.Count > 0)
        {
            await db.Tickets.Where(t => riskIds.Contains(t.Id) && t.AtRiskAt == null && t.AtRiskDueAt != null && t.AtRiskDueAt <= now
                    && t.DueAt != null && t.DueAt > now && TicketStatus.WaitingOnSupport.Contains(t.Status))
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.AtRiskAt, now).SetProperty(x => x.AtRiskDueAt, (DateTime?)null)
                    .SetProperty(x => x.Version, riskPass), cancellationToken);
        }
        var ids = breachIds.Concat(riskIds).ToList();
        var won = await db.Tickets.AsNoTracking().Where(t => ids.Contains(t.Id) && (t.Version == breachPass || t.Version == riskPass))
            .Select(t => new { t.Id, t.DueAt, Breached = t.Version == breachPass }).ToListAsync(cancellationToken);
        if (won.Count == 0)
        {
            return 0;
        }
        var read = tickets.ToDictionary(t => t.Id);
        var marked = new List<(Ticket Ticket, string Kind)>();
        var recompose = false;
        foreach (var mark in won)
        {
            var ticket = read[mark.Id];
            var kind = mark.Breached ? TicketEventKinds.SlaBreached : TicketEventKinds.SlaAtRisk;
            if (ticket.DueAt != mark.DueAt)
            {
                // Retargeted between the read and the mark (still due): the entry and the mail name the target it missed.
                ticket.DueAt = mark.DueAt;
                recompose |= mark.Breached;
            }
            TicketAudit.Record(db, ticket.Id, null, kind, ticket.DueAt!.Value.ToString("O"), now);
            marked.Add((ticket, kind));
        }
        var wonBreaches = marked.Where(m => m.Kind == TicketEventKinds.SlaBreached).Select(m => m.Ticket).ToList();
        // A breach another node won is in its digest, not in this one.
        if (recompose || wonBreaches.Count != breaches.Count)
        {
            escalations = wonBreaches.Count > 0 ? await EscalationsAsync(pass, wonBreaches, cancellationToken) : [];
        }
        db.OutboxMessages.AddRange(escalations);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        foreach (var (ticket, kind) in marked)
        {
            Announce(pass, ticket, kind);
        }
        return marked.Count;
    }

    // After the commit: the metric, the log line, and the Desk's live view.
    private void Announce(Pass pass, Ticket ticket, string kind)
    {
        var breach = kind == TicketEventKinds.SlaBreached;
        (breach ? breached : atRisk).Add(1,
            new KeyValuePair<string, object?>("department", ticket.Department),
            new KeyValuePair<string, object?>("priority", ticket.Priority),
            new KeyValuePair<string, object?>("channel", ticket.Channel));
        pass.Signals.Changed(ticket, kind, customerMaySee: false);
        if (breach)
        {
            logger.LogWarning("Ticket {Number} ({Department}, {Priority}) missed its response target due {DueAt:O}",
                ticket.Number, ticket.Department, ticket.Priority, ticket.DueAt);
            pass.Signals.Escalated(ticket, pass.OnCall?.Id);
        }
    }
}
