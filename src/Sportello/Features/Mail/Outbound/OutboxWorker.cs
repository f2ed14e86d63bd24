using System.Diagnostics.Metrics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Sportello.Data;

namespace Sportello.Features.Mail.Outbound;

/// <summary>
/// Delivers the outbox: over SMTP to the configured relay, or as <c>.eml</c> files in <c>{DataDir}/mail-out/</c>
/// when there is none. Temporary failures are retried with exponential backoff; a 5xx refusal, or running out of
/// attempts, marks the mail failed for an admin to see. A relay that cannot be reached or refuses our login is "down":
/// nothing is sent to it (or marked failed because of it) until its own backoff has passed. Several nodes share the
/// work by claiming rows. Its claims and marks share the group commit (<see cref="GroupCommit"/>) with the requests
/// that write mail, so under load they cost no commit (and, on SQLite, no wait for the write lock) of their own.
/// </summary>
public sealed class OutboxWorker(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> mailOptions, IOptions<SportelloOptions> appOptions,
    MailTokens tokens, MailPipelineState state, GroupCommit writer, ILogger<OutboxWorker> logger, IMeterFactory meters) : BackgroundService
{
    public const int BatchSize = 50;
    /// <summary>
    /// How long a pass holds its mails. The pass renews it every quarter of its length while it runs, whatever the relay
    /// does, so only a node that died (or lost its database) lets a claim run out; another node then takes the mails
    /// within this long.
    /// </summary>
    public static readonly TimeSpan Claim = TimeSpan.FromSeconds(30);
    /// <summary>One pass stops after this long (its claim renewed meanwhile), so a slow relay does not hold a batch.</summary>
    private static readonly TimeSpan MaxPass = TimeSpan.FromSeconds(60);
    private readonly Counter<long> sent = meters.Create("Sportello").CreateCounter<long>("sportello.mail.sent", description: "Mails delivered to the relay or mail-out/");
    private readonly Counter<long> failed = meters.Create("Sportello").CreateCounter<long>("sportello.mail.failed", description: "Mails given up");
    private readonly MailOptions options = mailOptions.Value;
    private readonly Lock relayState = new();
    private int relayFailures;
    private DateTime relayRetryAt = DateTime.MinValue;

    public string MailOutFolder => Path.Combine(Path.GetFullPath(appOptions.Value.DataDir), "mail-out");

    private bool RelayConfigured => !string.IsNullOrWhiteSpace(options.Outbound.Host);

    /// <summary>
    /// As configured; by default 1 on SQLite (one writer at a time: more connections only queue for its lock, and the
    /// Desk with them) and 4 on PostgreSQL. One writer of files.
    /// </summary>
    private int Connections => !RelayConfigured ? 1
        : options.Outbound.Connections > 0 ? Math.Min(options.Outbound.Connections, 16)
        : appOptions.Value.Database.Provider == DatabaseProvider.Postgres ? 4 : 1;

    /// <summary>Connections to the relay, each a loop claiming and delivering its own batches; one writer of files.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
        {
            using var relay = RelayConfigured ? new SmtpClient() : null;
            await MailWake.RunAsync(token => DeliverDueAsync(relay, token), BatchSize, MailWake.OutboxSignal,
                () => state.OutboxPass(clock.GetUtcNow().UtcDateTime), logger, stoppingToken);
        }, stoppingToken)));

    /// <summary>
    /// One pass: claims due mail and delivers it over <paramref name="relay"/> (kept connected while full batches follow
    /// each other, closed when the outbox is drained). Returns how many were handled.
    /// </summary>
    private async Task<int> DeliverDueAsync(SmtpClient? relay, CancellationToken cancellationToken)
    {
        var handled = await DeliverBatchAsync(relay, cancellationToken);
        if (handled < BatchSize && relay is { IsConnected: true })
        {
            await DropAsync(relay, cancellationToken);
        }
        return handled;
    }

    private async Task<int> DeliverBatchAsync(SmtpClient? relay, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        lock (relayState)
        {
            if (relay is not null && now < relayRetryAt)
            {
                return 0;
            }
        }
        var candidates = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.State == OutboxStates.Pending && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.NextAttemptAt).Select(m => m.Id).Take(BatchSize).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return 0;
        }
        if (candidates.Count == BatchSize)
        {
            // More is waiting: wake another connection for the next batch.
            MailWake.OutboxSignal.Set();
        }
        var claim = Guid.NewGuid();
        // Claimed by id, and only if not yet sent nor claimed by another node. Not by State: on SQLite without statistics
        // the planner would read the claim through the State index, i.e. every pending mail (linear in the backlog); a
        // mail given up meanwhile is claimed for nothing and skipped below, its claim cleared by a retry.
        await WriteAsync(target => target.OutboxMessages
            .Where(m => candidates.Contains(m.Id) && m.SentAt == null && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, now + Claim).SetProperty(x => x.ClaimToken, claim)));
        // Every statement below names its rows by id and claim token, never by State (see above); the claim token is this
        // pass's alone, so the rows holding it are the ones claimed here and not yet handed back.
        var batch = (await db.OutboxMessages.AsNoTracking().Where(m => candidates.Contains(m.Id) && m.ClaimToken == claim).ToListAsync(cancellationToken))
            .Where(m => m.State == OutboxStates.Pending).ToList();
        if (batch.Count == 0)
        {
            return 0;
        }
        var started = TimeProvider.System.GetTimestamp();
        // Delivered mails are marked sent as soon as the previous mark has committed, all those delivered meanwhile in one
        // statement of the group commit, while the next ones are delivered (the relay never waits on the database). A
        // node killed between a relay's acceptance and the mark's commit sends only those again (the mail in flight and
        // the few delivered during one commit), with the same Message-ID, once the claim has expired.
        var delivered = new List<Guid>();
        var marking = new List<Task>();
        using var renewing = new CancellationTokenSource();
        var lease = KeepClaimAsync(candidates, claim, renewing.Token);
        var stopAt = batch.Count;
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var mail = batch[i];
                if (lease.IsCompleted || TimeProvider.System.GetElapsedTime(started) >= MaxPass)
                {
                    // The claim was lost (another node holds the rest now), or the pass has run long enough.
                    stopAt = i;
                    break;
                }
                var relayUp = await DeliverAsync(relay, mail, cancellationToken);
                if (relay is not null)
                {
                    RelayOutcome(!relayUp, mail);
                }
                if (mail.State == OutboxStates.Sent)
                {
                    delivered.Add(mail.Id);
                    if (marking.Count == 0 || marking[^1].IsCompleted)
                    {
                        marking.Add(MarkSentAsync([.. delivered], claim));
                        delivered.Clear();
                    }
                }
                else
                {
                    await SaveOutcomeAsync(mail, claim);
                }
                if (!relayUp)
                {
                    stopAt = i + 1;
                    break;
                }
            }
            marking.Add(MarkSentAsync(delivered, claim));
            await Task.WhenAll(marking);
        }
        finally
        {
            // However the pass ends (a mark that failed with the database away included), the renewals stop with it, so
            // its claim runs out and another pass takes what is left. A renewal that outlived its pass held mails forever.
            await renewing.CancelAsync();
            await lease;
        }
        if (stopAt < batch.Count)
        {
            // Not sent in this pass: give the claim back if it is still ours, and never write over another node's.
            var rest = batch.Skip(stopAt).Select(m => m.Id).ToList();
            await WriteAsync(target => target.OutboxMessages.Where(m => rest.Contains(m.Id) && m.ClaimToken == claim)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, (DateTime?)null).SetProperty(x => x.ClaimToken, (Guid?)null)));
        }
        return batch.Count;
    }

    /// <summary>
    /// Renews the pass's claim every quarter of its length until the pass ends; completes early if the claim is gone
    /// (another node took the mails after it ran out: this pass must not deliver them too).
    /// </summary>
    private async Task KeepClaimAsync(List<Guid> claimed, Guid claim, CancellationToken passOver)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Claim / 4, TimeProvider.System, passOver);
                var until = clock.GetUtcNow().UtcDateTime + Claim;
                if (await WriteAsync(target => target.OutboxMessages.Where(m => claimed.Contains(m.Id) && m.ClaimToken == claim)
                        .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, until))) == 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (passOver.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database is away: the pass stops after the mail in hand; the claim runs out and the mails wait for it.
            logger.LogWarning(ex, "Could not renew an outbox claim; the pass stops");
        }
    }

    /// <summary>One statement in the group commit; the rows it changed.</summary>
    private async Task<int> WriteAsync(Func<SportelloDb, Task<int>> statement)
    {
        var changed = 0;
        await writer.WriteAsync(async (target, _) => changed = await statement(target));
        return changed;
    }

    /// <summary>Marks delivered mails sent, in one statement, where the claim is still ours.</summary>
    private async Task MarkSentAsync(List<Guid> delivered, Guid claim)
    {
        if (delivered.Count == 0)
        {
            return;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var marked = await WriteAsync(target => target.OutboxMessages.Where(m => delivered.Contains(m.Id) && m.ClaimToken == claim)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.State, OutboxStates.Sent).SetProperty(x => x.SentAt, now).SetProperty(x => x.Attempts, x => x.Attempts + 1)
                .SetProperty(x => x.LastError, (string?)null).SetProperty(x => x.ClaimedUntil, (DateTime?)null).SetProperty(x => x.ClaimToken, (Guid?)null)));
        if (marked < delivered.Count)
        {
            // The claim ran out during a very slow send and another node holds those mails now.
            logger.LogWarning("Lost the claim on {Count} delivered mail(s); another worker has them", delivered.Count - marked);
        }
    }

    /// <summary>A mail not delivered (to retry, given up, or waiting for the relay): its state, where the claim is still ours.</summary>
    private async Task SaveOutcomeAsync(OutboxMessage mail, Guid claim)
    {
        var (id, outcome, attempts, error, next) = (mail.Id, mail.State, mail.Attempts, mail.LastError, mail.NextAttemptAt);
        if (await WriteAsync(target => target.OutboxMessages.Where(m => m.Id == id && m.ClaimToken == claim)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.State, outcome).SetProperty(x => x.Attempts, attempts).SetProperty(x => x.LastError, error)
                    .SetProperty(x => x.NextAttemptAt, next).SetProperty(x => x.ClaimedUntil, (DateTime?)null).SetProperty(x => x.ClaimToken, (Guid?)null))) == 0)
        {
            logger.LogWarning("Lost the claim on mail {MessageId} during delivery; another worker has it", mail.MessageId);
        }
    }

    /// <summary>
    /// Keeps this node off a relay that is down for the outbox's backoff (30 s, 1 min, ... for outages in a row), so a
    /// wrong password is one refused login per wait, not one per mail; says so on the admin page meanwhile.
    /// </summary>
    private void RelayOutcome(bool down, OutboxMessage mail)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        lock (relayState)
        {
            if (down)
            {
                relayRetryAt = now + Backoff(++relayFailures);
                state.RelayFailed(now, mail.LastError ?? "unreachable");
            }
            else
            {
                // Reached and logged in: whatever it said about this mail, the relay is up.
                relayFailures = 0;
                state.RelayWorked();
            }
        }
    }

    /// <summary>False when the relay could not be reached or refused our login: the rest of the batch waits.</summary>
    private async Task<bool> DeliverAsync(SmtpClient? relay, OutboxMessage mail, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        mail.Attempts++;
        try
        {
            if (relay is null)
            {
                await WriteFileAsync(mail, cancellationToken);
            }
            else
            {
                await SendAsync(relay, mail, cancellationToken);
            }
            mail.State = OutboxStates.Sent;
            mail.SentAt = now;
            mail.LastError = null;
            sent.Add(1, new KeyValuePair<string, object?>("kind", mail.Kind));
            return true;
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            GiveUp(mail, $"{(int)ex.StatusCode} {ex.Message}");
            return true;
        }
        catch (Exception ex) when (relay is not null && (ex is RelayDownException || !relay.IsConnected)
            && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            // The relay is down for us (unreachable, refusing at the greeting, EHLO or STARTTLS, refusing our login, or
            // gone mid-send): nothing was said about this mail, so it costs no attempt and is never given up for it.
            mail.Attempts--;
            mail.LastError = Trim($"Relay down: {ex.Message}");
            mail.NextAttemptAt = now + Backoff(1);
            logger.LogWarning("Mail {MessageId} waits: the relay is down ({Error})", mail.MessageId, ex.Message);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Busy, refusing for now, or misconfigured: try again later, less and less often, and show the error to
            // admins; after the last attempt the mail is given up.
            if (mail.Attempts >= options.Outbound.MaxAttempts)
            {
                GiveUp(mail, ex.Message);
            }
            else
            {
                mail.LastError = Trim($"{ex.GetType().Name}: {ex.Message}");
                mail.NextAttemptAt = now + Backoff(mail.Attempts);
                logger.LogWarning("Mail {MessageId} not delivered (attempt {Attempt}): {Error}; next try at {Next:O}",
                    mail.MessageId, mail.Attempts, ex.Message, mail.NextAttemptAt);
            }
            return true;
        }
    }

    /// <summary>30 s, 1 min, 2 min, … up to 2 h between attempts.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(30 * Math.Pow(2, Math.Max(0, attempts - 1)), 7200));

    private void GiveUp(OutboxMessage mail, string error)
    {
        mail.State = OutboxStates.Failed;
        mail.LastError = Trim(error);
        failed.Add(1, new KeyValuePair<string, object?>("kind", mail.Kind));
        logger.LogError("Mail {MessageId} ({Kind}) given up after {Attempts} attempt(s): {Error}", mail.MessageId, mail.Kind, mail.Attempts, error);
    }

    private static string Trim(string error) => error.Length > 1000 ? error[..1000] : error;

    // The file is named by the row, and written whole before it appears: a retry overwrites, never duplicates.
    private async Task WriteFileAsync(OutboxMessage mail, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(MailOutFolder);
        var name = $"{mail.CreatedAt:yyyyMMdd-HHmmss}-{mail.Id:N}.eml";
        var temporary = Path.Combine(MailOutFolder, $".{name}.tmp");
        await File.WriteAllBytesAsync(temporary, mail.Mime, cancellationToken);
        File.Move(temporary, Path.Combine(MailOutFolder, name), overwrite: true);
    }

    private async Task SendAsync(SmtpClient relay, OutboxMessage mail, CancellationToken cancellationToken)
    {
        var kept = relay.IsConnected;
        if (!kept)
        {
            await ConnectAsync(relay, cancellationToken);
        }
        using var stream = new MemoryStream(mail.Mime, writable: false);
        var message = await MimeMessage.LoadAsync(stream, cancellationToken);
        var sender = new MailboxAddress("", await tokens.BounceAddressAsync(mail.Id, options.Domain));
        try
        {
            await relay.SendAsync(message, sender, [new MailboxAddress("", mail.ToAddress)], cancellationToken);
        }
        catch (Exception ex) when (kept && !relay.IsConnected && ex is IOException or SmtpProtocolException or System.Net.Sockets.SocketException)
        {
            // A connection kept from the previous batch that the relay has closed meanwhile (idle timeout, a limit of
            // mails per connection): once more on a new one before calling the relay down.
            await DropAsync(relay, cancellationToken);
            await ConnectAsync(relay, cancellationToken);
            await relay.SendAsync(message, sender, [new MailboxAddress("", mail.ToAddress)], cancellationToken);
        }
    }

    private async Task ConnectAsync(SmtpClient relay, CancellationToken cancellationToken)
    {
        var outbound = options.Outbound;
        relay.Timeout = 30_000;
        var security = outbound.Tls.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        try
        {
            await relay.ConnectAsync(outbound.Host!, outbound.Port, security, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unreachable, or a refusal at the greeting, EHLO or STARTTLS: about us, not about this mail.
            await DropAsync(relay, cancellationToken);
            throw new RelayDownException($"The relay could not be reached: {ex.Message}", ex);
        }
        if (!string.IsNullOrEmpty(outbound.User))
        {
            await LogInAsync(relay, outbound, cancellationToken);
        }
    }

    /// <summary>
    /// A refused login (535, or any other answer to AUTH, even a 5xx) says nothing about the mail: the relay is down for
    /// us. The connection is dropped, so no mail goes on without a login and gets refused (530/554) for that.
    /// </summary>
    private static async Task LogInAsync(SmtpClient relay, OutboundOptions outbound, CancellationToken cancellationToken)
    {
        try
        {
            await relay.AuthenticateAsync(outbound.User!, outbound.Password ?? "", cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await DropAsync(relay, cancellationToken);
            throw new RelayDownException($"The relay refused our login: {ex.Message}", ex);
        }
    }

    private static async Task DropAsync(SmtpClient relay, CancellationToken cancellationToken)
    {
        try
        {
            await relay.DisconnectAsync(quit: relay.IsConnected, cancellationToken);
        }
        catch (Exception quit) when (quit is IOException or SmtpProtocolException or SmtpCommandException or System.Net.Sockets.SocketException)
        {
            // Going anyway.
        }
    }

    private sealed class RelayDownException(string message, Exception inner) : Exception(message, inner);
}
