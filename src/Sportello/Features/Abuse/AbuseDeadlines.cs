using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Abuse;

/// <summary>
/// The case's SLA: a forwarded case whose deadline passes without an answer from the customer is escalated, once, with
/// its audit entry. Safe on every node: each escalation is a conditional update, so only one node makes it.
/// </summary>
public sealed class AbuseDeadlines(IServiceScopeFactory scopes, TimeProvider clock, ILogger<AbuseDeadlines> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

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
                logger.LogError(ex, "Abuse deadline sweep failed; retrying at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: escalates every forwarded case past its deadline. Returns how many this node escalated.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.AbuseCases.AsNoTracking().Where(c => c.State == AbuseStates.Forwarded && c.RespondBy <= now)
            .OrderBy(c => c.RespondBy).Take(500).Select(c => new { c.Id, c.RespondBy }).ToListAsync(cancellationToken);
        var escalated = 0;
        foreach (var c in due)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var won = await db.AbuseCases.Where(x => x.Id == c.Id && x.State == AbuseStates.Forwarded && x.RespondBy == c.RespondBy)
                .ExecuteUpdateAsync(x => x.SetProperty(p => p.State, AbuseStates.Escalated).SetProperty(p => p.EscalatedAt, now)
                    .SetProperty(p => p.Version, Guid.NewGuid()), cancellationToken);
            if (won == 0)
            {
                continue;
            }
            await AbuseAudit.RecordAsync(db, c.Id, null, AbuseEventKinds.Escalated, $"no answer by {AbuseAudit.Utc(c.RespondBy)}", now);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            escalated++;
        }
        return escalated;
    }
}
