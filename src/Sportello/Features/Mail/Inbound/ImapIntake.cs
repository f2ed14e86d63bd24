using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// Takes inbound mail from the IMAP mailboxes in <c>Sportello:Mail:Imap</c>. A message without our private keyword
/// <c>$SportelloTaken</c> is still ours to take, whatever a person did to it (read it, flagged it): it is stored, and
/// marked only once the store has committed, so a crash in between fetches it again and the store keeps it once. A
/// server that keeps no custom keywords (no <c>\*</c> in PERMANENTFLAGS) gets the same from a folder instead: taken
/// mail is moved to <c>Sportello-taken</c> next to the folder read. New mail is awaited with IDLE when the server has
/// it, else by polling.
/// </summary>
public sealed class ImapIntake(
    IOptions<MailOptions> options, IServiceScopeFactory scopes, MailPipelineState state, TimeProvider clock, ILogger<ImapIntake> logger)
    : BackgroundService
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private static readonly string[] RecipientFields = ["To", "Cc", "Delivered-To"];
    /// <summary>The keyword that says "taken": private to Sportello, so no person sets it by accident.</summary>
    public const string TakenKeyword = "$SportelloTaken";
    /// <summary>Where taken mail goes on a server that keeps no custom keywords.</summary>
    public const string TakenFolderName = "Sportello-taken";

    /// <summary>The folder read and, when the server keeps no keywords, the folder taken mail moves to.</summary>
    private sealed record Mailbox(IMailFolder Folder, IMailFolder? TakenFolder);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Imap.Select(mailbox => RunAsync(mailbox, stoppingToken)));

    private async Task RunAsync(ImapMailboxOptions mailbox, CancellationToken stoppingToken)
    {
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var client = new ImapClient { Timeout = 60_000 };
            try
            {
                var opened = await OpenAsync(client, mailbox, stoppingToken);
                backoff = FirstBackoff;
                await TakeAndWaitAsync(client, opened, mailbox, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await LogoutAsync(client);
                return;
            }
            catch (Exception ex)
            {
                // Only where and who: the exception text of a failed login is the server's answer, never our secret.
                logger.LogWarning("IMAP mailbox {Name} ({User} at {Host}:{Port}, folder {Folder}) failed: {Error}: {Message}; reconnecting in {Backoff}",
                    mailbox.Name, mailbox.User, mailbox.Host, mailbox.Port, mailbox.Folder, ex.GetType().Name, ex.Message, backoff);
            }
            try
            {
                // Waits are wall-clock: the injected clock stamps times but need not move.
                await Task.Delay(backoff, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task<Mailbox> OpenAsync(ImapClient client, ImapMailboxOptions mailbox, CancellationToken cancellationToken)
    {
        var security = mailbox.Tls.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await client.ConnectAsync(mailbox.Host, mailbox.Port, security, cancellationToken);
        await client.AuthenticateAsync(mailbox.User, mailbox.Password, cancellationToken);
        var folder = await client.GetFolderAsync(mailbox.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        logger.LogInformation("IMAP mailbox {Name}: {User} at {Host}:{Port}, folder {Folder} ({Idle})",
            mailbox.Name, mailbox.User, mailbox.Host, mailbox.Port, mailbox.Folder,
            client.Capabilities.HasFlag(ImapCapabilities.Idle) ? "IDLE" : "polling");
        if (folder.PermanentFlags.HasFlag(MessageFlags.UserDefined) || folder.PermanentKeywords.Contains(TakenKeyword))
        {
            return new Mailbox(folder, null);
        }
        var parent = folder.ParentFolder ?? client.GetFolder(client.PersonalNamespaces[0]);
        IMailFolder taken;
        try
        {
            taken = await parent.GetSubfolderAsync(TakenFolderName, cancellationToken);
        }
        catch (FolderNotFoundException)
        {
            taken = await parent.CreateAsync(TakenFolderName, isMessageFolder: true, cancellationToken)
                ?? throw new InvalidOperationException($"the server did not create the folder {TakenFolderName}");
        }
        logger.LogWarning("IMAP mailbox {Name} keeps no keywords of ours (PERMANENTFLAGS has no \\*): mail taken from {Folder} is moved to {Taken}",
            mailbox.Name, mailbox.Folder, taken.FullName);
        return new Mailbox(folder, taken);
    }

    private async Task TakeAndWaitAsync(ImapClient client, Mailbox opened, ImapMailboxOptions mailbox, CancellationToken stoppingToken)
    {
        var folder = opened.Folder;
        var poll = TimeSpan.FromSeconds(Math.Max(1, mailbox.PollSeconds));
        var arrived = false;
        CancellationTokenSource? done = null;
        // The server reports new mail during any command, not only IDLE: remember it so no IDLE sleeps on it.
        folder.CountChanged += (_, _) =>
        {
            arrived = true;
            done?.Cancel();
        };
        while (true)
        {
            arrived = false;
            await TakeAsync(opened, mailbox, stoppingToken);
            if (arrived)
            {
                continue;
            }
            using (done = new CancellationTokenSource(poll))
            {
                if (client.Capabilities.HasFlag(ImapCapabilities.Idle))
                {
                    await client.IdleAsync(done.Token, stoppingToken);
                }
                else
                {
                    await Task.Delay(poll, stoppingToken);
                }
            }
            done = null;
        }
    }

    private async Task TakeAsync(Mailbox opened, ImapMailboxOptions mailbox, CancellationToken cancellationToken)
    {
        var (folder, takenFolder) = opened;
        var source = $"imap:{mailbox.Name}";
        var uids = await folder.SearchAsync(takenFolder is null ? SearchQuery.NotKeyword(TakenKeyword) : SearchQuery.All, cancellationToken);
        if (uids.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<StoreInboundMail>();
        var limit = options.Value.MaxMessageBytes;
        var tooLarge = new HashSet<UniqueId>();
        foreach (var summary in await folder.FetchAsync(uids, MessageSummaryItems.UniqueId | MessageSummaryItems.Size, cancellationToken))
        {
            // The same limit as SMTP's 552. There is no sender to refuse here: the mail stays in the mailbox, flagged
            // for the mailbox's owner to deal with, and marked taken so it is not fetched again.
            if (summary.Size > limit)
            {
                logger.LogWarning("Mail {Uid} in IMAP mailbox {Name} is {Size} bytes, over the {Limit}-byte limit: not stored, flagged",
                    summary.UniqueId, mailbox.Name, summary.Size, limit);
                await MarkTakenAsync(opened, summary.UniqueId, MessageFlags.Flagged, cancellationToken);
                tooLarge.Add(summary.UniqueId);
            }
        }
        foreach (var uid in uids.Where(u => !tooLarge.Contains(u)))
        {
            byte[] raw;
            using (var stream = await folder.GetStreamAsync(uid, cancellationToken))
            using (var buffer = new MemoryStream())
            {
                await stream.CopyToAsync(buffer, cancellationToken);
                raw = buffer.ToArray();
            }
            try
            {
                await store.StoreAsync(new StoreInboundMail.Envelope(source, mailbox.Host, null, Recipients(raw)), raw, cancellationToken: cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Not marked, so still ours: the next pass tries again.
                logger.LogError("Could not store a mail of {Size} bytes from IMAP mailbox {Name}: {Error}", raw.Length, mailbox.Name, ex.GetType().Name);
                return;
            }
            state.Received(source, clock.GetUtcNow().UtcDateTime);
            await MarkTakenAsync(opened, uid, MessageFlags.Seen, cancellationToken);
        }
    }

    // Adds the flags and our keyword, never taking away a person's flags; or, without keywords, moves the mail aside.
    private static async Task MarkTakenAsync(Mailbox opened, UniqueId uid, MessageFlags flags, CancellationToken cancellationToken)
    {
        if (opened.TakenFolder is null)
        {
            await opened.Folder.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Add, flags, [TakenKeyword]) { Silent = true }, cancellationToken);
            return;
        }
        await opened.Folder.AddFlagsAsync(uid, flags, silent: true, cancellationToken);
        await opened.Folder.MoveToAsync(uid, opened.TakenFolder, cancellationToken);
    }

    /// <summary>The To, Cc and Delivered-To addresses, lower-cased: IMAP has no envelope recipients.</summary>
    public static List<string> Recipients(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            return HeaderList.Load(stream)
                .Where(h => RecipientFields.Contains(h.Field, StringComparer.OrdinalIgnoreCase))
                .SelectMany(h => InternetAddressList.TryParse(h.RawValue, out var list) ? list.Mailboxes : [])
                .Select(m => m.Address.ToLowerInvariant())
                .Distinct()
                .ToList();
        }
        catch (FormatException)
        {
            return [];
        }
    }

    // A polite LOGOUT when the connection is still usable; shutdown does not wait on a server that does not answer.
    private static async Task LogoutAsync(ImapClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.DisconnectAsync(true, quick.Token);
        }
        catch (Exception ex) when (ex is IOException or ImapProtocolException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing anyway.
        }
    }
}
