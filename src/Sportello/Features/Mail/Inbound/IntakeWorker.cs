using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// Turns stored mail into tickets, replies and reports. Messages are claimed (so several nodes share the work) and
/// handled in batches, each batch in one transaction with everything it causes (tickets, outbox mail, the message's
/// new state), so a crash anywhere leaves the message to be handled again, exactly once. A batch that fails is
/// redone message by message; a message that keeps failing is quarantined and the rest keep flowing.
/// </summary>
public sealed class IntakeWorker(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> options, MailPipelineState state, ILogger<IntakeWorker> logger)
    : BackgroundService
{
    public const int BatchSize = 32;
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Intake.Hold)
        {
            logger.LogWarning("Mail intake is on hold (Sportello:Mail:Intake:Hold): inbound mail is stored but not processed");
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                handled = await ProcessPendingAsync(stoppingToken);
                state.IntakePass(clock.GetUtcNow().UtcDateTime);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Mail intake pass failed; retrying shortly");
            }
            if (handled < BatchSize)
            {
                await MailWake.IntakeSignal.WaitAsync(IdlePoll, stoppingToken);
            }
        }
    }

    /// <summary>One pass: claims a batch of stored mail and handles it. Returns how many were claimed.</summary>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken = default)
    {
        var (claim, ids) = await ClaimAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return 0;
        }
        try
        {
            await ProcessAsync(claim, ids, cancellationToken);
        }
        catch (Exception batchFailure) when (batchFailure is not OperationCanceledException)
        {
            if (ids.Count == 1)
            {
                await FailedAsync(ids[0], batchFailure, cancellationToken);
                return 1;
            }
            logger.LogDebug(batchFailure, "An intake batch of {Count} failed; handling its messages one by one", ids.Count);
            foreach (var id in ids)
            {
                try
                {
                    await ProcessAsync(claim, [id], cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    await FailedAsync(id, ex, cancellationToken);
                }
            }
        }
        return ids.Count;
    }

    private async Task<(Guid Claim, List<Guid> Ids)> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var candidates = await db.InboundMessages.AsNoTracking()
            .Where(m => m.State == InboundStates.Received && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.ReceivedAt).Select(m => m.Id).Take(BatchSize).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return (Guid.Empty, []);
        }
        var claim = Guid.NewGuid();
        await db.InboundMessages
            .Where(m => candidates.Contains(m.Id) && m.State == InboundStates.Received && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, now + Claim).SetProperty(x => x.ClaimToken, claim), cancellationToken);
        var ids = await db.InboundMessages.AsNoTracking().Where(m => m.ClaimToken == claim).OrderBy(m => m.ReceivedAt).Select(m => m.Id)
            .ToListAsync(cancellationToken);
        return (claim, ids);
    }

    private async Task ProcessAsync(Guid claim, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var receive = scope.ServiceProvider.GetRequiredService<ReceiveInboundMail>();
        var signals = scope.ServiceProvider.GetRequiredService<TicketSignals>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var messages = await db.InboundMessages
            .Where(m => ids.Contains(m.Id) && m.ClaimToken == claim && m.State == InboundStates.Received)
            .OrderBy(m => m.ReceivedAt).ToListAsync(cancellationToken);
        var results = new List<ReceiveInboundMail.Result>();
        foreach (var message in messages)
        {
            results.Add(await receive.HandleAsync(message, cancellationToken));
            message.ClaimedUntil = null;
            message.ClaimToken = null;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        MailWake.OutboxSignal.Set();
        foreach (var (ticket, change) in results)
        {
            if (ticket is not null && change is not null)
            {
                signals.Changed(ticket, change);
            }
        }
    }

    // After the last attempt the message is quarantined with the reason, so one bad mail never blocks the others.
    private async Task FailedAsync(Guid id, Exception failure, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var message = await db.InboundMessages.SingleAsync(m => m.Id == id, cancellationToken);
        message.Attempts++;
        var now = clock.GetUtcNow().UtcDateTime;
        if (message.Attempts >= options.Value.Intake.MaxAttempts)
        {
            message.State = InboundStates.Quarantined;
            message.Outcome = InboundOutcomes.Quarantined;
            message.ProcessedAt = now;
            var reason = $"Could not be processed: {failure.GetType().Name}: {failure.Message}";
            message.Reason = reason.Length > 1000 ? reason[..1000] : reason;
            logger.LogError(failure, "Inbound mail {Id} quarantined after {Attempts} failed attempts", id, message.Attempts);
        }
        else
        {
            message.ClaimedUntil = now.AddSeconds(5 * message.Attempts);
            logger.LogWarning(failure, "Inbound mail {Id} failed (attempt {Attempt}); it will be retried", id, message.Attempts);
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
