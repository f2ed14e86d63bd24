using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// Turns one stored mail into what it means, in the caller's unit of work: a reply on its ticket, a new ticket (for
/// the customer whose registered address wrote, or a general question from a stranger), a delivery report, or a
/// quarantined message. The seed's rule: account matters only with the registered address; a From header alone is
/// trivially forged, so appending to a ticket needs our signed Message-ID or an authenticated owner.
/// </summary>
public sealed partial class ReceiveInboundMail(
    SportelloDb db, MailTokens tokens, SenderCheck senderCheck, DeliveryReports reports, TicketMails mails, ReplyToTicket replies,
    IOptions<MailOptions> mailOptions, IOptions<TicketOptions> attachmentLimits, TimeProvider clock)
{
    public const string AbuseTag = "abuse";
    private readonly MailOptions options = mailOptions.Value;
    // What this unit of work already holds, kept here: asking the change tracker would rescan every tracked row.
    private readonly HashSet<string> numbersIssued = [];
    private readonly Dictionary<string, AutoReplyRecord> autoReplies = new(StringComparer.Ordinal);

    /// <summary>The outcome, with the ticket it touched (to signal once committed).</summary>
    public sealed record Result(Ticket? Ticket, string? Change);

    public async Task<Result> HandleAsync(InboundMessage inbound, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        inbound.ProcessedAt = now;
        inbound.State = InboundStates.Processed;
        if (HostileMail.BeforeParsing(inbound.Raw) is { } early)
        {
            // Still name it for the admin who reviews the quarantine.
            (inbound.FromAddress, inbound.Subject) = Peek(inbound.Raw);
            return Quarantine(inbound, early);
        }
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(inbound.Raw, writable: false);
            message = await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (FormatException ex)
        {
            return Quarantine(inbound, $"Unreadable MIME: {ex.Message}");
        }
        var recipients = inbound.Recipients.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var from = message.From.Mailboxes.FirstOrDefault()?.Address?.Trim().ToLowerInvariant();
        inbound.FromAddress = Cap(from, 320);
        inbound.Subject = Cap(CleanSubject(message.Subject), 200);
        if (HostileMail.AfterParsing(message) is { } hostile)
        {
            return Quarantine(inbound, hostile);
        }
        if (DeliveryReports.IsReport(message, recipients))
        {
            inbound.Outcome = InboundOutcomes.DeliveryReport;
            inbound.Reason = Cap(await reports.HandleAsync(db, message, recipients, cancellationToken), 1000);
            return new Result(null, null);
        }
        if (from is null || !from.Contains('@'))
        {
            return Quarantine(inbound, "No sender address in From");
        }
        if (LoopGuard.IsOurs(from, options))
        {
            inbound.Outcome = InboundOutcomes.Ignored;
            inbound.Reason = "From our own address (a mail loop)";
            return new Result(null, null);
        }
        var check = await senderCheck.CheckAsync(message, from, cancellationToken);
        inbound.Authentication = Cap($"{check.Verdict}: {check.Detail}", 400);
        var noAutoAnswer = LoopGuard.NoAutoAnswerReason(message, inbound.EnvelopeFrom, options);
        var content = MailText.Read(message);

        var threaded = await ThreadAsync(message, from, check, cancellationToken);
        if (threaded is not null)
        {
            var (ticket, agent) = threaded.Value;
            if (noAutoAnswer is not null)
            {
                // An out-of-office or a read receipt on a thread: kept for the agents as a note, never a reply that
                // reopens a ticket, answers a customer, stops a clock, or earns an automatic answer.
                var note = await MessageAsync(ticket, null, AuthorKinds.System, Display(message, from), inbound, content, now, cancellationToken);
                note.Internal = true;
                note.QuotedText = null;
                inbound.Outcome = InboundOutcomes.Appended;
                inbound.TicketId = ticket.Id;
                inbound.Reason = $"Automatic mail kept as an internal note: {noAutoAnswer}";
                return new Result(ticket, await replies.AppendAsync(ticket, note, cancellationToken));
            }
            if (agent is not null)
            {
                return await AgentReplyAsync(inbound, ticket, agent, check, content, cancellationToken);
            }
            var author = ticket.CustomerId is { } owner ? await db.Users.AsNoTracking().SingleAsync(u => u.Id == owner, cancellationToken) : null;
            var reply = await MessageAsync(ticket, author?.Id, AuthorKinds.Customer, author?.Name ?? Display(message, from), inbound, content, now, cancellationToken);
            var change = await replies.AppendAsync(ticket, reply, cancellationToken);
            inbound.Outcome = InboundOutcomes.Appended;
            inbound.TicketId = ticket.Id;
            return new Result(ticket, change);
        }
        return await OpenAsync(inbound, message, from, recipients, check, noAutoAnswer, content, now, cancellationToken);
    }

    // A reply joins its ticket only when it proves the thread (signed Message-ID) and comes from someone who may write
    // there, or quotes the number and is authenticated as the ticket's owner. Agents are handled apart.
    private async Task<(Ticket Ticket, User? Agent)?> ThreadAsync(MimeMessage message, string from, SenderCheckResult check, CancellationToken cancellationToken)
    {
        var ids = message.References.Prepend(message.InReplyTo ?? "").Where(i => i.Length > 0);
        if (await tokens.TicketOfAsync(ids) is { } ticketId && await FollowMergesAsync(ticketId, cancellationToken) is { } ticket)
        {
            if (await AgentAsync(from, cancellationToken) is { } agent)
            {
                return (ticket, agent);
            }
            if (check.Verdict != SenderVerdicts.Fail && await MayWriteOnAsync(ticket, from, cancellationToken))
            {
                return (ticket, null);
            }
            return null;
        }
        if (check.Verdict == SenderVerdicts.Pass && SubjectNumber().Match(message.Subject ?? "") is { Success: true } token)
        {
            var number = token.Groups[1].Value;
            var byNumber = await db.Tickets.FirstOrDefaultAsync(t => t.Number == number, cancellationToken);
            if (byNumber is { CustomerId: not null } && await FollowMergesAsync(byNumber.Id, cancellationToken) is { } owned
                && await MayWriteOnAsync(owned, from, cancellationToken))
            {
                return (owned, null);
            }
        }
        return null;
    }

    private async Task<Ticket?> FollowMergesAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            var ticket = await db.Tickets.FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
            if (ticket?.MergedIntoId is not { } next)
            {
                return ticket;
            }
            ticketId = next;
        }
        return null;
    }

    /// <summary>The ticket's customer (registered or confirmed support address), or for a stranger's ticket, that stranger.</summary>
    private async Task<bool> MayWriteOnAsync(Ticket ticket, string from, CancellationToken cancellationToken)
    {
        if (ticket.CustomerId is not { } customerId)
        {
            return string.Equals(ticket.RequesterEmail, from, StringComparison.OrdinalIgnoreCase);
        }
        var normalized = from.ToUpperInvariant();
        return await db.Users.AnyAsync(u => u.Id == customerId && u.NormalizedEmail == normalized, cancellationToken)
            || await db.NotificationAddresses.AnyAsync(a => a.UserId == customerId && a.Type == NotificationTypes.Support
                && a.Address == from && a.ConfirmedAt != null, cancellationToken);
    }

    private async Task<User?> AgentAsync(string from, CancellationToken cancellationToken)
    {
        var normalized = from.ToUpperInvariant();
        return await db.Users.AsNoTracking()
            .FirstOrDefaultAsync(u => u.NormalizedEmail == normalized && db.AgentDepartments.Any(d => d.UserId == u.Id), cancellationToken);
    }

    private async Task<User?> CustomerAsync(string from, CancellationToken cancellationToken)
    {
        var normalized = from.ToUpperInvariant();
        var customerRole = Guid.Parse(Roles.CustomerRoleId);
        var registered = await db.Users.AsNoTracking()
            .FirstOrDefaultAsync(u => u.NormalizedEmail == normalized && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == customerRole), cancellationToken);
        if (registered is not null)
        {
            return registered;
        }
        var extra = await db.NotificationAddresses.AsNoTracking()
            .Where(a => a.Address == from && a.Type == NotificationTypes.Support && a.ConfirmedAt != null)
            .Select(a => a.UserId).Distinct().Take(2).ToListAsync(cancellationToken);
        // An address confirmed by two customers says nothing about which one wrote.
        return extra.Count == 1 ? await db.Users.AsNoTracking().SingleAsync(u => u.Id == extra[0], cancellationToken) : null;
    }

    private async Task<Result> AgentReplyAsync(
        InboundMessage inbound, Ticket ticket, User agent, SenderCheckResult check, MailText.Content content, CancellationToken cancellationToken)
    {
        inbound.TicketId = ticket.Id;
        if (check.Verdict != SenderVerdicts.Pass)
        {
            inbound.Outcome = InboundOutcomes.AgentReplyRefused;
            inbound.Reason = "An agent's mail reply must be authenticated (DKIM or a trusted MTA)";
            // The From may be forged: the agent hears of it at most once per interval, so nobody can mail-bomb them through us.
            if (await MayAutoReplyAsync(agent.Email!.ToLowerInvariant(), inbound.ProcessedAt!.Value, cancellationToken))
            {
                db.OutboxMessages.Add(await mails.AgentReplyRefusedAsync(ticket, agent, inbound.Id,
                    check.Verdict == SenderVerdicts.Fail ? "its signature failed verification." : "it carried no signature we could verify."));
            }
            return new Result(null, null);
        }
        var reply = await MessageAsync(ticket, agent.Id, AuthorKinds.Agent, agent.Name, inbound, content, inbound.ProcessedAt!.Value, cancellationToken);
        // What an agent quotes is our notification to them (internal): the customer sees only what they wrote.
        reply.QuotedText = null;
        var change = await replies.AppendAsync(ticket, reply, cancellationToken);
        inbound.Outcome = InboundOutcomes.AgentReplied;
        return new Result(ticket, change);
    }

    private async Task<Result> OpenAsync(
        InboundMessage inbound, MimeMessage message, string from, string[] recipients, SenderCheckResult check, string? noAutoAnswer,
        MailText.Content content, DateTime now, CancellationToken cancellationToken)
    {
        var abuse = recipients.Any(r => string.Equals(r, options.AbuseAddress, StringComparison.OrdinalIgnoreCase));
        // Failed authentication, or the abuse desk: never tied to an account on the strength of a From header.
        var customer = abuse || check.Verdict == SenderVerdicts.Fail ? null : await CustomerAsync(from, cancellationToken);
        var policy = await db.SlaPolicies.SingleAsync(p => p.Channel == Channels.Email && p.Priority == Priorities.Normal, cancellationToken);
        var subject = CleanSubject(message.Subject);
        var ticket = OpenTicket.NewTicket(customer?.Id, options.DepartmentFor(recipients), Priorities.Normal, Channels.Email,
            subject.Length > OpenTicket.MaxSubject ? subject[..OpenTicket.MaxSubject] : subject, policy, now);
        ticket.RequesterEmail = Cap(from, 320);
        ticket.Trust = customer is null ? SenderTrust.Unverified : check.Verdict == SenderVerdicts.Pass ? SenderTrust.Verified : SenderTrust.Registered;
        ticket.Tag = abuse ? AbuseTag : null;
        ticket.Number = await UnusedNumberAsync(cancellationToken);
        db.Tickets.Add(ticket);
        var first = await MessageAsync(ticket, customer?.Id, AuthorKinds.Customer, customer?.Name ?? Display(message, from), inbound, content, now, cancellationToken);
        db.TicketMessages.Add(first);
        TicketAudit.Record(db, ticket.Id, customer?.Id, TicketEventKinds.Created, $"{ticket.Department}, {ticket.Priority}, email, {ticket.Trust}", now);
        inbound.Outcome = InboundOutcomes.TicketOpened;
        inbound.TicketId = ticket.Id;

        if (noAutoAnswer is not null)
        {
            inbound.Reason = $"No acknowledgement: {noAutoAnswer}";
        }
        else if (customer is not null || await MayAutoReplyAsync(from, now, cancellationToken))
        {
            // A registered customer's new ticket is always acknowledged with its number; strangers at most once per interval.
            db.OutboxMessages.AddRange(await mails.OpenedAsync(ticket, await mails.RecipientsAsync(db, ticket, customer, cancellationToken), message.MessageId));
        }
        else
        {
            inbound.Reason = $"No acknowledgement: this address had one in the last {options.AutoReplyIntervalMinutes} minutes";
        }
        return new Result(ticket, TicketEventKinds.Created);
    }

    private async Task<bool> MayAutoReplyAsync(string address, DateTime now, CancellationToken cancellationToken)
    {
        if (!autoReplies.TryGetValue(address, out var record))
        {
            record = await db.AutoReplies.FirstOrDefaultAsync(r => r.Address == address, cancellationToken);
        }
        if (record is not null && record.LastSentAt > now.AddMinutes(-options.AutoReplyIntervalMinutes))
        {
            return false;
        }
        if (record is null)
        {
            record = new AutoReplyRecord { Address = address, LastSentAt = now };
            db.AutoReplies.Add(record);
        }
        else
        {
            record.LastSentAt = now;
        }
        autoReplies[address] = record;
        return true;
    }

    private async Task<TicketMessage> MessageAsync(
        Ticket ticket, Guid? authorId, string kind, string authorName, InboundMessage inbound, MailText.Content content, DateTime now,
        CancellationToken cancellationToken)
    {
        var message = new TicketMessage
        {
            Id = Guid.CreateVersion7(),
            TicketId = ticket.Id,
            AuthorId = authorId,
            AuthorKind = kind,
            AuthorName = Cap(authorName, 200)!,
            Body = content.Body,
            QuotedText = content.Quoted,
            InboundMessageId = inbound.Id,
            CreatedAt = now,
        };
        var files = content.Files.Where(f => f.Length <= attachmentLimits.Value.MaxAttachmentBytes).ToList();
        if (files.Count > 0)
        {
            var prepared = await AddAttachments.PrepareAsync(ticket.Id, message.Id, files, now, cancellationToken);
            AddAttachments.Stage(db, ticket.Id, authorId, prepared, now);
            message.Attachments.AddRange(prepared.Select(p => p.Attachment));
        }
        if (files.Count < content.Files.Count)
        {
            message.Body += "\n\n[" + string.Join(", ", content.Files.Except(files).Select(f => FileNames.Normalize(f.FileName)))
                + ": too large to keep as a file; the original mail is kept.]";
        }
        return message;
    }

    private async Task<string> UnusedNumberAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var number = TicketNumbers.New();
            if (!numbersIssued.Contains(number) && !await db.Tickets.AnyAsync(t => t.Number == number, cancellationToken))
            {
                numbersIssued.Add(number);
                return number;
            }
        }
    }

    private static (string? From, string? Subject) Peek(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var headers = new MimeParser(stream, MimeFormat.Entity).ParseHeaders();
            var from = InternetAddressList.TryParse(headers[HeaderId.From] ?? "", out var list) ? list.Mailboxes.FirstOrDefault()?.Address : null;
            var subject = headers[HeaderId.Subject];
            return (Cap(from, 320), subject is null ? null : Cap(CleanSubject(subject), 200));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    private static Result Quarantine(InboundMessage inbound, string reason)
    {
        inbound.State = InboundStates.Quarantined;
        inbound.Outcome = InboundOutcomes.Quarantined;
        inbound.Reason = Cap(reason, 1000);
        return new Result(null, null);
    }

    private static string Display(MimeMessage message, string from) =>
        message.From.Mailboxes.FirstOrDefault()?.Name is { Length: > 0 } name ? $"{CleanSubject(name)} <{from}>" : from;

    /// <summary>One line of printable text (encoded words decoded by MimeKit, controls and bidi overrides removed).</summary>
    public static string CleanSubject(string? subject)
    {
        var clean = new string((subject ?? "").Where(c => !char.IsControl(c) && c is not ('\u202A' or '\u202B' or '\u202C' or '\u202D' or '\u202E' or '\u2066' or '\u2067' or '\u2068' or '\u2069')).ToArray()).Trim();
        return clean.Length == 0 ? "(no subject)" : clean;
    }

    private static string? Cap(string? value, int max) => value is not null && value.Length > max ? value[..max] : value;

    [GeneratedRegex(@"\[#([A-Z]{3}-\d{6})\]", RegexOptions.CultureInvariant)]
    private static partial Regex SubjectNumber();
}
