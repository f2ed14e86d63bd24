using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Inbound.Intake;

namespace Sportello.Features.Abuse;

/// <summary>A report as any intake reads it (mail, the API): the addresses already normalized, public, in order.</summary>
public sealed record IncomingAbuseReport(
    string Source, string Format, string Type, IReadOnlyList<string> Ips, IReadOnlyList<string> Urls, DateTime? OccurredAt,
    string? ReporterName, string? ReporterEmail, bool Automatic, string? Subject, string Evidence)
{
    public Guid? InboundMessageId { get; init; }
    /// <summary>The report mail's Message-ID: the acknowledgement replies to it.</summary>
    public string? MessageId { get; init; }
    /// <summary>The agent who started it, for a security notification of the provider's own.</summary>
    public Guid? StartedById { get; init; }
    /// <summary>Where the acknowledgement goes (the mail's sender, never a Reply-To or an address in the body); none when null.</summary>
    public string? AcknowledgeTo { get; init; }
    /// <summary>Every mail domain the report came from (From, Reply-To, envelope): removed from what the customer reads.</summary>
    public IReadOnlyList<string> ReporterDomains { get; init; } = [];
    /// <summary>The case a follow-up names in its subject (<c>[ABU-12345678]</c>): it joins that case.</summary>
    public string? FollowUpOf { get; init; }
}

