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
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> options, IOptions<SportelloOptions> appOptions,
    MailPipelineState state, ILogger<IntakeWorker> logger)
    : BackgroundService
{
    public const int BatchSize = 32;
    public const long MaxBatchBytes = 16 * 1024 * 1024;
    /// <summary>
    /// How long a batch is held: far longer than handling 32 mails takes, short enough that a dead node's batch is
    /// taken by another within this long. A claim that ran out anyway only costs work: the save fails on the claim token.
    /// </summary>
    public static readonly TimeSpan Claim = TimeSpan.FromSeconds(30);
    private const int DatabaseAttempts = 10;
    private const int ClashAttempts = 8;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Intake.Hold)
        {
            logger.LogWarning("Mail intake is on hold (Sportello:Mail:Intake:Hold): inbound mail is stored but not processed");
            return;
        }
        var workers = options.Value.Intake.Workers > 0 ? options.Value.Intake.Workers
            : appOptions.Value.Database.Provider == DatabaseProvider.Postgres ? 2 : 1;
        // Each worker claims its own batches, as workers on other nodes do.
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ =>
            MailWake.RunAsync(ProcessPendingAsync, BatchSize, MailWake.IntakeSignal, () => state.IntakePass(clock.GetUtcNow().UtcDateTime), logger, stoppingToken)));
    }

    /// <summary>
    /// One pass: claims a batch of stored mail and handles it. Returns how many were waiting, so the loop goes again at
    /// once while a backlog remains (a batch cut short by its byte cap, or claimed by the other worker, included).
    /// </summary>
    public async Task<int> ProcessPendingAsync(CancellationToken cancellationToken = default)
    {
        var (claim, ids, waiting) = await ClaimAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return waiting;
        }
        try
        {
            await ProcessAsync(claim, ids, cancellationToken);
        }
        catch (DbUpdateConcurrencyException lost) when (lost.Entries.Any(e => e.Entity is InboundMessage))
        {
            logger.LogInformation("An intake claim ran out and another worker took the mail; leaving it to them");
        }
        catch (Exception batchFailure) when (batchFailure is not OperationCanceledException)
        {
            logger.LogDebug(batchFailure, "An intake batch of {Count} failed; handling its messages one by one", ids.Count);
            foreach (var id in ids)
            {
                await ProcessOneAsync(claim, id, ids.Count == 1 ? batchFailure : null, cancellationToken);
            }
        }
        return waiting;
    }

    // One message alone. A write that clashed with another worker's (a customer's ticket slot, the same stranger's
    // auto-reply record, a ticket an agent saved meanwhile, a ticket number) is simply tried again at once against what
    // is now committed; anything else counts as a failed attempt. A clash is only reported once the other worker has
    // committed, so every retry starts from more of the truth: two workers flooding one customer's slots clash once per
    // slot at most. A mail that still loses eight times in a row counts one failed attempt and waits for its next.
    private async Task ProcessOneAsync(Guid claim, Guid id, Exception? alreadyFailed, CancellationToken cancellationToken)
    {
        var failure = alreadyFailed;
        for (var attempt = 0; attempt < ClashAttempts && failure is null or DbUpdateException; attempt++)
        {
            try
            {
                await ProcessAsync(claim, [id], cancellationToken);
                return;
            }
            catch (DbUpdateConcurrencyException lost) when (lost.Entries.Any(e => e.Entity is InboundMessage))
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failure = ex;
            }
        }
        await FailedAsync(claim, id, failure!, cancellationToken);
    }

    private async Task<(Guid Claim, List<Guid> Ids, int Waiting)> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var waiting = await db.InboundMessages.AsNoTracking()
            .Where(m => m.State == InboundStates.Received && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.ReceivedAt).Select(m => new { m.Id, m.Size }).Take(BatchSize).ToListAsync(cancellationToken);
        // A batch is also capped by bytes, so a run of large mails is not parsed all at once.
        long bytes = 0;
        var candidates = waiting.TakeWhile((m, i) => (bytes += m.Size) <= MaxBatchBytes || i == 0).Select(m => m.Id).ToList();
        if (candidates.Count == 0)
        {
            return (Guid.Empty, [], 0);
        }
        var claim = Guid.NewGuid();
        await db.InboundMessages
            .Where(m => candidates.Contains(m.Id) && m.State == InboundStates.Received && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, now + Claim).SetProperty(x => x.ClaimToken, claim), cancellationToken);
        var ids = await db.InboundMessages.AsNoTracking().Where(m => candidates.Contains(m.Id) && m.ClaimToken == claim)
            .OrderBy(m => m.ReceivedAt).Select(m => m.Id).ToListAsync(cancellationToken);
        return (claim, ids, waiting.Count);
    }

    private async Task ProcessAsync(Guid claim, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var receive = scope.ServiceProvider.GetRequiredService<ReceiveInboundMail>();
        var signals = scope.ServiceProvider.GetRequiredService<TicketSignals>();
        // No explicit transaction: parsing and checks run outside any write lock, and SaveChanges writes everything a
        // batch causes in one transaction. The claim token is a concurrency token: if the claim ran out and another
        // node took the mail, this save fails instead of making a second ticket.
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
        MailWake.OutboxSignal.Set();
        foreach (var (ticket, change) in results)
        {
            if (ticket is not null && change is not null)
            {
                // An internal note (automatic mail on a thread) is the agents' business alone.
                signals.Changed(ticket, change, customerMaySee: change != TicketEventKinds.NoteAdded);
            }
        }
    }

    // After the last attempt the message is quarantined with the reason, so one bad mail never blocks the others.
    private async Task FailedAsync(Guid claim, Guid id, Exception failure, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var message = await db.InboundMessages.FirstOrDefaultAsync(m => m.Id == id && m.ClaimToken == claim && m.State == InboundStates.Received, cancellationToken);
        if (message is null)
        {
            // Another worker took it meanwhile: not ours to count.
            return;
        }
        message.Attempts++;
        var now = clock.GetUtcNow().UtcDateTime;
        // A database hiccup (a lock, a conflict on a busy ticket) is no fault of the mail: wait longer, give up much later.
        var database = failure is DbUpdateException or System.Data.Common.DbException or TimeoutException;
        if (message.Attempts >= (database ? DatabaseAttempts : options.Value.Intake.MaxAttempts))
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
            message.ClaimedUntil = now + (database
                ? TimeSpan.FromSeconds(Math.Min(30 * Math.Pow(2, message.Attempts - 1), 3600))
                : TimeSpan.FromSeconds(5 * message.Attempts));
            logger.LogWarning(failure, "Inbound mail {Id} failed (attempt {Attempt}); it will be retried", id, message.Attempts);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Claimed by another worker between the read and this save: theirs now.
        }
    }
}
