namespace Sportello.Data;

/// <summary>
/// Group commit: writes from concurrent requests are applied by one writer, in batches, each batch in one
/// transaction, so many requests share one durable commit (one fsync on SQLite) instead of paying one each.
/// A caller's task completes only after its batch is committed, so nothing is acknowledged before it is durable.
/// If a batch fails, its writes are retried one by one, so one bad write (say, a unique clash) fails only itself.
/// </summary>
public sealed class GroupCommit(IServiceScopeFactory scopes, ILogger<GroupCommit> logger)
    : BatchWriter<GroupCommit.Work>(logger, MaxBatch, capacity: 4096)
{
    public const int MaxBatch = 64;
    /// <summary>A batch stops growing past this many bytes of payload (attachments), to bound memory and lock time.</summary>
    public const long MaxBatchBytes = 8 * 1024 * 1024;

    public sealed record Work(Func<SportelloDb, CancellationToken, Task> Apply, long Bytes, TaskCompletionSource Done);

    /// <summary>
    /// Queues <paramref name="apply"/>, which adds new entities to the writer's context (or runs set-based updates on
    /// it), and completes once they are committed. Entities given to it must not be tracked by another context.
    /// <paramref name="bytes"/> is the payload size, so large uploads do not pile into one batch.
    /// </summary>
    public async Task WriteAsync(Func<SportelloDb, CancellationToken, Task> apply, long bytes = 0)
    {
        var work = new Work(apply, bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await EnqueueAsync(work);
        await work.Done.Task;
    }

    protected override bool Fits(IReadOnlyList<Work> batch, Work next) => batch.Sum(w => w.Bytes) + next.Bytes <= MaxBatchBytes;

    protected override async Task ApplyAsync(IReadOnlyList<Work> batch)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var work in batch)
            {
                await work.Apply(db, CancellationToken.None);
            }
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        foreach (var work in batch)
        {
            work.Done.TrySetResult();
        }
    }

    protected override void Fail(Work work, Exception failure) => work.Done.TrySetException(failure);
}
