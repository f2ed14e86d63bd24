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
/// work by claiming rows.
/// </summary>
public sealed class OutboxWorker(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> mailOptions, IOptions<SportelloOptions> appOptions,
    MailTokens tokens, MailPipelineState state, ILogger<OutboxWorker> logger, IMeterFactory meters) : BackgroundService
{
    public const int BatchSize = 50;
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(2);
    /// <summary>One pass stops after this long, well within its claim.</summary>
    private static readonly TimeSpan MaxPass = TimeSpan.FromSeconds(60);
    private readonly Counter<long> sent = meters.Create("Sportello").CreateCounter<long>("sportello.mail.sent", description: "Mails delivered to the relay or mail-out/");
    private readonly Counter<long> failed = meters.Create("Sportello").CreateCounter<long>("sportello.mail.failed", description: "Mails given up");
    private readonly MailOptions options = mailOptions.Value;
    private int relayFailures;
    private DateTime relayRetryAt = DateTime.MinValue;

    public string MailOutFolder => Path.Combine(Path.GetFullPath(appOptions.Value.DataDir), "mail-out");

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        MailWake.RunAsync(DeliverDueAsync, BatchSize, MailWake.OutboxSignal, () => state.OutboxPass(clock.GetUtcNow().UtcDateTime), logger, stoppingToken);

    /// <summary>One pass: claims due mail and delivers it. Returns how many were handled.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var relayConfigured = !string.IsNullOrWhiteSpace(options.Outbound.Host);
        if (relayConfigured && now < relayRetryAt)
        {
            return 0;
        }
        var candidates = await db.OutboxMessages.AsNoTracking()
            .Where(m => m.State == OutboxStates.Pending && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .OrderBy(m => m.NextAttemptAt).Select(m => m.Id).Take(BatchSize).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
        {
            return 0;
        }
        var claim = Guid.NewGuid();
        await db.OutboxMessages
            .Where(m => candidates.Contains(m.Id) && m.State == OutboxStates.Pending && (m.ClaimedUntil == null || m.ClaimedUntil < now))
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, now + Claim).SetProperty(x => x.ClaimToken, claim), cancellationToken);
        var batch = await db.OutboxMessages.Where(m => candidates.Contains(m.Id) && m.ClaimToken == claim && m.State == OutboxStates.Pending)
            .ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return 0;
        }
        using var relay = relayConfigured ? new SmtpClient() : null;
        var started = TimeProvider.System.GetTimestamp();
        var renewed = started;
        var relayDown = false;
        var lost = false;
        foreach (var mail in batch)
        {
            // A slow relay must not outlive the claim: renew it every quarter of its length (so no other node can
            // have taken it in between), and leave the rest to the next pass after a minute.
            var mine = db.OutboxMessages.Where(m => m.Id == mail.Id && m.ClaimToken == claim && m.State == OutboxStates.Pending);
            if (!lost && TimeProvider.System.GetElapsedTime(renewed) > Claim / 4)
            {
                renewed = TimeProvider.System.GetTimestamp();
                lost = await db.OutboxMessages.Where(m => candidates.Contains(m.Id) && m.ClaimToken == claim && m.State == OutboxStates.Pending)
                    .ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, clock.GetUtcNow().UtcDateTime + Claim), cancellationToken) == 0;
            }
            if (relayDown || lost || TimeProvider.System.GetElapsedTime(started) >= MaxPass)
            {
                // Not sent in this pass: give the claim back if it is still ours, and never write over another node's.
                db.Entry(mail).State = EntityState.Detached;
                await mine.ExecuteUpdateAsync(m => m.SetProperty(x => x.ClaimedUntil, (DateTime?)null).SetProperty(x => x.ClaimToken, (Guid?)null), cancellationToken);
                continue;
            }
            relayDown = !await DeliverAsync(relay, mail, cancellationToken);
            if (relay is not null)
            {
                RelayOutcome(relayDown, mail);
            }
            mail.ClaimedUntil = null;
            mail.ClaimToken = null;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The claim ran out during a very slow send and another node holds the mail now: stop this pass.
                logger.LogWarning("Lost the claim on mail {MessageId} during delivery; another worker has it", mail.MessageId);
                db.Entry(mail).State = EntityState.Detached;
                lost = true;
            }
        }
        if (relay is { IsConnected: true })
        {
            await relay.DisconnectAsync(quit: true, cancellationToken);
        }
        return batch.Count;
    }

    /// <summary>
    /// Keeps this node off a relay that is down for the outbox's backoff (30 s, 1 min, ... for outages in a row), so a
    /// wrong password is one refused login per wait, not one per mail; says so on the admin page meanwhile.
    /// </summary>
    private void RelayOutcome(bool down, OutboxMessage mail)
    {
        var now = clock.GetUtcNow().UtcDateTime;
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
        var outbound = options.Outbound;
        if (!relay.IsConnected)
        {
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
        using var stream = new MemoryStream(mail.Mime, writable: false);
        var message = await MimeMessage.LoadAsync(stream, cancellationToken);
        var sender = new MailboxAddress("", await tokens.BounceAddressAsync(mail.Id, options.Domain));
        await relay.SendAsync(message, sender, [new MailboxAddress("", mail.ToAddress)], cancellationToken);
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
