using System.Text;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Services;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>
/// The mails of an abuse case, for the unit of work that causes them. The customer's go to their confirmed abuse
/// addresses, else the registered address (<see cref="NotificationRecipients"/>), in their language, and thread like a
/// ticket's (signed Message-IDs naming the case), so a reply finds the case again. The reporter's name nothing about
/// the customer: only the case's reference and the addresses they reported themselves.
/// </summary>
public sealed class AbuseMails(SportelloDb db, Outbox outbox, IOptions<MailOptions> options)
{
    public const string ForwardedKind = "abuse-forwarded";
    public const string AcknowledgementKind = "abuse-acknowledgement";
    public const string NotOursKind = "abuse-not-ours";
    public const string MessageKind = "abuse-message";

    public static string SubjectToken(string reference) => $"[{reference}]";

    public string CaseLink(AbuseCase abuse) => $"{outbox.PublicUrl}/abuse-cases/{abuse.Id}";

    /// <summary>The case passed on to the customer, with the evidence attached as text and the deadline to answer.</summary>
    public async Task<List<OutboxMessage>> ForwardedAsync(AbuseCase abuse, Service service, AbuseReport report, CancellationToken cancellationToken)
    {
        var composed = new List<OutboxMessage>();
        var attachment = new MailAttachment($"evidence-{abuse.Reference}.txt", "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(report.CustomerEvidence));
        foreach (var to in await NotificationRecipients.OfAsync(db, service.CustomerId, NotificationTypes.Abuse, cancellationToken))
        {
            composed.Add(await outbox.ComposeAsync(Outbox.InLanguage(to.Language, () => new OutgoingMail(ForwardedKind, to,
                $"{SubjectToken(abuse.Reference)} {outbox.T("Abuse report: {0} from {1}", outbox.T(AbuseLabels.Type(abuse.Type)), abuse.Ip ?? "")}",
                [outbox.T("Hello {0},", to.Name ?? ""),
                 abuse.StartedById is null
                    ? outbox.T("we have received a report of {0} from the address {1}, which belongs to your service {2} (order #{3}).",
                        outbox.T(AbuseLabels.Type(abuse.Type)).ToLowerInvariant(), abuse.Ip ?? "", service.Name, service.OrderNumber)
                    : outbox.T("our abuse desk has found {0} on the address {1}, which belongs to your service {2} (order #{3}).",
                        outbox.T(AbuseLabels.Type(abuse.Type)).ToLowerInvariant(), abuse.Ip ?? "", service.Name, service.OrderNumber),
                 outbox.T("Please find the cause, stop it, and tell us what you did by {0}, by replying to this mail or in the Client Area. A case without an answer by then is escalated, and the service may be suspended.",
                    Display.LocalTime(abuse.RespondBy!.Value, to.TimeZone)),
                 outbox.T("The evidence is attached, without the reporter's personal data. Further reports about the same service are added to case {0}.", abuse.Reference),
                 outbox.T("The Sportello abuse desk")],
                $"abuse-forwarded:{abuse.Id}", Link: CaseLink(abuse), LinkText: outbox.T("Open the case in the Client Area"),
                Attachments: [attachment]) { ThreadId = abuse.Id, From = options.Value.AbuseAddress })));
        }
        return composed;
    }

    /// <summary>A message of the abuse desk to the customer.</summary>
    public async Task<List<OutboxMessage>> AgentMessageAsync(AbuseCase abuse, AbuseMessage message, CancellationToken cancellationToken)
    {
        var composed = new List<OutboxMessage>();
        foreach (var to in await NotificationRecipients.OfAsync(db, abuse.CustomerId!.Value, NotificationTypes.Abuse, cancellationToken))
        {
            composed.Add(await outbox.ComposeAsync(Outbox.InLanguage(to.Language, () => new OutgoingMail(MessageKind, to,
                $"Re: {SubjectToken(abuse.Reference)} {outbox.T("Abuse report: {0} from {1}", outbox.T(AbuseLabels.Type(abuse.Type)), abuse.Ip ?? "")}",
                [outbox.T("{0} wrote:", message.AuthorName), message.Body,
                 abuse.RespondBy is { } by && abuse.State == AbuseStates.Forwarded
                    ? outbox.T("Please answer by {0}, by replying to this mail or in the Client Area.", Display.LocalTime(by, to.TimeZone))
                    : outbox.T("To answer, reply to this mail.")],
                $"abuse-message:{message.Id}", Link: CaseLink(abuse), LinkText: outbox.T("Open the case in the Client Area")) { ThreadId = abuse.Id, From = options.Value.AbuseAddress })));
        }
        return composed;
    }

    /// <summary>The reporter's acknowledgement: the reference and what they reported, nothing about whose it is.</summary>
    public async Task<OutboxMessage> AcknowledgementAsync(AbuseCase abuse, AbuseReport report, string address, string? reportMessageId)
    {
        var to = new Recipient(address, report.ReporterName, options.Value.StrangerLanguage, "Europe/Rome");
        var reported = report.Ips.Length > 0 ? report.Ips.Replace(",", ", ", StringComparison.Ordinal) : "-";
        return await outbox.ComposeAsync(Outbox.InLanguage(to.Language, () => new OutgoingMail(AcknowledgementKind, to,
            $"{SubjectToken(abuse.Reference)} {outbox.T("Your abuse report")}",
            [outbox.T("Hello,"),
             outbox.T("thank you for your report about {0}. We have recorded it as case {1} and will look into it.", reported, abuse.Reference),
             outbox.T("Please quote {0} in any further mail about it.", abuse.Reference),
             outbox.T("The Sportello abuse desk")],
            $"abuse-ack:{report.Id}", AutoReply: true, References: reportMessageId is { Length: > 0 } id ? [id] : null) { From = options.Value.AbuseAddress }));
    }

    /// <summary>The one-click answer to the reporters of a case about an address we do not host.</summary>
    public async Task<List<OutboxMessage>> NotOursAsync(AbuseCase abuse, IEnumerable<(string Email, string? Name)> reporters)
    {
        var composed = new List<OutboxMessage>();
        foreach (var (email, name) in reporters)
        {
            var to = new Recipient(email, name, options.Value.StrangerLanguage, "Europe/Rome");
            composed.Add(await outbox.ComposeAsync(Outbox.InLanguage(to.Language, () => new OutgoingMail(NotOursKind, to,
                $"{SubjectToken(abuse.Reference)} {outbox.T("Your abuse report")}",
                [outbox.T("Hello,"),
                 outbox.T("the address {0} of your report (case {1}) is not one we host, so we cannot act on it.", abuse.Ip ?? "", abuse.Reference),
                 outbox.T("The regional internet registry's whois (for example whois.ripe.net) names the network that holds it and its abuse contact."),
                 outbox.T("The Sportello abuse desk")],
                $"abuse-not-ours:{abuse.Id}", AutoReply: true) { From = options.Value.AbuseAddress })));
        }
        return composed;
    }
}

/// <summary>The words for abuse types and case states, in the shared translations.</summary>
public static class AbuseLabels
{
    public static string Type(string key) => key switch
    {
        AbuseTypes.Spam => "Spam",
        AbuseTypes.Phishing => "Phishing",
        AbuseTypes.Malware => "Malware",
        AbuseTypes.Attack => "Attack",
        AbuseTypes.Copyright => "Copyright infringement",
        AbuseTypes.Compromised => "Compromised host",
        _ => "Other abuse",
    };

    public static string State(string key) => key switch
    {
        AbuseStates.New => "New",
        AbuseStates.Forwarded => "Forwarded",
        AbuseStates.CustomerResponded => "Customer responded",
        AbuseStates.Resolved => "Resolved",
        AbuseStates.Escalated => "Escalated",
        AbuseStates.NotOurs => "Not ours",
        _ => key,
    };
}
