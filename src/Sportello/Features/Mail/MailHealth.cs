using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Mail;

/// <summary>The mail pipeline at a glance: what the admin page, <c>/health/mail</c> and the metrics show.</summary>
public sealed record MailPipelineSummary(
    bool SmtpConfigured, bool SmtpBound, bool IntakeHeld, int InboundWaiting, DateTime? OldestWaitingAt, TimeSpan? IntakeLag,
    int OutboxDue, DateTime? OldestDueAt, int OutboxRetrying, int OutboxFailed, int Quarantined, Dictionary<string, DateTime> LastReceived,
    SmtpTlsSummary SmtpTls)
{
    /// <summary>Why the listener did not start, when it could not (for the admin page).</summary>
    public string? SmtpStartFailure { get; init; }
    /// <summary>Since when this node cannot reach the relay or log in to it, and why.</summary>
    public RelayDown? Relay { get; init; }

    /// <summary>Work older than this that nobody picked up means a worker is stuck.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromMinutes(2);

    /// <summary>What makes this node unready: only a listener that should be bound and is not (a backlog never does).</summary>
    public string? NotReady() => ListenerProblem(SmtpConfigured, SmtpBound, SmtpStartFailure);

    public static string? ListenerProblem(bool configured, bool bound, string? startFailure) =>
        configured && !bound ? "The SMTP listener is not bound" + (startFailure is null ? "" : $": {startFailure}") : null;

    /// <summary>What keeps mail from moving (<c>/health/mail</c> answers 503 with it): a stall or an expired certificate.</summary>
    public string? Stall(DateTime now) =>
        SmtpTls.Certificate is { } certificate && certificate.NotAfter <= now ? $"The SMTP certificate expired on {certificate.NotAfter:O}"
        : !IntakeHeld && OldestWaitingAt is { } waiting && now - waiting > StallAfter ? $"Inbound mail waiting since {waiting:O}: intake is stalled"
        : OldestDueAt is { } due && now - due > StallAfter
            ? $"Outgoing mail due since {due:O}: the outbox is stalled" + (Relay is { } relay ? $" ({relay.Describe()})" : "")
        : null;

    /// <summary>Everything the admin page warns about.</summary>
    public string? Problem(DateTime now) => NotReady() ?? Stall(now);

    /// <summary>
    /// Reads the pipeline's state. <paramref name="light"/> (the public <c>/health/mail</c>, which anyone may call
    /// often) leaves out what only the admin page shows: the per-source history and a fresh look at the certificate files.
    /// </summary>
    public static async Task<MailPipelineSummary> ReadAsync(
        SportelloDb db, MailPipelineState state, MailOptions options, DateTime now, CancellationToken cancellationToken, bool light = false)
    {
        if (!light)
        {
            state.RefreshCertificate?.Invoke();
        }
        var waiting = db.InboundMessages.Where(m => m.State == InboundStates.Received);
        var oldestWaiting = await waiting.OrderBy(m => m.ReceivedAt).Select(m => (DateTime?)m.ReceivedAt).FirstOrDefaultAsync(cancellationToken);
        var due = db.OutboxMessages.Where(m => m.State == OutboxStates.Pending && m.NextAttemptAt <= now);
        var lastReceived = light ? [] : await db.InboundMessages.GroupBy(m => m.Source)
            .Select(g => new { Source = g.Key, Last = g.Max(m => m.ReceivedAt) }).ToDictionaryAsync(g => g.Source, g => g.Last, cancellationToken);
        var lag = await db.InboundMessages.Where(m => m.ProcessedAt != null).OrderByDescending(m => m.ProcessedAt)
            .Select(m => new { m.ReceivedAt, m.ProcessedAt }).FirstOrDefaultAsync(cancellationToken);
        var summary = new MailPipelineSummary(
            !string.IsNullOrWhiteSpace(options.SmtpListen), state.SmtpBound, options.Intake.Hold,
            await waiting.CountAsync(cancellationToken), oldestWaiting, lag is null ? null : lag.ProcessedAt - lag.ReceivedAt,
            await due.CountAsync(cancellationToken),
            await due.OrderBy(m => m.NextAttemptAt).Select(m => (DateTime?)m.NextAttemptAt).FirstOrDefaultAsync(cancellationToken),
            await db.OutboxMessages.CountAsync(m => m.State == OutboxStates.Pending && m.Attempts > 0, cancellationToken),
            await db.OutboxMessages.CountAsync(m => m.State == OutboxStates.Failed || m.State == OutboxStates.Bounced, cancellationToken),
            await db.InboundMessages.CountAsync(m => m.State == InboundStates.Quarantined, cancellationToken),
            lastReceived,
            new SmtpTlsSummary(options.SmtpTls.Configured, options.SmtpTls.Configured && options.SmtpTls.Require, state.SmtpCertificate))
        {
            SmtpStartFailure = state.SmtpStartFailure,
            Relay = state.Relay,
        };
        state.Observed(summary, now);
        return summary;
    }
}

/// <summary>STARTTLS on the listener: offered (a certificate is configured), required, and the certificate in use.</summary>
public sealed record SmtpTlsSummary(bool Offered, bool Required, CertificateSummary? Certificate)
{
    /// <summary>The admin page warns this long before the certificate runs out.</summary>
    public static readonly TimeSpan RenewWithin = TimeSpan.FromDays(14);
}

/// <summary>Readiness: the listener is bound when one is configured. Mail backlog is <c>/health/mail</c>'s business.</summary>
public sealed class MailHealthCheck(MailPipelineState state, IOptions<MailOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(MailPipelineSummary.ListenerProblem(!string.IsNullOrWhiteSpace(options.Value.SmtpListen), state.SmtpBound, state.SmtpStartFailure)
            is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy());
}

/// <summary>The body of <c>GET /health/mail</c> (CONTRACT.md, "Health"): the backlog, and what stalls it.</summary>
public sealed record MailHealthReport(
    int InboundWaiting, DateTime? OldestWaitingAt, int OutboxDue, DateTime? OldestDueAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? CertificateExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Problem,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? RelayDownSince)
{
    // The relay's own words stay on the admin page: this answer is public.
    public static MailHealthReport From(MailPipelineSummary summary, DateTime now) => new(
        summary.InboundWaiting, summary.OldestWaitingAt, summary.OutboxDue, summary.OldestDueAt, summary.SmtpTls.Certificate?.NotAfter,
        (summary with { Relay = null }).Stall(now), summary.Relay?.Since);

    /// <summary>200 while mail moves, 503 with the same body when it stalls; readiness is not affected either way.</summary>
    public static async Task<Results<Ok<MailHealthReport>, JsonHttpResult<MailHealthReport>>> GetAsync(
        SportelloDb db, MailPipelineState state, IOptions<MailOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var summary = await MailPipelineSummary.ReadAsync(db, state, options.Value, now, cancellationToken, light: true);
        var report = From(summary, now);
        return report.Problem is null ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
