using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Sportello.Data;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;

namespace Sportello.Features.Mail;

/// <summary>The mail pipeline at a glance: what the admin page shows and what readiness checks.</summary>
public sealed record MailPipelineSummary(
    bool SmtpConfigured, bool SmtpBound, bool IntakeHeld, int InboundWaiting, DateTime? OldestWaitingAt, TimeSpan? IntakeLag,
    int OutboxDue, DateTime? OldestDueAt, int OutboxRetrying, int OutboxFailed, int Quarantined, Dictionary<string, DateTime> LastReceived,
    SmtpTlsSummary SmtpTls)
{
    /// <summary>Why the listener did not start, when it could not (for the admin page).</summary>
    public string? SmtpStartFailure { get; init; }

    /// <summary>Work older than this that nobody picked up means a worker is stuck.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromMinutes(2);

    public string? Problem(DateTime now) =>
        SmtpConfigured && !SmtpBound ? "The SMTP listener is not bound" + (SmtpStartFailure is null ? "" : $": {SmtpStartFailure}")
        : SmtpTls.Certificate is { } certificate && certificate.NotAfter <= now ? $"The SMTP certificate expired on {certificate.NotAfter:O}"
        : !IntakeHeld && OldestWaitingAt is { } waiting && now - waiting > StallAfter ? $"Inbound mail waiting since {waiting:O}: intake is stalled"
        : OldestDueAt is { } due && now - due > StallAfter ? $"Outgoing mail due since {due:O}: the outbox is stalled"
        : null;

    public static async Task<MailPipelineSummary> ReadAsync(
        SportelloDb db, MailPipelineState state, MailOptions options, DateTime now, CancellationToken cancellationToken)
    {
        state.RefreshCertificate?.Invoke();
        var waiting = db.InboundMessages.Where(m => m.State == InboundStates.Received);
        var oldestWaiting = await waiting.OrderBy(m => m.ReceivedAt).Select(m => (DateTime?)m.ReceivedAt).FirstOrDefaultAsync(cancellationToken);
        var due = db.OutboxMessages.Where(m => m.State == OutboxStates.Pending && m.NextAttemptAt <= now);
        var lastReceived = await db.InboundMessages.GroupBy(m => m.Source)
            .Select(g => new { Source = g.Key, Last = g.Max(m => m.ReceivedAt) }).ToDictionaryAsync(g => g.Source, g => g.Last, cancellationToken);
        var lag = await db.InboundMessages.Where(m => m.ProcessedAt != null).OrderByDescending(m => m.ProcessedAt)
            .Select(m => new { m.ReceivedAt, m.ProcessedAt }).FirstOrDefaultAsync(cancellationToken);
        return new MailPipelineSummary(
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
        };
    }
}

/// <summary>STARTTLS on the listener: offered (a certificate is configured), required, and the certificate in use.</summary>
public sealed record SmtpTlsSummary(bool Offered, bool Required, CertificateSummary? Certificate)
{
    /// <summary>The admin page warns this long before the certificate runs out.</summary>
    public static readonly TimeSpan RenewWithin = TimeSpan.FromDays(14);
}

/// <summary>Not ready when the listener is not bound or mail waits, unhandled, longer than it should.</summary>
public sealed class MailHealthCheck(IServiceScopeFactory scopes, MailPipelineState state, IOptions<MailOptions> options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = clock.GetUtcNow().UtcDateTime;
        var summary = await MailPipelineSummary.ReadAsync(db, state, options.Value, now, cancellationToken);
        return summary.Problem(now) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy();
    }
}
