using System.Diagnostics.Metrics;
using MailKit;
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
/// attempts, marks the mail failed for an admin to see. Several nodes share the work by claiming rows.
/// </summary>
public sealed class OutboxWorker(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<MailOptions> mailOptions, IOptions<SportelloOptions> appOptions,
    MailTokens tokens, MailPipelineState state, ILogger<OutboxWorker> logger, IMeterFactory meters) : BackgroundService
{
    public const int BatchSize = 50;
    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);
    private readonly Counter<long> sent = meters.Create("Sportello").CreateCounter<long>("sportello.mail.sent", description: "Mails delivered to the relay or mail-out/");
    private readonly Counter<long> failed = meters.Create("Sportello").CreateCounter<long>("sportello.mail.failed", description: "Mails given up");
    private readonly MailOptions options = mailOptions.Value;

    public string MailOutFolder => Path.Combine(Path.GetFullPath(appOptions.Value.DataDir), "mail-out");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = 0;
            try
            {
                delivered = await DeliverDueAsync(stoppingToken);
                state.OutboxPass(clock.GetUtcNow().UtcDateTime);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Outbox pass failed; retrying shortly");
            }
            if (delivered < BatchSize)
            {
                await MailWake.OutboxSignal.WaitAsync(IdlePoll, stoppingToken);
            }
        }
    }

    /// <summary>One pass: claims due mail and delivers it. Returns how many were handled.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
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
        var batch = await db.OutboxMessages.Where(m => m.ClaimToken == claim && m.State == OutboxStates.Pending).ToListAsync(cancellationToken);
        if (batch.Count == 0)
        {
            return 0;
        }
        using var relay = string.IsNullOrWhiteSpace(options.Outbound.Host) ? null : new SmtpClient();
        foreach (var mail in batch)
        {
            await DeliverAsync(relay, mail, cancellationToken);
            mail.ClaimedUntil = null;
            mail.ClaimToken = null;
            await db.SaveChangesAsync(cancellationToken);
        }
        if (relay is { IsConnected: true })
        {
            await relay.DisconnectAsync(quit: true, cancellationToken);
        }
        return batch.Count;
    }

    private async Task DeliverAsync(SmtpClient? relay, OutboxMessage mail, CancellationToken cancellationToken)
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
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
        {
            GiveUp(mail, $"{(int)ex.StatusCode} {ex.Message}");
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException
            or AuthenticationException or ServiceNotConnectedException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The relay is down or busy: try again later, less and less often.
            if (mail.Attempts >= options.Outbound.MaxAttempts)
            {
                GiveUp(mail, ex.Message);
                return;
            }
            mail.LastError = Trim(ex.Message);
            mail.NextAttemptAt = now + Backoff(mail.Attempts);
            logger.LogWarning("Mail {MessageId} not delivered (attempt {Attempt}): {Error}; next try at {Next:O}",
                mail.MessageId, mail.Attempts, ex.Message, mail.NextAttemptAt);
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
            await relay.ConnectAsync(outbound.Host!, outbound.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(outbound.User))
            {
                await relay.AuthenticateAsync(outbound.User, outbound.Password ?? "", cancellationToken);
            }
        }
        using var stream = new MemoryStream(mail.Mime);
        var message = await MimeMessage.LoadAsync(stream, cancellationToken);
        var sender = new MailboxAddress("", await tokens.BounceAddressAsync(mail.Id, options.Domain));
        await relay.SendAsync(message, sender, [new MailboxAddress("", mail.ToAddress)], cancellationToken);
    }
}
