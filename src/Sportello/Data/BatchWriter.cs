using System.Threading.Channels;

namespace Sportello.Data;

/// <summary>
/// The shape of a group commit: work from concurrent requests goes into a bounded queue, one writer takes it in
/// batches and applies each batch in one transaction (<see cref="ApplyAsync"/>, which completes every item once it is
/// committed). If a batch fails, its items are applied one by one, so one bad item fails only itself. Work queued
/// before the host starts or while it stops is applied at once; stopping waits for the queue to drain, so nothing
/// acknowledged is dropped.
/// </summary>
public abstract class BatchWriter<TWork>(ILogger logger, int maxBatch, int capacity) : BackgroundService where TWork : class
{
    private readonly Channel<TWork> queue = Channel.CreateBounded<TWork>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private volatile bool running;

    /// <summary>Applies <paramref name="batch"/> in one transaction and completes each item (only after the commit).</summary>
    protected abstract Task ApplyAsync(IReadOnlyList<TWork> batch);

    /// <summary>Fails one item that could not be applied even alone.</summary>
    protected abstract void Fail(TWork work, Exception failure);

    /// <summary>Whether <paramref name="next"/> may join a batch that already holds <paramref name="batch"/> (else it starts the next one).</summary>
    protected virtual bool Fits(IReadOnlyList<TWork> batch, TWork next) => true;

    /// <summary>Queues <paramref name="work"/>; the caller awaits its own completion, which <see cref="ApplyAsync"/> sets.</summary>
    protected async Task EnqueueAsync(TWork work)
    {
        if (!running)
        {
            await CommitAsync([work]);
            return;
        }
        try
        {
            await queue.Writer.WriteAsync(work);
        }
        catch (ChannelClosedException)
        {
            await CommitAsync([work]);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        running = true;
        var batch = new List<TWork>(maxBatch);
        TWork? carried = null;
        // Runs until the queue is completed and empty (StopAsync), so nothing queued is left behind.
        while (carried is not null || await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            if (carried is not null)
            {
                batch.Add(carried);
                carried = null;
            }
            while (batch.Count < maxBatch && queue.Reader.TryRead(out var work))
            {
                if (batch.Count > 0 && !Fits(batch, work))
                {
                    carried = work;
                    break;
                }
                batch.Add(work);
            }
            if (batch.Count > 0)
            {
                await CommitAsync(batch);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        running = false;
        queue.Writer.TryComplete();
        if (ExecuteTask is not null)
        {
            await ExecuteTask;
        }
        await base.StopAsync(cancellationToken);
    }

    private async Task CommitAsync(List<TWork> batch)
    {
        try
        {
            await ApplyAsync(batch);
        }
        catch (Exception batchFailure) when (batch.Count > 1)
        {
            logger.LogDebug(batchFailure, "A batch of {Count} writes failed; writing them one by one", batch.Count);
            foreach (var work in batch)
            {
                await CommitAsync([work]);
            }
        }
        catch (Exception ex)
        {
            Fail(batch[0], ex);
        }
    }
}
