using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Features.Notices;

/// <summary>
/// Writes what notices cause, outside anyone's request, a batch per transaction: first the recipients of a new
/// notice (frozen: its updates reach the same customers), then, per update, one inbox row per recipient, pushed live to
/// those signed in, and once they are all written, one mail per recipient (the inbox first: composing MIME is most of
/// the work). Each batch moves a cursor (the last customer done, in id order) with a conditional
/// update in the same transaction, before it writes anything: that update is the claim. A second node on the same batch
/// waits on the row the first one moved, then finds the cursor gone and writes nothing (no unique violation, no error
/// in the logs), so a node that stops resumes after the last committed batch and several nodes never write the same
/// batch twice; the unique (update, customer) index is the last guard. It also posts the updates
/// that time brings: the reminder before a maintenance, and its completion at its end.
/// </summary>
public sealed class NoticeFanOut(
    IServiceScopeFactory scopes, TimeProvider clock, NoticeWake wake, IOptions<NoticeOptions> options, ILogger<NoticeFanOut> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.FanOut)
        {
            return;
        }
        // The mail workers' loop: again at once while there is work, else after a wake-up or the idle poll (which also
        // finds another node's notices and the reminders time brings).
        await MailWake.RunAsync(async token => await StepAsync(token) ? 1 : 0, batchSize: 1, wake.Signal, () => { }, logger, stoppingToken);
    }

    /// <summary>One batch of whatever is due; false when there was nothing to do.</summary>
    public async Task<bool> StepAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        if (await db.Notices.AsNoTracking().Where(n => n.ResolvedAt == null).OrderBy(n => n.CreatedAt).FirstOrDefaultAsync(cancellationToken) is { } unresolved)
        {
            await ResolveAsync(db, unresolved, cancellationToken);
            return true;
        }
        var pending = await db.NoticeUpdates.AsNoTracking().Where(u => u.DeliveredAt == null).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (pending is not null)
        {
            await WriteInboxAsync(scope.ServiceProvider, db, pending, cancellationToken);
            return true;
        }
        var unmailed = await db.NoticeUpdates.AsNoTracking().Where(u => u.MailedAt == null).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (unmailed is not null)
        {
            await MailCustomersAsync(scope.ServiceProvider, db, unmailed, cancellationToken);
            return true;
        }
        var told = await db.NoticeUpdates.AsNoTracking().Where(u => u.SubscribersAt == null).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (told is not null)
        {
            await MailSubscribersAsync(scope.ServiceProvider, db, told, cancellationToken);
            return true;
        }
        return await PostDueAsync(db, cancellationToken);
    }

    private async Task ResolveAsync(SportelloDb db, Notice notice, CancellationToken cancellationToken)
    {
        var after = notice.ResolvedUpTo;
        var size = options.Value.BatchSize;
        // The cursor inside the DISTINCT: each batch walks the customers after it and stops at the limit, so resolving
        // N customers costs O(N), not a DISTINCT of every customer left per batch.
        var customers = await NoticeTargets.Affected(db.Services.AsNoTracking().Where(s => after == null || s.CustomerId > after), notice)
            .Select(s => s.CustomerId).Distinct().OrderBy(c => c).Take(size).ToListAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var done = customers.Count < size;
        var now = clock.GetUtcNow().UtcDateTime;
        Guid? upTo = customers.Count > 0 ? customers[^1] : after;
        var moved = await db.Notices.Where(n => n.Id == notice.Id && n.ResolvedAt == null && n.ResolvedUpTo == after)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ResolvedUpTo, upTo).SetProperty(n => n.ResolvedAt, done ? now : null), cancellationToken);
        if (moved != 1)
        {
            return;
        }
        await BulkInsert.InsertAsync(db, customers.Select(c => new NoticeRecipient { NoticeId = notice.Id, CustomerId = c }).ToList(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The inbox rows of one update, a batch of recipients per transaction, pushed live once committed. Each row names the
    /// id its email copy will have; <see cref="MailCustomersAsync"/> composes the copies afterwards.
    /// </summary>
    private async Task WriteInboxAsync(IServiceProvider services, SportelloDb db, NoticeUpdate update, CancellationToken cancellationToken)
    {
        var notice = await db.Notices.AsNoTracking().SingleAsync(n => n.Id == update.NoticeId, cancellationToken);
        if (notice.ResolvedAt is null)
        {
            return;
        }
        var after = update.DeliveredUpTo;
        var size = options.Value.BatchSize;
        var batch = await db.NoticeRecipients.AsNoTracking()
            .Where(r => r.NoticeId == notice.Id && (after == null || r.CustomerId > after))
            .OrderBy(r => r.CustomerId).Select(r => r.CustomerId).Take(size).ToListAsync(cancellationToken);
        var first = batch.Count > 0 ? batch[0] : Guid.Empty;
        var last = batch.Count > 0 ? batch[^1] : Guid.Empty;
        // The batch is a range of ids in order: read it as a range, not as thousands of parameters.
        var people = await db.Users.AsNoTracking().Where(u => u.Id >= first && u.Id <= last && db.NoticeRecipients.Any(r => r.NoticeId == notice.Id && r.CustomerId == u.Id))
            .Select(u => new { u.Id, u.Language, u.TimeZone }).ToListAsync(cancellationToken);
        var theirs = (await NoticeTargets.Affected(db.Services.AsNoTracking().Where(s => s.CustomerId >= first && s.CustomerId <= last), notice)
                .Select(s => new { s.CustomerId, s.Id, s.Name }).ToListAsync(cancellationToken))
            .ToLookup(s => s.CustomerId);
        var outbox = services.GetRequiredService<Outbox>();
        var now = clock.GetUtcNow().UtcDateTime;
        // The words depend only on the language and the time zone: composed once per pair.
        var words = new Dictionary<(string Language, string TimeZone), (string Title, string Body)>();
        var written = new List<Notification>(people.Count);
        foreach (var person in people)
        {
            var language = person.Language == "it" ? "it" : "en";
            if (!words.TryGetValue((language, person.TimeZone), out var text))
            {
                text = Outbox.InLanguage(language, () =>
                {
                    string T(string english, object[] values) => outbox.T(english, values);
                    var title = NoticeWords.Title(T, notice, update, language);
                    return (title.Length > PublishNotice.MaxTitle ? title[..PublishNotice.MaxTitle] : title, NoticeWords.Body(T, notice, update, language, person.TimeZone));
                });
                words[(language, person.TimeZone)] = text;
            }
            var affected = theirs[person.Id].OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new NotificationService(s.Id, s.Name)).ToList();
            written.Add(new Notification
            {
                UserId = person.Id, Kind = notice.Kind, Title = text.Title, Body = text.Body, CreatedAt = now, NoticeId = notice.Id, NoticeUpdateId = update.Id,
                Services = JsonSerializer.Serialize(affected, NotificationView.Json), MailId = Guid.CreateVersion7(),
            });
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var done = batch.Count < size;
        Guid? upTo = batch.Count > 0 ? batch[^1] : after;
        var count = written.Count;
        var moved = await db.NoticeUpdates.Where(u => u.Id == update.Id && u.DeliveredAt == null && u.DeliveredUpTo == after)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.DeliveredUpTo, upTo).SetProperty(u => u.Notified, u => u.Notified + count)
                .SetProperty(u => u.DeliveredAt, done ? now : null), cancellationToken);
        if (moved != 1)
        {
            // Another node claimed this batch first.
            return;
        }
        await BulkInsert.InsertAsync(db, written, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var hub = services.GetRequiredService<IHubContext<TicketsHub>>();
        foreach (var notification in written)
        {
            _ = PushAsync(hub, notification);
        }
    }

    /// <summary>
    /// The email copies of one update's inbox rows, once they are all written: each composed from its row's words (in
    /// the customer's language and zone) under the id the row names, on every core, and added to the outbox a batch
    /// per transaction, with a cursor like the inbox's.
    /// </summary>
    private async Task MailCustomersAsync(IServiceProvider services, SportelloDb db, NoticeUpdate update, CancellationToken cancellationToken)
    {
        if (update.DeliveredAt is null)
        {
            return;
        }
        var after = update.MailedUpTo;
        var size = options.Value.MailBatchSize;
        var rows = await (from n in db.Notifications.AsNoTracking()
                          where n.NoticeUpdateId == update.Id && (after == null || n.UserId > after)
                          join u in db.Users.AsNoTracking() on n.UserId equals u.Id
                          orderby n.UserId
                          select new { n.UserId, n.MailId, n.Title, n.Body, n.Services, u.Email, u.Name, u.Language, u.TimeZone })
            .Take(size).ToListAsync(cancellationToken);
        var outbox = services.GetRequiredService<Outbox>();
        var mails = new OutboxMessage?[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, _) =>
            {
                var row = rows[i];
                if (string.IsNullOrEmpty(row.Email) || row.MailId is not { } mailId)
                {
                    return;
                }
                var language = row.Language == "it" ? "it" : "en";
                var affected = JsonSerializer.Deserialize<List<NotificationService>>(row.Services, NotificationView.Json) ?? [];
                mails[i] = await Outbox.InLanguage(language, () =>
                {
                    var paragraphs = new List<string> { outbox.T("Hello {0},", row.Name), row.Body };
                    if (affected.Count > 0)
                    {
                        paragraphs.Add(outbox.T("Your services affected: {0}.", string.Join(", ", affected.Select(s => s.Name))));
                    }
                    paragraphs.Add(outbox.T("The Sportello support team"));
                    return outbox.ComposeAsync(new OutgoingMail(MailKinds.ServiceNotice, new Recipient(row.Email, row.Name, language, row.TimeZone), row.Title,
                        paragraphs, $"notice:{update.Id:N}", Link: $"{outbox.PublicUrl}/notifications", LinkText: outbox.T("Your notifications")) { Id = mailId });
                });
            });
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var done = rows.Count < size;
        Guid? upTo = rows.Count > 0 ? rows[^1].UserId : after;
        var now = clock.GetUtcNow().UtcDateTime;
        var moved = await db.NoticeUpdates.Where(u => u.Id == update.Id && u.MailedAt == null && u.MailedUpTo == after)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.MailedUpTo, upTo).SetProperty(u => u.MailedAt, done ? now : null), cancellationToken);
        if (moved != 1)
        {
            return;
        }
        await BulkInsert.InsertAsync(db, mails.OfType<OutboxMessage>().ToList(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        MailWake.OutboxSignal.Set();
    }

    /// <summary>
    /// After its customers, an update of a public notice is mailed to the confirmed subscribers of the public status who
    /// follow one of its locations or products, or everything; a batch per transaction, with a cursor like the customers'.
    /// </summary>
    private async Task MailSubscribersAsync(IServiceProvider services, SportelloDb db, NoticeUpdate update, CancellationToken cancellationToken)
    {
        var notice = await db.Notices.AsNoTracking().SingleAsync(n => n.Id == update.NoticeId, cancellationToken);
        var after = update.SubscribersUpTo;
        var size = options.Value.BatchSize;
        List<StatusSubscription> batch = [];
        if (notice.Public)
        {
            var (locations, products) = (notice.Locations, notice.Products);
            batch = await db.StatusSubscriptions.AsNoTracking()
                .Where(s => s.ConfirmedAt != null && (after == null || s.Id > after)
                    && ((s.Location == "" && s.Product == "") || locations.Contains(s.Location) || products.Contains(s.Product)))
                .OrderBy(s => s.Id).Take(size).ToListAsync(cancellationToken);
        }
        var outbox = services.GetRequiredService<Outbox>();
        var subscriptions = services.GetRequiredService<StatusSubscriptions>();
        var mails = new List<OutboxMessage>(batch.Count);
        foreach (var subscription in batch)
        {
            var language = subscription.Language;
            mails.Add(await Outbox.InLanguage(language, () =>
            {
                string T(string english, object[] values) => outbox.T(english, values);
                var title = NoticeWords.Title(T, notice, update, language);
                var paragraphs = new List<string>
                {
                    NoticeWords.Body(T, notice, update, language, NoticeWords.PublicTimeZone),
                    outbox.T("You receive this because this address follows the service status of {0}.", subscriptions.What(subscription)),
                };
                return outbox.ComposeAsync(new OutgoingMail(MailKinds.StatusUpdate, new Recipient(subscription.Email, null, language, NoticeWords.PublicTimeZone),
                    title, paragraphs, $"status:{update.Id:N}", Link: $"{outbox.PublicUrl}/status", LinkText: outbox.T("Service status"),
                    Unsubscribe: outbox.PublicUrl + StatusSubscriptions.UnsubscribePath + subscription.UnsubscribeToken));
            }));
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var done = batch.Count < size;
        Guid? upTo = batch.Count > 0 ? batch[^1].Id : after;
        var count = mails.Count;
        var now = clock.GetUtcNow().UtcDateTime;
        var moved = await db.NoticeUpdates.Where(u => u.Id == update.Id && u.SubscribersAt == null && u.SubscribersUpTo == after)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.SubscribersUpTo, upTo).SetProperty(u => u.Subscribers, u => u.Subscribers + count)
                .SetProperty(u => u.SubscribersAt, done ? now : null), cancellationToken);
        if (moved != 1)
        {
            return;
        }
        db.OutboxMessages.AddRange(mails);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task PushAsync(IHubContext<TicketsHub> hub, Notification notification)
    {
        try
        {
            await hub.Clients.Group(TicketsHub.Customer(notification.UserId)).SendAsync("notification", NotificationView.From(notification));
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // The inbox has it; the live push is a courtesy.
            logger.LogWarning(ex, "Could not push a notification");
        }
    }

    /// <summary>The reminder before a maintenance or change starts, and its completion at its end, each posted once.</summary>
    private async Task<bool> PostDueAsync(SportelloDb db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var settings = options.Value;
        var remindBefore = now.AddHours(settings.ReminderHours);
        var due = await db.Notices.Where(n => n.Kind != NoticeKinds.Incident && n.ClosedAt == null
                && ((n.ReminderSentAt == null && n.StartsAt <= remindBefore) || (n.EndsAt != null && n.EndsAt <= now)))
            .OrderBy(n => n.StartsAt).FirstOrDefaultAsync(cancellationToken);
        if (due is null)
        {
            return false;
        }
        var ended = due.EndsAt is { } end && end <= now;
        if (!ended)
        {
            due.ReminderSentAt = now;
        }
        db.NoticeUpdates.Add(UpdateNotice.Apply(due, ended ? NoticeStatuses.Completed : NoticeStatuses.Reminder, new NoticeText(null, null), null, null, null, now, settings));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another node (or an admin) got there first.
        }
        return true;
    }
}
