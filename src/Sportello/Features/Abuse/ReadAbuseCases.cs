using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Abuse;

/// <summary>A case in the abuse queue.</summary>
public sealed record AbuseCaseSummary(
    Guid Id, string Reference, string State, string Type, IReadOnlyList<string> Ips, Guid? CustomerId, Guid? ServiceId, int Reports,
    DateTime CreatedAt, DateTime LastReportAt, DateTime? RespondBy, string? CustomerName, string? ServiceName);

public sealed record AbuseServiceView(Guid Id, string Name, string OrderNumber);

public sealed record AbuseCustomerView(Guid Id, string Name, string Email);

public sealed record AbuseReporterView(string? Name, string? Email);

/// <summary>A report as the desk reads it: with the reporter and the evidence as received.</summary>
public sealed record AbuseReportView(
    Guid Id, DateTime ReceivedAt, string Source, string Format, string Type, IReadOnlyList<string> Ips, IReadOnlyList<string> Urls,
    DateTime? OccurredAt, AbuseReporterView Reporter, bool Automatic, string? Subject, string Evidence, string CustomerEvidence,
    DateTime? AcknowledgedAt, Guid? InboundMessageId);

public sealed record AbuseMessageView(Guid Id, DateTime At, string AuthorKind, string AuthorName, string Body, string Channel, string Trust);

public sealed record AbuseEventView(DateTime At, string Kind, string? Detail, Guid? ActorId, string? ActorName);

/// <summary>A case as the abuse desk reads it: everything, with its audit trail.</summary>
public sealed record AbuseCaseDetail(
    Guid Id, string Reference, string State, string Type, string? Ip, IReadOnlyList<string> Ips, int Reports, DateTime CreatedAt, DateTime LastReportAt,
    Guid? CustomerId, Guid? ServiceId, AbuseCustomerView? Customer, AbuseServiceView? Service, bool SecurityNotice,
    DateTime? ForwardedAt, DateTime? RespondBy, DateTime? CustomerRespondedAt, DateTime? EscalatedAt,
    DateTime? SuspensionRequestedAt, string? SuspensionReason, DateTime? ResolvedAt, string? Resolution, DateTime? NotOursAnsweredAt,
    IReadOnlyList<AbuseReportView> ReportList, IReadOnlyList<AbuseMessageView> Messages, IReadOnlyList<AbuseEventView> Events)
{
    /// <summary>Reporters the one-click "not ours" answer would reach: named, not automatic, once each.</summary>
    public IReadOnlyList<string> ReportersToAnswer =>
        ReportList.Where(r => !r.Automatic && r.Reporter.Email is not null).Select(r => r.Reporter.Email!).Distinct().ToList();
}

/// <summary>A report as the customer reads it: never who reported it, and the evidence without their private data.</summary>
public sealed record CustomerAbuseReportView(DateTime ReceivedAt, string Type, DateTime? OccurredAt, IReadOnlyList<string> Urls, string Evidence);

public sealed record CustomerAbuseCaseSummary(
    Guid Id, string Reference, string State, string Type, string? Ip, AbuseServiceView? Service, int Reports, DateTime CreatedAt, DateTime? RespondBy);

public sealed record CustomerAbuseCaseDetail(
    Guid Id, string Reference, string State, string Type, string? Ip, AbuseServiceView? Service, int Reports, DateTime CreatedAt,
    DateTime? RespondBy, DateTime? ResolvedAt, string? Resolution, bool SecurityNotice,
    IReadOnlyList<CustomerAbuseReportView> ReportList, IReadOnlyList<AbuseMessageView> Messages);

