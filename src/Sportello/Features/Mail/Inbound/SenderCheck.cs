using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Sportello.Features.Mail.Inbound;

public static class SenderVerdicts
{
    /// <summary>A DKIM signature aligned with the From domain verified, or a trusted MTA says DKIM/DMARC passed.</summary>
    public const string Pass = "pass";
    /// <summary>A signature that should verify did not, or does not align with the From, or a trusted MTA says fail.</summary>
    public const string Fail = "fail";
    /// <summary>Nothing to judge by: no signature we can check, no trusted verdict.</summary>
    public const string None = "none";
}

public sealed record SenderCheckResult(string Verdict, string Detail);

/// <summary>
/// Is the From of this mail authentic? A From header alone proves nothing. Two sources are believed: a DKIM
/// signature we can verify with a configured key (no DNS), aligned with the From domain; and the one
/// Authentication-Results header that a trusted relay wrote (<c>TrustedRelays</c>), naming one of the provider's own
/// MTAs (<c>TrustedAuthServIds</c>).
/// </summary>
public sealed class SenderCheck(IOptions<MailOptions> options)
{
    private readonly KeyLocator keys = new(options.Value.Authentication.DkimKeys);

    /// <summary>
    /// Judges the From of <paramref name="message"/>. <paramref name="authenticationResults"/> is the one
    /// Authentication-Results header that may be believed (see <see cref="Intake.TrustedRelays"/>), or null.
    /// </summary>
    public async Task<SenderCheckResult> CheckAsync(MimeMessage message, string? from, Header? authenticationResults, CancellationToken cancellationToken = default)
    {
        var fromDomain = from is null ? "" : from[(from.LastIndexOf('@') + 1)..].ToLowerInvariant();
        var findings = new List<string>();
        var verdict = SenderVerdicts.None;
        // As DMARC does: one aligned pass authenticates the From; otherwise any failure or misalignment distrusts it.
        void Note(string result, string finding)
        {
            findings.Add(finding);
            if (result == SenderVerdicts.Pass || (result == SenderVerdicts.Fail && verdict == SenderVerdicts.None))
            {
                verdict = result;
            }
        }

        // The believable header counts only when one of our own MTAs (by authserv-id) wrote it.
        var trusted = authenticationResults is not null && AuthenticationResults.TryParse(authenticationResults.RawValue, out var parsed)
            && options.Value.Authentication.TrustedAuthServIds.Contains(parsed.AuthenticationServiceIdentifier, StringComparer.OrdinalIgnoreCase)
            ? parsed
            : null;
        foreach (var result in trusted?.Results ?? [])
        {
            var method = result.Method.ToLowerInvariant();
            var property = method == "dmarc" ? "from" : "d";
            var domain = result.Properties.FirstOrDefault(p => p.PropertyType == "header" && (p.Property == property || (method == "dkim" && p.Property == "i")))
                ?.Value?.TrimStart('@');
            domain = domain?[(domain.LastIndexOf('@') + 1)..];
            if (method is "dmarc" or "dkim" && domain is not null && Aligned(domain, fromDomain))
            {
                var outcome = result.Result.ToLowerInvariant() switch
                {
                    "pass" => SenderVerdicts.Pass,
                    "fail" or "permerror" => SenderVerdicts.Fail,
                    _ => SenderVerdicts.None,
                };
                if (outcome != SenderVerdicts.None)
                {
                    Note(outcome, $"{method}={result.Result} by {trusted!.AuthenticationServiceIdentifier}");
                }
            }
        }

        var verifier = new DkimVerifier(keys);
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.DkimSignature))
        {
            var tags = Tags(header.Value);
            var d = tags.GetValueOrDefault("d", "").ToLowerInvariant();
            var s = tags.GetValueOrDefault("s", "");
            if (!keys.Knows(d, s))
            {
                findings.Add($"dkim=unchecked (d={d}, no key configured)");
                continue;
            }
            bool valid;
            try
            {
                valid = await verifier.VerifyAsync(message, header, cancellationToken);
            }
            catch (FormatException)
            {
                valid = false;
            }
            if (!valid)
            {
                Note(SenderVerdicts.Fail, $"dkim=fail (d={d})");
            }
            else if (!Aligned(d, fromDomain))
            {
                Note(SenderVerdicts.Fail, $"dkim=pass (d={d}) not aligned with From {fromDomain}");
            }
            else
            {
                Note(SenderVerdicts.Pass, $"dkim=pass (d={d})");
            }
        }
        return new SenderCheckResult(verdict, findings.Count == 0 ? "no signature" : string.Join("; ", findings));
    }

    /// <summary>Relaxed alignment: the signing domain is the From domain or a parent of it.</summary>
    public static bool Aligned(string signingDomain, string fromDomain) =>
        fromDomain.Length > 0 && (string.Equals(signingDomain, fromDomain, StringComparison.OrdinalIgnoreCase)
            || fromDomain.EndsWith("." + signingDomain, StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string> Tags(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.Split('=', 2))
            .Where(t => t.Length == 2)
            .GroupBy(t => t[0].Trim(), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Concat(g.First()[1].Where(c => !char.IsWhiteSpace(c))), StringComparer.OrdinalIgnoreCase);

    /// <summary>DKIM keys from configuration, as their DNS TXT records would give them.</summary>
    private sealed class KeyLocator(IEnumerable<DkimKeyOptions> configured) : DkimPublicKeyLocatorBase
    {
        private readonly Dictionary<string, string> records = configured
            .ToDictionary(k => $"{k.Selector}._domainkey.{k.Domain}".ToLowerInvariant(), k => k.Record);

        public bool Knows(string domain, string selector) => records.ContainsKey($"{selector}._domainkey.{domain}".ToLowerInvariant());

        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            records.TryGetValue($"{selector}._domainkey.{domain}".ToLowerInvariant(), out var record)
                ? GetPublicKey(record)
                : throw new FormatException($"No DKIM key for {selector}._domainkey.{domain}");

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
            Task.FromResult(LocatePublicKey(methods, domain, selector, cancellationToken));
    }
}
