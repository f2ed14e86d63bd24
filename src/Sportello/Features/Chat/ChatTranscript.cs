using Microsoft.EntityFrameworkCore;
using Sportello.Data;

namespace Sportello.Features.Chat;

/// <summary>
/// Appends messages to a conversation: each gets the next sequence number of its conversation and is committed, with
/// whatever else the use case changed, before anyone hears of it. Concurrent senders take turns on the
/// conversation's row, so numbers are gap-free and never repeat, on one node or several.
/// </summary>
public sealed class ChatTranscript(SportelloDb db, TimeProvider clock, ChatWriter writer)
{
    public async Task<List<ChatMessage>> AppendAsync(Conversation conversation, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var count = messages.Count;
        var entry = db.Entry(conversation);
        long last;
        if (entry.State == EntityState.Added)
        {
            // A new conversation is inserted with its first messages: nobody else can write to it yet.
            last = conversation.LastSeq += count;
        }
        else
        {
            // The row lock (PostgreSQL) or the write lock (SQLite) taken here orders concurrent senders.
            await db.Conversations.Where(c => c.Id == conversation.Id)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.LastSeq, x => x.LastSeq + count), cancellationToken);
            last = await db.Conversations.Where(c => c.Id == conversation.Id).Select(c => c.LastSeq).SingleAsync(cancellationToken);
            // The number is already stored: the tracked copy learns it without writing it again.
            var lastSeq = entry.Property(c => c.LastSeq);
            lastSeq.OriginalValue = last;
            lastSeq.CurrentValue = last;
            lastSeq.IsModified = false;
            if (entry.Properties.Any(p => p.IsModified))
            {
                conversation.Version = Guid.NewGuid();
            }
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var seq = last - count;
        foreach (var message in messages)
        {
            message.ConversationId = conversation.Id;
            message.Seq = ++seq;
            message.CreatedAt = now;
            db.ChatMessages.Add(message);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return [.. messages];
    }

    /// <summary>
    /// Appends one message that changes nothing else (the visitor's or an agent's words) to a conversation that is not
    /// closed, through <see cref="ChatWriter"/>: concurrent chats share one numbering statement and one durable commit.
    /// The message is committed when this returns it; null when the chat was closed before the message got its turn
    /// (nothing is stored).
    /// </summary>
    public async Task<ChatMessage?> AppendToOpenAsync(Guid conversationId, ChatMessage message)
    {
        message.ConversationId = conversationId;
        message.CreatedAt = clock.GetUtcNow().UtcDateTime;
        return await writer.AppendAsync(message) ? message : null;
    }

    /// <summary>Saves a change that adds no message (a rating after the chat was closed).</summary>
    public Task SaveAsync(CancellationToken cancellationToken = default) => db.SaveChangesAsync(cancellationToken);

    public async Task<ChatMessage> AppendAsync(Conversation conversation, ChatMessage message, CancellationToken cancellationToken = default) =>
        (await AppendAsync(conversation, [message], cancellationToken))[0];

    /// <summary>What follows <paramref name="after"/>, in order; visitors never get internal notes.</summary>
    public Task<List<ChatMessage>> AfterAsync(Guid conversationId, long after, bool forVisitor, int limit, CancellationToken cancellationToken = default) =>
        db.ChatMessages.AsNoTracking().Include(m => m.Attachments)
            .Where(m => m.ConversationId == conversationId && m.Seq > after && (!forVisitor || !m.Internal))
            .OrderBy(m => m.Seq).Take(limit).ToListAsync(cancellationToken);
}
