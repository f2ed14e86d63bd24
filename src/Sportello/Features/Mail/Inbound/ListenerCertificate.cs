using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SmtpServer;

namespace Sportello.Features.Mail.Inbound;

/// <summary>What the admin page and the health check show of the listener's certificate.</summary>
public sealed record CertificateSummary(string Subject, DateTime NotAfter, string Thumbprint);

/// <summary>
/// The SMTP listener's certificate (<c>Sportello:Mail:SmtpTls</c>) with its intermediates, read from its files and
/// read again when their contents change (compared byte for byte, so a symlinked secret swapped underneath is seen
/// too): a renewed certificate is used from the next STARTTLS on, with no restart. Files that cannot be read keep
/// the previous certificate in use until they change again. A replaced certificate is never disposed here: a
/// handshake may still be using it.
/// </summary>
public sealed class ListenerCertificate(SmtpTlsOptions options, MailPipelineState state, ILogger logger) : ICertificateFactory
{
    private readonly Lock gate = new();
    private readonly ConditionalWeakTable<X509Certificate, SslStreamCertificateContext> contexts = [];
    private X509Certificate2? current;
    private (byte[] Certificate, byte[] Key) seen = ([], []);

    /// <summary>Loads the certificate at start; throws with the reason when it cannot be used.</summary>
    public void Load()
    {
        lock (gate)
        {
            var files = ReadFiles();
            Use(Parse(files), files);
        }
        state.RefreshCertificate = Refresh;
    }

    public X509Certificate GetServerCertificate(ISessionContext sessionContext)
    {
        Refresh();
        lock (gate)
        {
            return current!;
        }
    }

    /// <summary>The certificate with its chain, built once per load, for the TLS handshake.</summary>
    public SslStreamCertificateContext? ContextFor(X509Certificate certificate) =>
        contexts.TryGetValue(certificate, out var context) ? context : null;

    /// <summary>Reads the files again and switches to the certificate in them when they changed.</summary>
    public void Refresh()
    {
        lock (gate)
        {
            (byte[], byte[]) files;
            try
            {
                files = ReadFiles();
                if (files.Item1.AsSpan().SequenceEqual(seen.Certificate) && files.Item2.AsSpan().SequenceEqual(seen.Key))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogError("The SMTP certificate files could not be read ({Error}); the previous certificate stays in use", ex.Message);
                return;
            }
            try
            {
                Use(Parse(files), files);
                logger.LogInformation("SMTP certificate reloaded: {Subject}, valid until {NotAfter:O}", current!.Subject, current.NotAfter.ToUniversalTime());
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                // Try again only when the files change once more (a renewal still being written will).
                seen = files;
                logger.LogError("The changed SMTP certificate could not be read ({Error}); the previous one stays in use", ex.Message);
            }
        }
    }

    private void Use((X509Certificate2 Leaf, X509Certificate2Collection Chain) loaded, (byte[], byte[]) files)
    {
        contexts.AddOrUpdate(loaded.Leaf, SslStreamCertificateContext.Create(loaded.Leaf, loaded.Chain, offline: true));
        current = loaded.Leaf;
        seen = files;
        state.SmtpCertificate = new CertificateSummary(loaded.Leaf.Subject, loaded.Leaf.NotAfter.ToUniversalTime(), loaded.Leaf.Thumbprint);
    }

    private (byte[], byte[]) ReadFiles()
    {
        var file = options.CertificateFile!;
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Sportello:Mail:SmtpTls:CertificateFile '{file}' does not exist.");
        }
        return (File.ReadAllBytes(file), string.IsNullOrWhiteSpace(options.KeyFile) ? [] : File.ReadAllBytes(options.KeyFile));
    }

    private (X509Certificate2 Leaf, X509Certificate2Collection Chain) Parse((byte[] Certificate, byte[] Key) files)
    {
        var extension = Path.GetExtension(options.CertificateFile!).ToLowerInvariant();
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        if (extension is ".pfx" or ".p12")
        {
            var all = X509CertificateLoader.LoadPkcs12Collection(files.Certificate, options.Password);
            leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new ArgumentException("Sportello:Mail:SmtpTls: the PKCS#12 file holds no certificate with its private key.");
            chain.AddRange(all.Where(c => !ReferenceEquals(c, leaf)).ToArray());
        }
        else
        {
            var pem = Encoding.ASCII.GetString(files.Certificate);
            var key = files.Key.Length > 0 ? Encoding.ASCII.GetString(files.Key) : pem;
            leaf = string.IsNullOrEmpty(options.Password)
                ? X509Certificate2.CreateFromPem(pem, key)
                : X509Certificate2.CreateFromEncryptedPem(pem, key, options.Password);
            var all = new X509Certificate2Collection();
            all.ImportFromPem(pem);
            // A full-chain file: the first certificate is the listener's, the rest its intermediates.
            chain.AddRange(all.Skip(1).ToArray());
        }
        if (!leaf.HasPrivateKey)
        {
            throw new ArgumentException("Sportello:Mail:SmtpTls: the certificate has no private key (set KeyFile).");
        }
        return (leaf, chain);
    }
}
