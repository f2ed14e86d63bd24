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

    public static string ForCustomer(string evidence, string? reporterName, string? reporterEmail)
    {
        var text = RecipientHeaders().Replace(evidence, m => m.Groups["field"].Value + " " + Redacted);
        text = JsonReporterFields().Replace(text, m => m.Groups["key"].Value + "\"" + Redacted + "\"");
        if (reporterEmail is { Length: > 0 } && reporterEmail.LastIndexOf('@') is var at and > 0 && at < reporterEmail.Length - 1)
        {
            var domain = Regex.Escape(reporterEmail[(at + 1)..]);
            text = Regex.Replace(text, @"[A-Za-z0-9._%+\-=]+@" + domain + @"\b", Redacted, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
                TimeSpan.FromSeconds(1));
        }
        if (reporterName is { Length: >= 3 } name)
        {
            text = text.Replace(name, Redacted, StringComparison.OrdinalIgnoreCase);
        }
        return text;
    }

    // The people a reported mail was sent to, and the reporter fields of ARF and X-ARF: a header line (possibly folded).
    [GeneratedRegex(@"^(?<field>(?:To|Cc|Bcc|Delivered-To|X-Original-To|Envelope-To|X-Envelope-To|Original-Rcpt-To|Removal-Recipient|Reported-From|Reporter|Reporter-[A-Za-z-]+)[ \t]*:)[^\r\n]*(?:\r?\n[ \t]+[^\r\n]*)*",
        RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RecipientHeaders();

    // XARF v4: "ReporterOrg": "...", "ReporterContactEmail": "...", and the like.
    [GeneratedRegex(@"(?<key>""Reporter[A-Za-z]*""\s*:\s*)""(?:[^""\\]|\\.)*""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex JsonReporterFields();
}
