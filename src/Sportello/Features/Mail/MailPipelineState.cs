using System.Collections.Concurrent;

namespace Sportello.Features.Mail;

/// <summary>This node's view of its mail workers, for the health check and the admin page.</summary>
public sealed class MailPipelineState
{
    private readonly ConcurrentDictionary<string, DateTime> lastReceived = new();

    /// <summary>True while the SMTP listener is bound to its endpoint.</summary>
    public bool SmtpBound { get; set; }
    /// <summary>The certificate STARTTLS presents, when one is configured and could be read.</summary>
    public Inbound.CertificateSummary? SmtpCertificate { get; set; }
    /// <summary>Reads the certificate files again (set by the listener), so the page and readiness see a renewal at once.</summary>
    public Action? RefreshCertificate { get; set; }
    /// <summary>Why the listener did not start, when it could not.</summary>
    public string? SmtpStartFailure { get; set; }
    public DateTime? LastIntakePass { get; private set; }
    public DateTime? LastOutboxPass { get; private set; }

    public IReadOnlyDictionary<string, DateTime> LastReceived => lastReceived;

    public void Received(string source, DateTime at) => lastReceived[source] = at;

    public void IntakePass(DateTime at) => LastIntakePass = at;

    public void OutboxPass(DateTime at) => LastOutboxPass = at;
}
