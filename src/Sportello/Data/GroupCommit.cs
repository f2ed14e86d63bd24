using System.Threading.Channels;

namespace Sportello.Data;

/// <summary>
/// Group commit: writes from concurrent requests are applied by one writer, in batches, each batch in one
/// transaction, so many requests share one durable commit (one fsync on SQLite) instead of paying one each.
/// A caller's task completes only after its batch is committed, so nothing is acknowledged before it is durable.
/// If a batch fails, its writes are retried one by one, so one bad write (say, a unique clash) fails only itself.
/// </summary>
public sealed class GroupCommit(IServiceScopeFactory scopes, ILogger<GroupCommit> logger) : BackgroundService
{
    public const int MaxBatch = 64;
    /// <summary>A batch stops growing past this many bytes of payload (attachments), to bound memory and lock time.</summary>
    public const long MaxBatchBytes = 8 * 1024 * 1024;

    private sealed record Work(Func<SportelloDb, CancellationToken, Task> Apply, long Bytes, TaskCompletionSource Done);

    private readonly Channel<Work> queue = Channel.CreateBounded<Work>(new BoundedChannelOptions(4096)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private volatile bool running;

    /// <summary>
    /// Queues <paramref name="apply"/>, which adds new entities to the writer's context (or runs set-based updates on
    /// it), and completes once they are committed. Entities given to it must not be tracked by another context.
    /// <paramref name="bytes"/> is the payload size, so large uploads do not pile into one batch.
    /// </summary>
    public async Task WriteAsync(Func<SportelloDb, CancellationToken, Task> apply, long bytes = 0)
    {
        var work = new Work(apply, bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!running)
        {
            // Before the host has started (seeding at start-up) or while it stops: write at once.
            await ApplyAsync([work]);
            return;
        }
        try
        {
            await queue.Writer.WriteAsync(work);
        }
        catch (ChannelClosedException)
        {
            await ApplyAsync([work]);
            return;
        }
        await work.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        running = true;
        var batch = new List<Work>(MaxBatch);
        Work? carried = null;
        // Runs until the queue is completed and empty (StopAsync), so nothing queued is left behind.
        while (carried is not null || await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            long bytes = 0;
            if (carried is not null)
            {
                batch.Add(carried);
                bytes = carried.Bytes;
                carried = null;
            }
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var work))
            {
                if (batch.Count > 0 && bytes + work.Bytes > MaxBatchBytes)
                {
                    carried = work;
                    break;
                }
                batch.Add(work);
                bytes += work.Bytes;
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
            // Acknowledged work must not be dropped: wait for the writer to finish what is queued.
            await ExecuteTask;
        }
        await base.StopAsync(cancellationToken);
    }

    private async Task CommitAsync(IReadOnlyList<Work> batch)
    {
        try
        {
            await ApplyAsync(batch);
            foreach (var work in batch)
            {
                work.Done.TrySetResult();
            }
        }
        catch (Exception batchFailure) when (batch.Count > 1)
        {
            logger.LogDebug(batchFailure, "A batch of {Count} writes failed; writing them one by one", batch.Count);
            foreach (var work in batch)
            {
                try
                {
                    await ApplyAsync([work]);
                    work.Done.TrySetResult();
                }
                catch (Exception ex)
                {
                    work.Done.TrySetException(ex);
                }
            }
        }
        catch (Exception ex)
        {
            batch[0].Done.TrySetException(ex);
        }
    }

    private async Task ApplyAsync(IReadOnlyList<Work> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        foreach (var work in batch)
        {
            await work.Apply(db, CancellationToken.None);
        }
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}