/// <summary>
/// The one path of every report, in the caller's unit of work: match the first reported address we host to its
/// service (and so the customer), join the open case of that service (or unhosted address) and type whose last report
/// is within <c>Sportello:Abuse:GroupingHours</c>, or open one: forwarded to the customer with a deadline
/// (<c>Sportello:Abuse:ResponseHours</c>), <c>not-ours</c> for an address we do not host, <c>new</c> when no address
/// could be read (the desk reads it). The reporter is acknowledged unless the report is automatic (RFC 3834), at most
/// once per address per <c>AutoReplyIntervalMinutes</c>.
/// </summary>
public sealed class ReceiveAbuseReport(
    SportelloDb db, AbuseMails mails, AnswerBudget budget, IOptions<AbuseOptions> abuseOptions, IOptions<MailOptions> mailOptions, TimeProvider clock)
{
    private const int MaxIps = 50;
    private readonly HashSet<string> referencesIssued = [];

    public sealed record Received(AbuseCase Case, AbuseReport Report, bool NewCase);

    public async Task<Received> HandleAsync(IncomingAbuseReport incoming, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ips = incoming.Ips.Take(MaxIps).ToList();
        var match = await HostedAddresses.FirstAsync(db, ips, cancellationToken);
        var service = match is { } hosted ? await db.Services.AsNoTracking().SingleAsync(s => s.Id == hosted.ServiceId, cancellationToken) : null;
        var ip = match?.Ip ?? ips.FirstOrDefault();

        var report = new AbuseReport
        {
            ReceivedAt = now,
            Source = incoming.Source,
            Format = incoming.Format,
            Type = incoming.Type,
            Ips = string.Join(',', ips),
            Urls = AbuseEvidence.Clean(string.Join("\n", incoming.Urls.Select(u => AbuseEvidence.Clean(u, 2000))), 50_000),
            OccurredAt = incoming.OccurredAt,
            ReporterName = AbuseEvidence.Clean(incoming.ReporterName, 200) is { Length: > 0 } name ? name : null,
            ReporterEmail = EmailAddresses.Normalize(incoming.ReporterEmail),
            Automatic = incoming.Automatic,
            Subject = AbuseEvidence.Clean(incoming.Subject, 200) is { Length: > 0 } subject ? subject : null,
            Evidence = AbuseEvidence.Clean(incoming.Evidence, AbuseReportParser.MaxEvidence),
            InboundMessageId = incoming.InboundMessageId,
        };
        report.CustomerEvidence = AbuseEvidence.ForCustomer(report.Evidence, report.ReporterName, report.ReporterEmail, incoming.ReporterDomains);
        // A URL that names the reporter (their site, a link with their address) is not the customer's to see.
        report.CustomerUrls = string.Join("\n", report.Urls.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(u => AbuseEvidence.ForCustomer(u, report.ReporterName, report.ReporterEmail, incoming.ReporterDomains) == u));

        var key = ip is null ? null : AbuseCase.KeyOf(service?.Id, ip, incoming.Type);
        var abuse = incoming.FollowUpOf is { } reference
            ? await db.AbuseCases.FirstOrDefaultAsync(c => c.Reference == reference, cancellationToken)
            : null;
        abuse ??= key is null ? null : await OpenCaseAsync(key, now, cancellationToken);
        var isNew = abuse is null;
        if (abuse is null)
        {
            abuse = new AbuseCase
            {
                Reference = await UnusedReferenceAsync(cancellationToken),
                Type = incoming.Type,
                Ip = ip,
                Ips = report.Ips,
                CustomerId = service?.CustomerId,
                ServiceId = service?.Id,
                CreatedAt = now,
                LastReportAt = now,
                Reports = 1,
                GroupKey = key,
                StartedById = incoming.StartedById,
                State = service is not null ? AbuseStates.Forwarded : ip is not null ? AbuseStates.NotOurs : AbuseStates.New,
            };
            db.AbuseCases.Add(abuse);
            await AbuseAudit.RecordAsync(db, abuse.Id, incoming.StartedById, AbuseEventKinds.Created,
                $"{incoming.Source}, {incoming.Format}, {incoming.Type}, {ip ?? "no address"}{(service is null && ip is not null ? ", not ours" : "")}", now);
        }
        else
        {
            abuse.Reports++;
            abuse.LastReportAt = now;
            abuse.Ips = Merge(abuse.Ips, ips);
            abuse.Version = Guid.NewGuid();
            await AbuseAudit.RecordAsync(db, abuse.Id, incoming.StartedById, AbuseEventKinds.ReportAdded, $"{incoming.Source}, {incoming.Format}, report {abuse.Reports}", now);
        }
        report.CaseId = abuse.Id;
        db.AbuseReports.Add(report);

        if (isNew && service is not null)
        {
            abuse.ForwardedAt = now;
            abuse.RespondBy = now.AddHours(abuseOptions.Value.ResponseHours);
            db.OutboxMessages.AddRange(await mails.ForwardedAsync(abuse, service, report, cancellationToken));
            await AbuseAudit.RecordAsync(db, abuse.Id, null, AbuseEventKinds.Forwarded, $"respond by {AbuseAudit.Utc(abuse.RespondBy)}", now);
        }
        if (!report.Automatic && EmailAddresses.Normalize(incoming.AcknowledgeTo) is { } reporter && !LoopGuard.IsOurs(reporter, mailOptions.Value)
            && !MailTokens.IsBounceAddress(reporter) && await budget.TrySpendAsync(reporter, now, cancellationToken))
        {
            report.AcknowledgedAt = now;
            db.OutboxMessages.Add(await mails.AcknowledgementAsync(abuse, report, reporter, incoming.MessageId));
            await AbuseAudit.RecordAsync(db, abuse.Id, null, AbuseEventKinds.Acknowledged, null, now);
        }
        return new Received(abuse, report, isNew);
    }

    /// <summary>
    /// The open case the report joins: the one holding the key of its service (or unhosted address) and type, if its last
    /// report is within the window. A case past its window gives the key up here, to the new case the caller makes.
    /// </summary>
    private async Task<AbuseCase?> OpenCaseAsync(string key, DateTime now, CancellationToken cancellationToken)
    {
        // A case added in this unit of work and not yet stored counts too (two reports in one batch of mail).
        var holder = db.ChangeTracker.Entries<AbuseCase>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).FirstOrDefault(c => c.GroupKey == key)
            ?? await db.AbuseCases.FirstOrDefaultAsync(c => c.GroupKey == key, cancellationToken);
        if (holder is null || holder.LastReportAt >= now.AddHours(-abuseOptions.Value.GroupingHours))
        {
            return holder;
        }
        holder.GroupKey = null;
        holder.Version = Guid.NewGuid();
        return null;
    }

    /// <summary>
    /// Receives and stores one report on its own (the API, the desk). Another node opening the same case at the same
    /// moment makes this write fail on the case's group key: the report is then received again, and joins that case.
    /// </summary>
    public static async Task<Received> StoreAsync(SportelloDb db, Func<Task<Received>> receive, CancellationToken cancellationToken)
    {
        for (var tries = 1; ; tries++)
        {
            var received = await receive();
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return received;
            }
            catch (DbUpdateException) when (tries < 3)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private static string Merge(string known, List<string> more)
    {
        var all = known.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (var ip in more)
        {
            if (all.Count < MaxIps && !all.Contains(ip))
            {
                all.Add(ip);
            }
        }
        return string.Join(',', all);
    }

    /// <summary>A random reference, <c>ABU-</c> and eight digits, not used before.</summary>
    private async Task<string> UnusedReferenceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var reference = $"ABU-{RandomNumberGenerator.GetInt32(100_000_000):D8}";
            if (referencesIssued.Add(reference) && !await db.AbuseCases.AnyAsync(c => c.Reference == reference, cancellationToken))
            {
                return reference;
            }
        }
    }
}
