using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Sportello.Data;
using Sportello.Features.Abuse;
using Sportello.Features.Accounts;
using Sportello.Features.Chat;
using Sportello.Features.Notices;
using Sportello.Features.Tickets;

namespace Sportello.Features.Search;

/// <summary>
/// Keeps each ticket's search document in step with the ticket, in the transaction that changes it, so a reply is
/// findable the moment it is acknowledged: <see cref="SportelloDb"/> asks <see cref="Pending"/> before a save and calls
/// <see cref="WriteAsync"/> after it, before the commit. A document holds, analyzed by <see cref="SearchText"/>:
/// public: the subject, the requester's name and addresses, the service (name, order number, IP addresses), and every
/// public message with its author, newest first; internal: the agents' internal notes, newest first.
/// </summary>
public static class SearchIndex
{
    /// <summary>Words kept per side of a document: the newest messages of a very long thread first.</summary>
    public const int MaxWords = 8_000;
    private const int MaxMessageChars = 20_000;
    private const int Chunk = 200;

    /// <summary>The analyzed words of one ticket, as the database's full-text index takes them.</summary>
    public sealed record Document(string Kind, Guid TargetId, Guid? CustomerId, string English, string Italian, string InternalEnglish, string InternalItalian)
    {
        /// <summary>
        /// The owner's token (SQLite: the FTS5 <c>scope</c> column; PostgreSQL: in <c>Public</c> with weight D): the full-text
        /// index intersects it with the words of a customer's search.
        /// </summary>
        public string Scope => CustomerId is { } id ? ScopeToken(id) : "";
    }

    public static string ScopeToken(Guid customerId) => "c" + customerId.ToString("N");

    /// <summary>What a pending save changes in the index: tickets to rewrite, and chats that ended (their transcript).</summary>
    public sealed class Changes
    {
        /// <summary>The documents of tickets being opened, built by <see cref="DescribeNew"/>: inserted as they are, nothing read or deleted.</summary>
        public List<Document> New { get; } = [];
        public HashSet<Guid> Tickets { get; } = [];
        public HashSet<Guid> Chats { get; } = [];
        public HashSet<Guid> Notices { get; } = [];
        public HashSet<Guid> AbuseCases { get; } = [];
        /// <summary>Customers whose name or address changed: every one of their tickets carries them.</summary>
        public HashSet<Guid> Customers { get; } = [];

        public Changes With(IEnumerable<Guid>? tickets = null, IEnumerable<Guid>? chats = null, IEnumerable<Guid>? notices = null, IEnumerable<Guid>? abuseCases = null)
        {
            Tickets.UnionWith(tickets ?? []);
            Chats.UnionWith(chats ?? []);
            Notices.UnionWith(notices ?? []);
            AbuseCases.UnionWith(abuseCases ?? []);
            return this;
        }
    }

    /// <summary>A new ticket's document, and what it was built from (the save checks that nothing of it changed since).</summary>
    private sealed record Described(Document Document, string Subject, string? RequesterEmail, Guid? ServiceId, string? ServiceName, int Messages)
    {
        public bool Matches(Ticket ticket) =>
            ReferenceEquals(Subject, ticket.Subject) && Document.CustomerId == ticket.CustomerId && ReferenceEquals(RequesterEmail, ticket.RequesterEmail)
            && ServiceId == ticket.ServiceId && ReferenceEquals(ServiceName, ticket.ServiceName) && Messages == ticket.Messages.Count;
    }
    private static readonly ConditionalWeakTable<Ticket, Described> NewTickets = new();

