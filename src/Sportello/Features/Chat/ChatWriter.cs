using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Chat;

/// <summary>
/// Group commit for chat messages, the hottest write Sportello has: messages from every conversation are written by
/// one writer per node, in batches, with a fixed number of round trips per batch whatever its size: one statement
/// numbers every conversation of the batch at once (<c>UPDATE … FROM (VALUES …) RETURNING</c>, which also refuses a
/// closed chat), one batched insert, one commit. A sender's task completes only once its message is committed. If a
/// batch fails, its messages are written one by one, so one bad message fails only itself. Numbers stay gap-free and
/// in order on several nodes: the update takes each conversation's row lock (PostgreSQL) or the write lock (SQLite).
/// </summary>
public sealed class ChatWriter(IServiceScopeFactory scopes, ILogger<ChatWriter> logger)
    : BatchWriter<ChatWriter.Pending>(logger, MaxBatch, capacity: 8192)
{
    public const int MaxBatch = 256;

    public sealed record Pending(ChatMessage Message, TaskCompletionSource<bool> Done);

    private sealed record Numbered(Guid Id, long LastSeq);

    /// <summary>
    /// Writes <paramref name="message"/> (its conversation, author, body and time set) with the next number of its
    /// conversation; true once committed, false when the chat was closed first (nothing is written).
    /// </summary>
    public async Task<bool> AppendAsync(ChatMessage message)
    {
        var pending = new Pending(message, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        await EnqueueAsync(pending);
        return await pending.Done.Task;
    }

    protected override async Task ApplyAsync(IReadOnlyList<Pending> batch)
    {
        var written = await WriteAsync(batch);
        foreach (var pending in batch)
        {
            pending.Done.TrySetResult(written.Contains(pending));
        }
    }

    protected override void Fail(Pending work, Exception failure) => work.Done.TrySetException(failure);

    private async Task<HashSet<Pending>> WriteAsync(IReadOnlyList<Pending> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var counts = batch.GroupBy(p => p.Message.ConversationId).Select(g => (Id: g.Key, Count: g.Count())).ToList();
        // VALUES columns are column1, column2 on both PostgreSQL and SQLite; values travel as parameters.
        var sql = new StringBuilder("UPDATE \"ChatConversations\" AS c SET \"LastSeq\" = c.\"LastSeq\" + v.column2 FROM (VALUES ");
        var values = new object[counts.Count * 2 + 1];
        for (var i = 0; i < counts.Count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({{{i * 2}}}, {{{i * 2 + 1}}})");
            values[i * 2] = counts[i].Id;
            values[i * 2 + 1] = counts[i].Count;
        }
        values[^1] = ChatStatus.Closed;
        sql.Append(CultureInfo.InvariantCulture, $") AS v WHERE c.\"Id\" = v.column1 AND c.\"Status\" <> {{{values.Length - 1}}} RETURNING \"Id\", \"LastSeq\"");
        var numbered = (await db.Database.SqlQueryRaw<Numbered>(sql.ToString(), values).ToListAsync()).ToDictionary(n => n.Id, n => n.LastSeq);
        var written = new HashSet<Pending>();
        foreach (var (id, count) in counts)
        {
            if (!numbered.TryGetValue(id, out var last))
            {
                continue;
            }
            var seq = last - count;
            foreach (var pending in batch.Where(p => p.Message.ConversationId == id))
            {
                pending.Message.Seq = ++seq;
                db.ChatMessages.Add(pending.Message);
                written.Add(pending);
            }
        }
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        return written;
    }
}
