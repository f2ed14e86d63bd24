using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sportello.Tests.Infrastructure;

/// <summary>
/// Self-signed certificates written as PEM files, as an operator would install them. Validity is measured from the
/// test clock (never the machine's), so what the app judges about expiry is the same on any date; the tests' TLS
/// clients pin thumbprints and never check dates against the machine's clock.
/// </summary>
public static class TestCertificates
{
    /// <summary>Writes <c>cert.pem</c> and <c>key.pem</c> into <paramref name="folder"/>; returns the thumbprint.</summary>
    public static string WritePem(string folder, string subject, TimeProvider clock, TimeSpan validFor)
    {
        var now = clock.GetUtcNow();
        var notAfter = now + validFor;
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(subject);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), notAfter);
        // Written whole and renamed, the way a renewal tool replaces them.
        Replace(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        Replace(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
        return certificate.Thumbprint;
    }

    /// <summary>
    /// Writes a full-chain <c>cert.pem</c> (leaf, then the intermediate that signed it) and <c>key.pem</c>, as a CA
    /// issues them; returns the thumbprints of the leaf and the intermediate.
    /// </summary>
    public static (string Leaf, string Intermediate) WriteChainPem(string folder, string subject, TimeProvider clock, TimeSpan validFor)
    {
        var now = clock.GetUtcNow();
        var notAfter = now + validFor;
        Directory.CreateDirectory(folder);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = Authority("CN=Sportello Test Root", rootKey).CreateSelfSigned(now.AddDays(-2), notAfter.AddDays(30));
        using var middleKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var middle = Authority("CN=Sportello Test Intermediate", middleKey)
            .Create(root, now.AddDays(-1), notAfter.AddDays(10), [1, 2, 3, 4]);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(subject);
        request.CertificateExtensions.Add(names.Build());
        using var signer = middle.CopyWithPrivateKey(middleKey);
        using var leaf = request.Create(signer, now.AddHours(-1), notAfter, [5, 6, 7, 8]);
        Replace(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        Replace(Path.Combine(folder, "cert.pem"), leaf.ExportCertificatePem() + "\n" + middle.ExportCertificatePem());
        return (leaf.Thumbprint, middle.Thumbprint);
    }

    private static CertificateRequest Authority(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request;
    }

    private static void Replace(string path, string content)
    {
        var temporary = path + ".new";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
