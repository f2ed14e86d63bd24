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
        var hosted = ips.Count == 0 ? [] : await db.ServiceAddresses.AsNoTracking()
            .Where(a => ips.Contains(a.Address)).Select(a => new { a.Address, a.ServiceId }).ToListAsync(cancellationToken);
        var match = ips.Select(ip => hosted.FirstOrDefault(h => h.Address == ip)).FirstOrDefault(h => h is not null);
        var service = match is null ? null
            : await db.Services.AsNoTracking().SingleAsync(s => s.Id == match.ServiceId, cancellationToken);
        var ip = match?.Address ?? ips.FirstOrDefault();

        var report = new AbuseReport
        {
            ReceivedAt = now,
            Source = incoming.Source,
            Format = incoming.Format,
            Type = incoming.Type,
            Ips = string.Join(',', ips),
            Urls = Cap(string.Join("\n", incoming.Urls), 50_000)!,
            OccurredAt = incoming.OccurredAt,
            ReporterName = Cap(incoming.ReporterName, 200),
            ReporterEmail = EmailAddresses.Normalize(incoming.ReporterEmail),
            Automatic = incoming.Automatic,
            Subject = Cap(incoming.Subject, 200),
            Evidence = Cap(incoming.Evidence, AbuseReportParser.MaxEvidence)!,
            InboundMessageId = incoming.InboundMessageId,
        };
        report.CustomerEvidence = AbuseEvidence.ForCustomer(report.Evidence, report.ReporterName, report.ReporterEmail);

        var key = ip is null ? null : AbuseCase.KeyOf(service?.Id, ip, incoming.Type);
        var abuse = key is null ? null : await OpenCaseAsync(key, now, cancellationToken);
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
        if (!report.Automatic && report.ReporterEmail is { } reporter && !LoopGuard.IsOurs(reporter, mailOptions.Value)
            && await budget.TrySpendAsync(reporter, now, cancellationToken))
        {
            report.AcknowledgedAt = now;
            db.OutboxMessages.Add(await mails.AcknowledgementAsync(abuse, report, incoming.MessageId));
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

    private static string? Cap(string? value, int max) => value is null ? null : value.Length > max ? value[..max] : value;

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
