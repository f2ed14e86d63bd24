using System.Security.Cryptography.X509Certificates;
using SmtpServer;

namespace Sportello.Features.Mail.Inbound;

/// <summary>What the admin page and the health check show of the listener's certificate.</summary>
public sealed record CertificateSummary(string Subject, DateTime NotAfter, string Thumbprint);

/// <summary>
/// The SMTP listener's certificate (<c>Sportello:Mail:SmtpTls</c>), read from its files and read again when they
/// change: a renewed certificate is used from the next STARTTLS on, with no restart. Files that cannot be read keep
/// the previous certificate in use until they change again.
/// </summary>
public sealed class ListenerCertificate(SmtpTlsOptions options, MailPipelineState state, ILogger logger) : ICertificateFactory
{
    private readonly Lock gate = new();
    private X509Certificate2? current;
    private (DateTime Certificate, DateTime Key) stamp;

    /// <summary>Loads the certificate at start; throws with the reason when it cannot be used.</summary>
    public void Load()
    {
        lock (gate)
        {
            var loaded = Read();
            Use(loaded, Stamp());
        }
    }

    public X509Certificate GetServerCertificate(ISessionContext sessionContext)
    {
        lock (gate)
        {
            var now = Stamp();
            if (now != stamp)
            {
                try
                {
                    Use(Read(), now);
                    logger.LogInformation("SMTP certificate reloaded: {Subject}, valid until {NotAfter:O}", current!.Subject, current.NotAfter.ToUniversalTime());
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    // Keep serving the old one, and try again at the files' next change (a renewal still being
                    // written changes them once more when it is done).
                    stamp = now;
                    logger.LogError("The changed SMTP certificate could not be read ({Error}); the previous one stays in use", ex.Message);
                }
            }
            return current!;
        }
    }

    private void Use(X509Certificate2 certificate, (DateTime, DateTime) at)
    {
        var previous = current;
        current = certificate;
        stamp = at;
        state.SmtpCertificate = new CertificateSummary(certificate.Subject, certificate.NotAfter.ToUniversalTime(), certificate.Thumbprint);
        previous?.Dispose();
    }

    private (DateTime, DateTime) Stamp() => (
        File.GetLastWriteTimeUtc(options.CertificateFile!),
        string.IsNullOrWhiteSpace(options.KeyFile) ? default : File.GetLastWriteTimeUtc(options.KeyFile));

    private X509Certificate2 Read()
    {
        var file = options.CertificateFile!;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Sportello:Mail:SmtpTls:CertificateFile '{file}' does not exist.");
        }
        var extension = Path.GetExtension(file).ToLowerInvariant();
        var certificate = extension is ".pfx" or ".p12"
            ? X509CertificateLoader.LoadPkcs12FromFile(file, options.Password)
            : !string.IsNullOrEmpty(options.Password)
                ? X509Certificate2.CreateFromEncryptedPemFile(file, options.Password, NullIfEmpty(options.KeyFile))
                : X509Certificate2.CreateFromPemFile(file, NullIfEmpty(options.KeyFile));
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException("Sportello:Mail:SmtpTls: the certificate has no private key (set KeyFile).");
        }
        return certificate;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
