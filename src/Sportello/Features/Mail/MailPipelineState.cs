using System.Collections.Concurrent;

namespace Sportello.Features.Mail;

/// <summary>This node's view of its mail workers, for the health check and the admin page.</summary>
public sealed class MailPipelineState
{
    private readonly ConcurrentDictionary<string, DateTime> lastReceived = new();
    private readonly Lock summaryLock = new();

    /// <summary>True while the SMTP listener is bound to its endpoint.</summary>
    public bool SmtpBound { get; set; }
    /// <summary>The certificate STARTTLS presents, when one is configured and could be read.</summary>
    public Inbound.CertificateSummary? SmtpCertificate { get; set; }
    /// <summary>Reads the certificate files again (set by the listener), so the page and readiness see a renewal at once.</summary>
    public Action? RefreshCertificate { get; set; }
    /// <summary>Why the listener did not start, when it could not.</summary>
    public string? SmtpStartFailure { get; set; }
    /// <summary>Set while the relay cannot be reached or refuses our login; cleared by the next delivery it takes.</summary>
    public RelayDown? Relay { get; private set; }
    /// <summary>The latest reading of the pipeline, and when it was taken (what <c>/metrics</c> reports).</summary>
    public (MailPipelineSummary Summary, DateTime At)? LastSummary { get; private set; }
    public DateTime? LastIntakePass { get; private set; }
    public DateTime? LastOutboxPass { get; private set; }

    public IReadOnlyDictionary<string, DateTime> LastReceived => lastReceived;

    public void Received(string source, DateTime at) => lastReceived[source] = at;

    public void IntakePass(DateTime at) => LastIntakePass = at;

    public void OutboxPass(DateTime at) => LastOutboxPass = at;

    /// <summary>The relay failed us; the first failure of a run is kept as the start of the outage.</summary>
    public void RelayFailed(DateTime at, string error) => Relay = new RelayDown(Relay?.Since ?? at, error);

    public void RelayWorked() => Relay = null;

    /// <summary>
    /// Keeps a reading unless a later one is already kept: a slow background read that finishes after a newer one
    /// (the health endpoint's) must not put the older picture back.
    /// </summary>
    public void Observed(MailPipelineSummary summary, DateTime at)
    {
        lock (summaryLock)
        {
            if (LastSummary is not { At: var kept } || at >= kept)
            {
                LastSummary = (summary, at);
            }
        }
    }
}

/// <summary>The relay is unreachable or refuses our login since <paramref name="Since"/>.</summary>
public sealed record RelayDown(DateTime Since, string Error)
{
    public string Describe() => $"the relay is down since {Since:O}: {Error}";
}
