using Microsoft.EntityFrameworkCore.ChangeTracking;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Mail;

/// <summary>
/// Wakes the mail workers as soon as a save adds work for them, so a mail goes out well within the contract's two
/// seconds; the workers also poll, which covers work committed by other nodes or inside a longer transaction.
/// </summary>
public readonly record struct MailWake(bool Outbox, bool Intake)
{
    public static readonly Signal OutboxSignal = new();
    public static readonly Signal IntakeSignal = new();

    public static MailWake Pending(ChangeTracker changes) => new(
        changes.Entries<OutboxMessage>().Any(e => e.State == Microsoft.EntityFrameworkCore.EntityState.Added),
        changes.Entries<InboundMessage>().Any(e => e.State == Microsoft.EntityFrameworkCore.EntityState.Added));

    public void Notify()
    {
        if (Outbox)
        {
            OutboxSignal.Set();
        }
        if (Intake)
        {
            IntakeSignal.Set();
        }
    }

    /// <summary>
    /// Runs <paramref name="pass"/> until stopped: again at once while it finds a full batch, otherwise after the
    /// signal or the poll interval. A failed pass is logged and tried again; it never ends the worker. The mail workers
    /// and the notice fan-out run on it.
    /// </summary>
    public static async Task RunAsync(Func<CancellationToken, Task<int>> pass, int batchSize, Signal wake, Action passed, ILogger logger, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var handled = 0;
            try
            {
                handled = await pass(stoppingToken);
                passed();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "A background worker pass failed; retrying shortly");
            }
            if (handled < batchSize)
            {
                await wake.WaitAsync(IdlePoll, stoppingToken);
            }
        }
    }

    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);

    /// <summary>An auto-reset event a worker awaits with a timeout.</summary>
    public sealed class Signal : IDisposable
    {
        private readonly SemaphoreSlim semaphore = new(0, 1);

        public void Set()
        {
            try
            {
                semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already set: one wake-up is enough.
            }
        }

        public void Dispose() => semaphore.Dispose();

        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                await semaphore.WaitAsync(timeout, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }
}
