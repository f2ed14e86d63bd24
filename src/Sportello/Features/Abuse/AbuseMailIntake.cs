using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Inbound.Intake;
using Sportello.Features.Tickets;

namespace Sportello.Features.Abuse;

/// <summary>
/// Abuse in the mail intake, in its unit of work. Mail to <c>Sportello:Mail:AbuseAddress</c> is a report (never a
/// ticket), read in whatever format it came (<see cref="AbuseReportParser"/>). A reply to a case's mail is the
/// customer's answer, trusted per message like a ticket reply: it must quote our signed Message-ID, come from the
/// customer's registered or confirmed abuse address, and not fail authentication; automatic mail (an out-of-office)
/// answers nothing and stops no deadline.
/// </summary>
public sealed partial class AbuseMailIntake(SportelloDb db, MailTokens tokens, ReceiveAbuseReport receive, AnswerAbuseCase answer, IOptions<MailOptions> options)
{
    public bool IsForAbuse(ParsedMail mail) => IsForAbuse(mail.Recipients);

    public bool IsForAbuse(IEnumerable<string> recipients) =>
        recipients.Any(r => string.Equals(r.Trim(), options.Value.AbuseAddress, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A mail to the abuse address that was quarantined before it could be read (unreadable, hostile): still a report the
    /// desk sees, <c>new</c>, naming the reason and where the raw mail is; nothing of it is parsed.
    /// </summary>
    public async Task QuarantinedAsync(InboundMessage inbound, CancellationToken cancellationToken)
    {
        var received = await receive.HandleAsync(new IncomingAbuseReport(AbuseSources.Mail, AbuseFormats.Text, AbuseTypes.Other, [], [], null, null, null,
            Automatic: true, inbound.Subject,
            $"This mail to the abuse address was quarantined and not read: {inbound.Reason}\nFrom: {inbound.FromAddress}\nEnvelope sender: {inbound.EnvelopeFrom}\n"
            + $"Subject: {inbound.Subject}\nSize: {inbound.Size} bytes\nAn admin finds the raw mail on /admin/mail (inbound mail {inbound.Id}).")
        {
            InboundMessageId = inbound.Id,
        }, cancellationToken);
        inbound.AbuseCaseId = received.Case.Id;
    }

    /// <summary>The case this mail answers, handled; null when it answers no case (or not from someone who may answer it).</summary>
    public async Task<ReceiveInboundMail.Result?> ReplyAsync(
        InboundMessage inbound, ParsedMail mail, SenderCheckResult check, string? noAutoAnswer, MailText.Content content, CancellationToken cancellationToken)
    {
        var ids = mail.Message.References.Prepend(mail.Message.InReplyTo ?? "").Where(i => i.Length > 0);
        if (await tokens.TicketOfAsync(ids) is not { } caseId
            || await db.AbuseCases.FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken) is not { } abuse)
        {
            return null;
        }
        inbound.AbuseCaseId = abuse.Id;
        if (abuse.CustomerId is not { } customerId || check.Verdict == SenderVerdicts.Fail || !await MayAnswerAsync(customerId, mail.From, cancellationToken))
        {
            // A case's thread never becomes a ticket others read; the desk sees that someone else wrote (the raw mail is kept).
            inbound.Outcome = InboundOutcomes.Ignored;
            inbound.Reason = MailFields.Cap($"Reply to abuse case {abuse.Reference} from an address that may not answer it ({check.Verdict})", 1000);
            await AbuseAudit.RecordAsync(db, abuse.Id, null, AbuseEventKinds.ReplyRefused, MailFields.Cap($"{mail.From}, {check.Verdict}", 400), inbound.ProcessedAt ?? inbound.ReceivedAt);
            return new ReceiveInboundMail.Result(null, null);
        }
        if (noAutoAnswer is not null)
        {
            inbound.Outcome = InboundOutcomes.Ignored;
            inbound.Reason = $"Automatic mail on abuse case {abuse.Reference}: not an answer ({noAutoAnswer})";
            return new ReceiveInboundMail.Result(null, null);
        }
        var customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, cancellationToken);
        var body = content.Body.Trim();
        await answer.AppendAsync(abuse, new AbuseMessage
        {
            AuthorKind = AuthorKinds.Customer,
            AuthorId = customerId,
            AuthorName = customer.Name,
            Body = body.Length > AnswerAbuseCase.MaxBody ? body[..AnswerAbuseCase.MaxBody] : body.Length == 0 ? "(empty)" : body,
            Trust = MessageTrust.Of(knownSender: true, check, automatic: false),
            Channel = Channels.Email,
            InboundMessageId = inbound.Id,
        });
        inbound.Outcome = InboundOutcomes.AbuseAnswer;
        return new ReceiveInboundMail.Result(null, null);
    }

