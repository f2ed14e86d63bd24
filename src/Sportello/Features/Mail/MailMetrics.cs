using System.Diagnostics.Metrics;
using Sportello.Data;

namespace Sportello.Features.Mail;

/// <summary>
/// The mail backlog, its stalls and the certificate's expiry in <c>/metrics</c>: the pipeline is read every
/// <see cref="ReadEvery"/> (and whenever the admin page or <c>/health/mail</c> reads it), and the gauges report the latest reading.
/// </summary>
public sealed class MailMetrics : BackgroundService
{
    public static readonly TimeSpan ReadEvery = TimeSpan.FromSeconds(15);
    private readonly IServiceScopeFactory scopes;
    private readonly MailPipelineState state;
    private readonly Microsoft.Extensions.Options.IOptions<MailOptions> options;
    private readonly TimeProvider clock;
    private readonly ILogger<MailMetrics> logger;

    public MailMetrics(
        IServiceScopeFactory scopes, MailPipelineState state, Microsoft.Extensions.Options.IOptions<MailOptions> options, TimeProvider clock,
        IMeterFactory meters, ILogger<MailMetrics> logger)
    {
        (this.scopes, this.state, this.options, this.clock, this.logger) = (scopes, state, options, clock, logger);
        var meter = meters.Create("Sportello");
        meter.CreateObservableGauge("sportello.mail.inbound.waiting", () => Read(s => s.InboundWaiting), "{mail}", "Inbound mail stored and not yet handled");
        meter.CreateObservableGauge("sportello.mail.inbound.oldest_wait", () => Read((s, at) => Age(s.OldestWaitingAt, at)), "s", "How long the oldest unhandled inbound mail has waited");
        meter.CreateObservableGauge("sportello.mail.outbox.due", () => Read(s => s.OutboxDue), "{mail}", "Outgoing mail due and not yet sent");
        meter.CreateObservableGauge("sportello.mail.outbox.oldest_due", () => Read((s, at) => Age(s.OldestDueAt, at)), "s", "How long the oldest due outgoing mail has waited");
        meter.CreateObservableGauge("sportello.mail.outbox.failed", () => Read(s => s.OutboxFailed), "{mail}", "Outgoing mail given up or bounced");
        meter.CreateObservableGauge("sportello.mail.stalled", () => Read((s, at) => s.Stall(at) is null ? 0 : 1), description: "1 when mail stalls (what /health/mail answers 503 for)");
        meter.CreateObservableGauge("sportello.mail.relay.down", () => Read(s => s.Relay is null ? 0 : 1), description: "1 while the relay is unreachable or refuses our login");
        meter.CreateObservableGauge("sportello.mail.certificate.remaining", () =>
            state.LastSummary is ({ SmtpTls.Certificate: { } certificate }, var at) ? [new Measurement<double>((certificate.NotAfter - at).TotalSeconds)] : Array.Empty<Measurement<double>>(),
            "s", "Time left before the SMTP listener's certificate expires");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await MailPipelineSummary.ReadAsync(scope.ServiceProvider.GetRequiredService<SportelloDb>(), state, options.Value,
                    clock.GetUtcNow().UtcDateTime, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Could not read the mail pipeline for the metrics: {Error}", ex.Message);
            }
            try
            {
                await Task.Delay(ReadEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }

    private IEnumerable<Measurement<double>> Read(Func<MailPipelineSummary, double> value) => Read((s, _) => value(s));

    private IEnumerable<Measurement<double>> Read(Func<MailPipelineSummary, DateTime, double> value) =>
        state.LastSummary is var (summary, at) ? [new Measurement<double>(value(summary, at))] : [];

    private static double Age(DateTime? since, DateTime at) => since is { } start ? Math.Max(0, (at - start).TotalSeconds) : 0;
}
