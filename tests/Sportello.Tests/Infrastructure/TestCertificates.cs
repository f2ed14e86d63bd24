using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sportello.Tests.Infrastructure;

/// <summary>Self-signed certificates written as PEM files, as an operator would install them.</summary>
public static class TestCertificates
{
    /// <summary>Writes <c>cert.pem</c> and <c>key.pem</c> into <paramref name="folder"/>; returns the thumbprint.</summary>
    public static string WritePem(string folder, string subject, DateTimeOffset notAfter)
    {
        Directory.CreateDirectory(folder);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(subject);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), notAfter);
        // Written whole and renamed, the way a renewal tool replaces them.
        Replace(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        Replace(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
        return certificate.Thumbprint;
    }

    private static void Replace(string path, string content)
    {
        var temporary = path + ".new";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