/// <summary>The abuse queue and its cases for the desk, and a customer's own cases for the Client Area.</summary>
public sealed class ReadAbuseCases(SportelloDb db, AbuseAccess access)
{
    public static List<string> Split(string ips) => [.. ips.Split(',', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>Whether <paramref name="userId"/> works the abuse desk (anyone else gets 404 before any other answer).</summary>
    public Task<bool> WorksAbuseAsync(Guid userId, CancellationToken cancellationToken = default) => access.WorksAbuseAsync(userId, cancellationToken);

    /// <summary>The queue, newest first, optionally of one state; null for someone who does not work the abuse desk (404).</summary>
    public async Task<Paged<AbuseCaseSummary>?> QueueAsync(Guid userId, string? state, Page page, CancellationToken cancellationToken = default)
    {
        if (!await access.WorksAbuseAsync(userId, cancellationToken))
        {
            return null;
        }
        var cases = db.AbuseCases.AsNoTracking();
        if (state is not null)
        {
            cases = cases.Where(c => c.State == state);
        }
        if (page.After is { } after)
        {
            cases = cases.Where(c => c.Id < after);
        }
        var rows = await cases.OrderByDescending(c => c.Id).Take(page.Limit + 1)
            .Select(c => new
            {
                Case = c,
                Customer = db.Users.Where(u => u.Id == c.CustomerId).Select(u => u.Name).FirstOrDefault(),
                Service = db.Services.Where(s => s.Id == c.ServiceId).Select(s => s.Name).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return page.Cut(rows.Select(r => new AbuseCaseSummary(r.Case.Id, r.Case.Reference, r.Case.State, r.Case.Type, Split(r.Case.Ips),
            r.Case.CustomerId, r.Case.ServiceId, r.Case.Reports, r.Case.CreatedAt, r.Case.LastReportAt, r.Case.RespondBy, r.Customer, r.Service)).ToList(), c => c.Id);
    }

    /// <summary>Checks a <c>state</c> filter: null when it is fine.</summary>
    public static ValidationErrors? CheckState(string? state) =>
        state is null || AbuseStates.All.Contains(state) ? null
            : new ValidationErrors().Add("state", "state must be one of: {0}.", string.Join(", ", AbuseStates.All));

    public async Task<AbuseCaseDetail?> DeskDetailAsync(Guid userId, Guid caseId, CancellationToken cancellationToken = default)
    {
        if (await access.DeskCaseAsync(userId, caseId, cancellationToken) is not { } c)
        {
            return null;
        }
        var customer = c.CustomerId is { } customerId
            ? await db.Users.AsNoTracking().Where(u => u.Id == customerId).Select(u => new AbuseCustomerView(u.Id, u.Name, u.Email!)).FirstOrDefaultAsync(cancellationToken)
            : null;
        var reports = await db.AbuseReports.AsNoTracking().Where(r => r.CaseId == c.Id).OrderBy(r => r.ReceivedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        var events = await db.AbuseEvents.AsNoTracking().Where(e => e.CaseId == c.Id).OrderBy(e => e.Sequence).ThenBy(e => e.At)
            .Select(e => new AbuseEventView(e.At, e.Kind, e.Detail, e.ActorId, db.Users.Where(u => u.Id == e.ActorId).Select(u => u.Name).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        return new AbuseCaseDetail(c.Id, c.Reference, c.State, c.Type, c.Ip, Split(c.Ips), c.Reports, c.CreatedAt, c.LastReportAt,
            c.CustomerId, c.ServiceId, customer, await ServiceAsync(c.ServiceId, cancellationToken), c.StartedById is not null,
            c.ForwardedAt, c.RespondBy, c.CustomerRespondedAt, c.EscalatedAt, c.SuspensionRequestedAt, c.SuspensionReason, c.ResolvedAt, c.Resolution,
            c.NotOursAnsweredAt,
            reports.Select(r => new AbuseReportView(r.Id, r.ReceivedAt, r.Source, r.Format, r.Type, Split(r.Ips), Lines(r.Urls), r.OccurredAt,
                new AbuseReporterView(r.ReporterName, r.ReporterEmail), r.Automatic, r.Subject, r.Evidence, r.CustomerEvidence, r.AcknowledgedAt,
                r.InboundMessageId)).ToList(),
            await MessagesAsync(c.Id, cancellationToken), events);
    }

    public async Task<Paged<CustomerAbuseCaseSummary>> CustomerListAsync(Guid customerId, Page page, CancellationToken cancellationToken = default)
    {
        var cases = access.CustomerCases(customerId).AsNoTracking();
        if (page.After is { } after)
        {
            cases = cases.Where(c => c.Id < after);
        }
        var rows = await cases.OrderByDescending(c => c.Id).Take(page.Limit + 1)
            .Select(c => new
            {
                Case = c,
                Service = db.Services.Where(s => s.Id == c.ServiceId).Select(s => new AbuseServiceView(s.Id, s.Name, s.OrderNumber)).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return page.Cut(rows.Select(r => new CustomerAbuseCaseSummary(r.Case.Id, r.Case.Reference, r.Case.State, r.Case.Type, r.Case.Ip, r.Service,
            r.Case.Reports, r.Case.CreatedAt, r.Case.RespondBy)).ToList(), c => c.Id);
    }

    public async Task<CustomerAbuseCaseDetail?> CustomerDetailAsync(Guid customerId, Guid caseId, CancellationToken cancellationToken = default)
    {
        if (await access.CustomerCaseAsync(customerId, caseId, cancellationToken) is not { } c)
        {
            return null;
        }
        var reports = await db.AbuseReports.AsNoTracking().Where(r => r.CaseId == c.Id).OrderBy(r => r.ReceivedAt).ThenBy(r => r.Id)
            .Select(r => new { r.ReceivedAt, r.Type, r.OccurredAt, r.CustomerUrls, r.CustomerEvidence }).ToListAsync(cancellationToken);
        return new CustomerAbuseCaseDetail(c.Id, c.Reference, c.State, c.Type, c.Ip, await ServiceAsync(c.ServiceId, cancellationToken), c.Reports,
            c.CreatedAt, c.RespondBy, c.ResolvedAt, c.Resolution, c.StartedById is not null,
            reports.Select(r => new CustomerAbuseReportView(r.ReceivedAt, r.Type, r.OccurredAt, Lines(r.CustomerUrls), r.CustomerEvidence)).ToList(),
            await MessagesAsync(c.Id, cancellationToken));
    }

    private async Task<AbuseServiceView?> ServiceAsync(Guid? serviceId, CancellationToken cancellationToken) =>
        serviceId is { } id
            ? await db.Services.AsNoTracking().Where(s => s.Id == id).Select(s => new AbuseServiceView(s.Id, s.Name, s.OrderNumber)).FirstOrDefaultAsync(cancellationToken)
            : null;

    private Task<List<AbuseMessageView>> MessagesAsync(Guid caseId, CancellationToken cancellationToken) =>
        db.AbuseMessages.AsNoTracking().Where(m => m.CaseId == caseId).OrderBy(m => m.At).ThenBy(m => m.Id)
            .Select(m => new AbuseMessageView(m.Id, m.At, m.AuthorKind, m.AuthorName, m.Body, m.Channel, m.Trust)).ToListAsync(cancellationToken);

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
}
