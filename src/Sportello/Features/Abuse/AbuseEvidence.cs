using System.Text.RegularExpressions;

namespace Sportello.Features.Abuse;

/// <summary>
/// The evidence as the customer reads it: the report itself (the spam sample, the log lines, the URLs) stays, because
/// the customer needs it to find the cause; the reporter's private data goes: their name and address, every address
/// of their mail domain (a feedback loop's complainant), the recipients of a reported mail, and the fields the formats
/// use for the reporter (X-ARF <c>Reported-From</c>, XARF v4 <c>Reporter*</c>).
/// </summary>
public static partial class AbuseEvidence
{
    public const string Redacted = "[redacted]";

    /// <summary>
    /// The evidence without the reporter: <paramref name="reporterDomains"/> are every mail domain the report came from
    /// (From, Reply-To, the envelope, the reporter fields); their addresses and host names go, the domain as a word too.
    /// </summary>
    public static string ForCustomer(string evidence, string? reporterName, string? reporterEmail, IEnumerable<string>? reporterDomains = null)
    {
        var text = RecipientHeaders().Replace(evidence, m => m.Groups["field"].Value + " " + Redacted);
        text = JsonReporterFields().Replace(text, m => m.Groups["key"].Value + "\"" + Redacted + "\"");
        text = ReceivedFor().Replace(text, "for " + Redacted);
        var domains = (reporterDomains ?? []).Append(DomainOf(reporterEmail))
            .Select(d => d?.Trim().TrimEnd('.').ToLowerInvariant()).Where(d => d is { Length: > 2 } && d.Contains('.', StringComparison.Ordinal))
            .Distinct().ToList();
        foreach (var domain in domains)
        {
            var escaped = Regex.Escape(domain!);
            // Its addresses (local part and all), then the domain and its hosts as words.
            text = Regex.Replace(text, @"[A-Za-z0-9._%+\-=]+@(?:[A-Za-z0-9-]+\.)*" + escaped + @"\b", Redacted,
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            text = Regex.Replace(text, @"(?<![A-Za-z0-9-])(?:[A-Za-z0-9-]+\.)*" + escaped + @"\b", Redacted,
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        if (reporterName is { Length: >= 3 } name)
        {
            text = text.Replace(name, Redacted, StringComparison.OrdinalIgnoreCase);
        }
        return text;
    }

    /// <summary>The domain of an address, or null.</summary>
    public static string? DomainOf(string? address) =>
        address is { Length: > 0 } && address.LastIndexOf('@') is var at and > 0 && at < address.Length - 1 ? address[(at + 1)..] : null;

    /// <summary>
    /// Text as it is kept: no control characters but line breaks and tabs (PostgreSQL refuses NUL), no direction
    /// overrides, no half of a surrogate pair, at most <paramref name="max"/> characters.
    /// </summary>
    public static string Clean(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var clean = new System.Text.StringBuilder(Math.Min(text.Length, max));
        for (var i = 0; i < text.Length && clean.Length < max; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (clean.Length + 2 > max)
                {
                    break;
                }
                clean.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                clean.Append('\uFFFD');
            }
            else if (c == '\r')
            {
                if (i + 1 >= text.Length || text[i + 1] != '\n')
                {
                    clean.Append('\n');
                }
            }
            else if ((c is '\n' or '\t' || !char.IsControl(c)) && !Web.InvisibleText.IsDirectionControl(c))
            {
                clean.Append(c);
            }
        }
        return clean.ToString();
    }

    // The people a reported mail was sent to, and the reporter fields of ARF and X-ARF: a header line (possibly folded).
    [GeneratedRegex(@"^(?<field>(?:To|Cc|Bcc|Delivered-To|X-Original-To|Envelope-To|X-Envelope-To|Original-Rcpt-To|Removal-Recipient|Reported-From|Reporting-MTA|Reporter|Reporter-[A-Za-z-]+)[ \t]*:)[^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*",
        RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RecipientHeaders();

    // "Received: ... by mx.example with ESMTP for <complainant@example>": who the reported mail was for.
    [GeneratedRegex(@"\bfor\s+<?[^\s;<>@]+@[^\s;<>]+>?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex ReceivedFor();

    // XARF v4: "ReporterOrg": "...", "ReporterContactEmail": "...", and the like.
    [GeneratedRegex(@"(?<key>""Reporter[A-Za-z]*""\s*:\s*)""(?:[^""\\]|\\.)*""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex JsonReporterFields();
}