    /// <summary>
    /// Builds the document of a ticket being opened from what its opener already holds (the ticket and its messages, the
    /// customer's name and address, the service's order number and addresses), on the request's thread: the save that adds
    /// the ticket then inserts it as it is, with no read-back and no delete (a new ticket has no document yet). Call it
    /// once the ticket is complete; a ticket whose subject or messages changed after it, or saved without it, is read
    /// back like any other.
    /// </summary>
    public static void DescribeNew(Ticket ticket, string? customerName, string? customerEmail, string? orderNumber = null, IEnumerable<string>? addresses = null)
    {
        var messages = ticket.Messages.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Select(m => (m.AuthorName, m.Internal, Body: m.Body.Length > MaxMessageChars ? m.Body[..MaxMessageChars] : m.Body));
        var document = Build(ticket.Id, ticket.CustomerId, ticket.Subject, customerName, customerEmail, ticket.RequesterEmail, ticket.ServiceName,
            orderNumber, addresses ?? [], messages);
        NewTickets.AddOrUpdate(ticket, new Described(document, ticket.Subject, ticket.RequesterEmail, ticket.ServiceId, ticket.ServiceName, ticket.Messages.Count));
    }

    /// <summary>The documents the pending save changes, or null: read before it, since a save forgets its states.</summary>
    public static Changes? Pending(ChangeTracker tracker)
    {
        Changes? changes = null;
        HashSet<Guid>? described = null;
        foreach (var entry in tracker.Entries<Ticket>())
        {
            if (entry.State == EntityState.Added && entry.Entity.MergedIntoId is null && NewTickets.TryGetValue(entry.Entity, out var known)
                && known.Matches(entry.Entity) && entry.Entity.Messages.All(m => tracker.Context.Entry(m).State == EntityState.Added))
            {
                (changes ??= new()).New.Add(known.Document);
                (described ??= []).Add(entry.Entity.Id);
            }
            else if (entry.State == EntityState.Added || (entry.State == EntityState.Modified && (
                entry.Property(t => t.Subject).IsModified || entry.Property(t => t.CustomerId).IsModified
                || entry.Property(t => t.RequesterEmail).IsModified || entry.Property(t => t.ServiceId).IsModified
                || entry.Property(t => t.MergedIntoId).IsModified)))
            {
                (changes ??= new()).Tickets.Add(entry.Entity.Id);
                // A merge moves the messages (a set-based update the tracker does not see) to the ticket merged into.
                if (entry.Entity.MergedIntoId is { } target)
                {
                    changes.Tickets.Add(target);
                }
            }
        }
        foreach (var entry in tracker.Entries<TicketMessage>())
        {
            if (entry.State == EntityState.Added && described is not null && described.Contains(entry.Entity.TicketId))
            {
                continue;
            }
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                (changes ??= new()).Tickets.Add(entry.Entity.TicketId);
                if (entry.State == EntityState.Modified && entry.Property(m => m.TicketId).IsModified)
                {
                    changes.Tickets.Add(entry.Property(m => m.TicketId).OriginalValue);
                }
            }
        }
        // A chat is indexed once, as its transcript, when it ends: its messages are the chat's hot path.
        foreach (var entry in tracker.Entries<Conversation>())
        {
            if (entry.State == EntityState.Modified && entry.Property(c => c.Status).IsModified && entry.Entity.Status == ChatStatus.Closed)
            {
                (changes ??= new()).Chats.Add(entry.Entity.Id);
            }
        }
        foreach (var entry in tracker.Entries<Notice>())
        {
            if (entry.State == EntityState.Added || (entry.State == EntityState.Modified && (
                entry.Property(n => n.TitleEn).IsModified || entry.Property(n => n.TitleIt).IsModified
                || entry.Property(n => n.BodyEn).IsModified || entry.Property(n => n.BodyIt).IsModified)))
            {
                (changes ??= new()).Notices.Add(entry.Entity.Id);
            }
        }
        foreach (var entry in tracker.Entries<NoticeUpdate>())
        {
            if (entry.State == EntityState.Added)
            {
                (changes ??= new()).Notices.Add(entry.Entity.NoticeId);
            }
        }
        foreach (var entry in tracker.Entries<User>())
        {
            if (entry.State == EntityState.Modified && (entry.Property(u => u.Name).IsModified || entry.Property(u => u.Email).IsModified))
            {
                (changes ??= new()).Customers.Add(entry.Entity.Id);
            }
        }
        foreach (var entry in tracker.Entries<AbuseCase>())
        {
            if (entry.State == EntityState.Added || (entry.State == EntityState.Modified && (
                entry.Property(c => c.Ips).IsModified || entry.Property(c => c.CustomerId).IsModified
                || entry.Property(c => c.Resolution).IsModified || entry.Property(c => c.SuspensionReason).IsModified)))
            {
                (changes ??= new()).AbuseCases.Add(entry.Entity.Id);
            }
        }
        foreach (var entry in tracker.Entries<AbuseReport>())
        {
            if (entry.State == EntityState.Added)
            {
                (changes ??= new()).AbuseCases.Add(entry.Entity.CaseId);
            }
        }
        foreach (var entry in tracker.Entries<AbuseMessage>())
        {
            if (entry.State == EntityState.Added)
            {
                (changes ??= new()).AbuseCases.Add(entry.Entity.CaseId);
            }
        }
        return changes;
    }

    /// <summary>Rewrites the documents of what <paramref name="changes"/> names from what the database holds now (in the caller's transaction).</summary>
    public static async Task WriteAsync(SportelloDb db, Changes changes, CancellationToken cancellationToken = default)
    {
        foreach (var chunk in changes.Customers.Chunk(Chunk))
        {
            // A renamed customer is found by the new name at once: their tickets (an agent's rename changes no document:
            // an author's name in a thread is what it was when they wrote).
            changes.Tickets.UnionWith(await db.Tickets.AsNoTracking().Where(t => t.CustomerId != null && chunk.Contains(t.CustomerId.Value))
                .Select(t => t.Id).ToListAsync(cancellationToken));
        }
        changes.Tickets.ExceptWith(changes.New.Select(d => d.TargetId));
        foreach (var chunk in changes.New.Chunk(Chunk))
        {
            await SearchStore.InsertAsync(db, chunk, cancellationToken);
        }
        foreach (var chunk in changes.Tickets.Chunk(Chunk))
        {
            await SearchStore.ReplaceAsync(db, SearchKinds.Ticket, chunk, await ReadAsync(db, chunk, cancellationToken), cancellationToken);
        }
        foreach (var chunk in changes.Chats.Chunk(Chunk))
        {
            await SearchStore.ReplaceAsync(db, SearchKinds.Chat, chunk, await ReadChatsAsync(db, chunk, cancellationToken), cancellationToken);
        }
        foreach (var chunk in changes.Notices.Chunk(Chunk))
        {
            await SearchStore.ReplaceAsync(db, SearchKinds.Notice, chunk, await ReadNoticesAsync(db, chunk, cancellationToken), cancellationToken);
        }
        foreach (var chunk in changes.AbuseCases.Chunk(Chunk))
        {
            await SearchStore.ReplaceAsync(db, SearchKinds.Abuse, chunk, await ReadAbuseCasesAsync(db, chunk, cancellationToken), cancellationToken);
        }
    }

    /// <summary>Builds the notices' documents: titles and texts in both languages, places and products, and every update.</summary>
    public static async Task<List<Document>> ReadNoticesAsync(SportelloDb db, IReadOnlyCollection<Guid> noticeIds, CancellationToken cancellationToken = default)
    {
        var notices = await db.Notices.AsNoTracking().Where(n => noticeIds.Contains(n.Id)).ToListAsync(cancellationToken);
        var updates = (await db.NoticeUpdates.AsNoTracking().Where(u => noticeIds.Contains(u.NoticeId)).OrderByDescending(u => u.CreatedAt)
            .Select(u => new { u.NoticeId, u.BodyEn, u.BodyIt }).ToListAsync(cancellationToken)).ToLookup(u => u.NoticeId);
        var documents = new List<Document>(notices.Count);
        foreach (var notice in notices)
        {
            var open = new Side();
            foreach (var text in new[] { notice.TitleEn, notice.TitleIt, notice.BodyEn, notice.BodyIt }.Concat(notice.Locations).Concat(notice.Products))
            {
                open.Add(text);
            }
            foreach (var update in updates[notice.Id])
            {
                open.Add(update.BodyEn);
                open.Add(update.BodyIt);
            }
            documents.Add(new Document(SearchKinds.Notice, notice.Id, null, open.English.ToString(), open.Italian.ToString(), "", ""));
        }
        return documents;
    }

    /// <summary>Builds the abuse cases' documents: reference, addresses, every report (reporter, subject, evidence, URLs) and message, the outcome.</summary>
    public static async Task<List<Document>> ReadAbuseCasesAsync(SportelloDb db, IReadOnlyCollection<Guid> caseIds, CancellationToken cancellationToken = default)
    {
        var cases = await db.AbuseCases.AsNoTracking().Where(c => caseIds.Contains(c.Id))
            .Select(c => new { c.Id, c.Reference, c.Ips, c.Resolution, c.SuspensionReason }).ToListAsync(cancellationToken);
        var reports = (await db.AbuseReports.AsNoTracking().Where(r => caseIds.Contains(r.CaseId)).OrderByDescending(r => r.ReceivedAt)
            .Select(r => new { r.CaseId, r.ReporterName, r.ReporterEmail, r.Subject, r.Urls, Evidence = r.Evidence.Length > MaxMessageChars ? r.Evidence.Substring(0, MaxMessageChars) : r.Evidence })
            .ToListAsync(cancellationToken)).ToLookup(r => r.CaseId);
        var messages = (await db.AbuseMessages.AsNoTracking().Where(m => caseIds.Contains(m.CaseId)).OrderByDescending(m => m.At)
            .Select(m => new { m.CaseId, m.AuthorName, Body = m.Body.Length > MaxMessageChars ? m.Body.Substring(0, MaxMessageChars) : m.Body })
            .ToListAsync(cancellationToken)).ToLookup(m => m.CaseId);
        var documents = new List<Document>(cases.Count);
        foreach (var abuse in cases)
        {
            var open = new Side();
            open.Add(abuse.Reference);
            open.Add(abuse.Ips);
            open.Add(abuse.Resolution);
            open.Add(abuse.SuspensionReason);
            foreach (var message in messages[abuse.Id])
            {
                open.Add(message.AuthorName);
                open.Add(message.Body);
            }
            foreach (var report in reports[abuse.Id])
            {
                open.Add(report.ReporterName);
                open.Add(report.ReporterEmail);
                open.Add(report.Subject);
                open.Add(report.Urls);
                open.Add(report.Evidence);
            }
            documents.Add(new Document(SearchKinds.Abuse, abuse.Id, null, open.English.ToString(), open.Italian.ToString(), "", ""));
        }
        return documents;
    }

    /// <summary>Builds the transcripts' documents of <paramref name="chatIds"/>: the visitor, and the messages (agents' notes on the internal side).</summary>
    public static async Task<List<Document>> ReadChatsAsync(SportelloDb db, IReadOnlyCollection<Guid> chatIds, CancellationToken cancellationToken = default)
    {
        var chats = await db.Conversations.AsNoTracking().Where(c => chatIds.Contains(c.Id))
            .Select(c => new { c.Id, c.CustomerId, c.VisitorName, c.VisitorEmail }).ToListAsync(cancellationToken);
        var messages = (await db.ChatMessages.AsNoTracking().Where(m => chatIds.Contains(m.ConversationId))
            .OrderByDescending(m => m.Seq)
            .Select(m => new { m.ConversationId, m.AuthorName, m.Internal, Body = m.Body.Length > MaxMessageChars ? m.Body.Substring(0, MaxMessageChars) : m.Body })
            .ToListAsync(cancellationToken)).ToLookup(m => m.ConversationId);
        var documents = new List<Document>(chats.Count);
        foreach (var chat in chats)
        {
            var open = new Side();
            var notes = new Side();
            open.Add(chat.VisitorName);
            open.Add(chat.VisitorEmail);
            foreach (var message in messages[chat.Id])
            {
                var side = message.Internal ? notes : open;
                side.Add(message.AuthorName);
                side.Add(message.Body);
            }
            documents.Add(new Document(SearchKinds.Chat, chat.Id, chat.CustomerId, open.English.ToString(), open.Italian.ToString(), notes.English.ToString(), notes.Italian.ToString()));
        }
        return documents;
    }

    /// <summary>Builds the documents of <paramref name="ticketIds"/> from the database (a ticket that is gone has none).</summary>
    public static async Task<List<Document>> ReadAsync(SportelloDb db, IReadOnlyCollection<Guid> ticketIds, CancellationToken cancellationToken = default)
    {
        var tickets = await db.Tickets.AsNoTracking().Where(t => ticketIds.Contains(t.Id))
            .Select(t => new { t.Id, t.Subject, t.CustomerId, t.RequesterEmail, t.ServiceId, t.ServiceName })
            .ToListAsync(cancellationToken);
        if (tickets.Count == 0)
        {
            return [];
        }
        var customerIds = tickets.Where(t => t.CustomerId != null).Select(t => t.CustomerId!.Value).Distinct().ToList();
        var customers = customerIds.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => customerIds.Contains(u.Id))
            .Select(u => new { u.Id, u.Name, u.Email }).ToDictionaryAsync(u => u.Id, cancellationToken);
        var serviceIds = tickets.Where(t => t.ServiceId != null).Select(t => t.ServiceId!.Value).Distinct().ToList();
        var services = serviceIds.Count == 0 ? [] : await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id))
            .Select(s => new { s.Id, s.OrderNumber, Addresses = s.Addresses.Select(a => a.Address).ToList() })
            .ToDictionaryAsync(s => s.Id, cancellationToken);
        var messages = (await db.TicketMessages.AsNoTracking().Where(m => ticketIds.Contains(m.TicketId))
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Select(m => new { m.TicketId, m.AuthorName, m.Internal, Body = m.Body.Length > MaxMessageChars ? m.Body.Substring(0, MaxMessageChars) : m.Body })
            .ToListAsync(cancellationToken)).ToLookup(m => m.TicketId);

        var documents = new List<Document>(tickets.Count);
        foreach (var ticket in tickets)
        {
            var customer = ticket.CustomerId is { } customerId ? customers.GetValueOrDefault(customerId) : null;
            var service = ticket.ServiceId is { } serviceId ? services.GetValueOrDefault(serviceId) : null;
            documents.Add(Build(ticket.Id, ticket.CustomerId, ticket.Subject, customer?.Name, customer?.Email, ticket.RequesterEmail, ticket.ServiceName,
                service?.OrderNumber, service?.Addresses ?? [], messages[ticket.Id].Select(m => (m.AuthorName, m.Internal, m.Body))));
        }
        return documents;
    }

    /// <summary>One ticket's document, from what the database holds (<see cref="ReadAsync"/>) or its opener (<see cref="DescribeNew"/>); messages newest first.</summary>
    private static Document Build(
        Guid ticketId, Guid? customerId, string subject, string? customerName, string? customerEmail, string? requesterEmail, string? serviceName,
        string? orderNumber, IEnumerable<string> addresses, IEnumerable<(string AuthorName, bool Internal, string Body)> messages)
    {
        var open = new Side();
        var notes = new Side();
        open.Add(subject);
        open.Add(customerName);
        open.Add(customerEmail);
        open.Add(requesterEmail);
        open.Add(serviceName);
        open.Add(orderNumber);
        foreach (var address in addresses)
        {
            open.Add(address);
        }
        foreach (var message in messages)
        {
            var side = message.Internal ? notes : open;
            side.Add(message.AuthorName);
            side.Add(message.Body);
        }
        return new Document(SearchKinds.Ticket, ticketId, customerId, open.English.ToString(), open.Italian.ToString(), notes.English.ToString(), notes.Italian.ToString());
    }

    private sealed class Side
    {
        public StringBuilder English { get; } = new();
        public StringBuilder Italian { get; } = new();
        private int words;

        public void Add(string? text)
        {
            foreach (var word in SearchText.Words(text))
            {
                if (words++ >= MaxWords)
                {
                    return;
                }
                if (English.Length > 0)
                {
                    English.Append(' ');
                    Italian.Append(' ');
                }
                English.Append(word.English);
                Italian.Append(word.Italian);
            }
        }
    }
}
