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

    private sealed record Work(Func<SportelloDb, CancellationToken, Task> Apply, TaskCompletionSource Done);

    private readonly Channel<Work> queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool running;

    /// <summary>
    /// Queues <paramref name="apply"/>, which adds new entities to the writer's context (or runs set-based updates on
    /// it), and completes once they are committed. Entities given to it must not be tracked by another context.
    /// </summary>
    public Task WriteAsync(Func<SportelloDb, CancellationToken, Task> apply)
    {
        var work = new Work(apply, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!running)
        {
            // Before the host has started (seeding at start-up) or after it stopped: write at once.
            return ApplyAsync([work]);
        }
        if (!queue.Writer.TryWrite(work))
        {
            work.Done.SetException(new InvalidOperationException("Sportello is shutting down; the write was not made."));
        }
        return work.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Work>(MaxBatch);
        running = true;
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var work))
                {
                    batch.Add(work);
                }
                await CommitAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is queued still gets written (StopAsync drains it below).
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        running = false;
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        var rest = new List<Work>();
        while (queue.Reader.TryRead(out var work))
        {
            rest.Add(work);
        }
        if (rest.Count > 0)
        {
            await CommitAsync(rest);
        }
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