    /// <summary>A report to the abuse address: kept, matched, grouped, forwarded, acknowledged (<see cref="ReceiveAbuseReport"/>).</summary>
    public async Task<ReceiveInboundMail.Result> ReportAsync(
        InboundMessage inbound, ParsedMail mail, SenderCheckResult? check, string? noAutoAnswer, CancellationToken cancellationToken)
    {
        var parsed = AbuseReportParser.Parse(mail.Message);
        // XARF v4 is written by tools; a sender whose authentication failed may be someone else's forged address.
        var automatic = parsed.Automatic || parsed.Format == AbuseFormats.Xarf4 || noAutoAnswer is not null;
        var subject = MailFields.OneLine(mail.Message.Subject);
        var domains = mail.Message.From.Mailboxes.Concat(mail.Message.ReplyTo.Mailboxes).Concat(mail.Message.Sender is { } sender ? [sender] : [])
            .Select(m => m.Address).Append(inbound.EnvelopeFrom).Append(parsed.ReporterEmail)
            .Select(AbuseEvidence.DomainOf).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var received = await receive.HandleAsync(new IncomingAbuseReport(AbuseSources.Mail, parsed.Format, parsed.Type,
            [.. parsed.Ips.Select(ip => ip.ToString())], parsed.Urls, parsed.OccurredAt, parsed.ReporterName, parsed.ReporterEmail,
            automatic, subject, parsed.Evidence)
        {
            InboundMessageId = inbound.Id,
            MessageId = mail.Message.MessageId is { Length: > 0 } id ? id : null,
            AcknowledgeTo = check is { Verdict: not SenderVerdicts.Fail } ? mail.From : null,
            ReporterDomains = domains,
            FollowUpOf = Reference().Match(subject) is { Success: true } reference ? reference.Groups[1].Value : null,
        }, cancellationToken);
        inbound.AbuseCaseId = received.Case.Id;
        inbound.Outcome = InboundOutcomes.AbuseReport;
        inbound.Reason = MailFields.Cap($"Abuse case {received.Case.Reference} ({received.Case.State}, {parsed.Format}, {parsed.Type})"
            + (received.Report.AcknowledgedAt is null ? $"; no acknowledgement: {(parsed.Automatic || noAutoAnswer is not null ? "automatic report" : "no reporter address, or one sent in the last minutes")}" : ""), 1000);
        return new ReceiveInboundMail.Result(null, null);
    }

    /// <summary>The customer's registered address, or one of their confirmed abuse addresses.</summary>
    private async Task<bool> MayAnswerAsync(Guid customerId, string from, CancellationToken cancellationToken)
    {
        var normalized = from.ToUpperInvariant();
        return await db.Users.AnyAsync(u => u.Id == customerId && u.NormalizedEmail == normalized, cancellationToken)
            || await db.NotificationAddresses.AnyAsync(a => a.UserId == customerId && a.Type == NotificationTypes.Abuse
                && a.Address == from && a.ConfirmedAt != null, cancellationToken);
    }

    [GeneratedRegex(@"\[(ABU-\d{8})\]", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();
}
