using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail.Inbound.Intake;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// Turns one stored mail into what it means, in the caller's unit of work, one step after the other (each step a
/// class in <c>Intake/</c>): parse (or quarantine), delivery reports, trust (who wrote it, per message), thread (the
/// ticket it continues), then append to that ticket or open a new one, within the answer budget and the customer's
/// ticket limit (mail to the abuse address is an abuse report, a reply to an abuse case its answer). The seed's rule: account matters only with the registered address; a From header alone is trivially
/// forged, so appending to a ticket needs our signed Message-ID or an authenticated owner.
/// </summary>
public sealed class ReceiveInboundMail(
    SenderCheck senderCheck, TrustedRelays relays, DeliveryReports reports, ThreadInboundMail threads, AppendMailReply append,
    OpenMailTicket open, Abuse.AbuseMailIntake abuse, IOptions<MailOptions> options, TimeProvider clock, SportelloDb db)
{
    /// <summary>The outcome, with the ticket it touched (to signal once committed).</summary>
    public sealed record Result(Ticket? Ticket, string? Change);

    public async Task<Result> HandleAsync(InboundMessage inbound, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        inbound.ProcessedAt = now;
        inbound.State = InboundStates.Processed;
        var (mail, quarantine) = await ParseInboundMail.ParseAsync(inbound, cancellationToken);
        if (mail is null)
        {
            var quarantined = Quarantine(inbound, quarantine!);
            if (abuse.IsForAbuse(inbound.Recipients.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                await abuse.QuarantinedAsync(inbound, cancellationToken);
            }
            return quarantined;
        }
        if (DeliveryReports.IsReport(mail.Message, mail.Recipients))
        {
            inbound.Outcome = InboundOutcomes.DeliveryReport;
            inbound.Reason = MailFields.Cap(await reports.HandleAsync(db, mail.Message, mail.Recipients, cancellationToken), 1000);
            return new Result(null, null);
        }
        if (LoopGuard.IsOurs(mail.From, options.Value))
        {
            inbound.Outcome = InboundOutcomes.Ignored;
            inbound.Reason = "From our own address (a mail loop)";
            return new Result(null, null);
        }
        if (!mail.From.Contains('@'))
        {
            // A report is kept for the abuse desk even when it names no sender.
            return abuse.IsForAbuse(mail)
                ? await abuse.ReportAsync(inbound, mail, null, "no sender address", cancellationToken)
                : Quarantine(inbound, "No sender address in From");
        }
        var check = await senderCheck.CheckAsync(mail.Message, mail.From, relays.BelievableAuthenticationResults(mail.Message, inbound), cancellationToken);
        inbound.Authentication = MailFields.Cap($"{check.Verdict}: {check.Detail}", 400);
        var noAutoAnswer = LoopGuard.NoAutoAnswerReason(mail.Message, inbound.EnvelopeFrom, options.Value);
        var content = MailText.Read(mail.Message);

        if (await abuse.ReplyAsync(inbound, mail, check, noAutoAnswer, content, cancellationToken) is { } answer)
        {
            return answer;
        }
        if (await threads.FindAsync(mail.Message, mail.From, check, cancellationToken) is { } match)
        {
            return await append.HandleAsync(inbound, mail, match, check, noAutoAnswer, content, now, cancellationToken);
        }
        return abuse.IsForAbuse(mail)
            ? await abuse.ReportAsync(inbound, mail, check, noAutoAnswer, cancellationToken)
            : await open.HandleAsync(inbound, mail, check, noAutoAnswer, content, now, cancellationToken);
    }

    /// <summary>Kept for an admin with the reason; never a ticket.</summary>
    public static Result Quarantine(InboundMessage inbound, string reason)
    {
        inbound.State = InboundStates.Quarantined;
        inbound.Outcome = InboundOutcomes.Quarantined;
        inbound.Reason = MailFields.Cap(reason, 1000);
        return new Result(null, null);
    }
}
