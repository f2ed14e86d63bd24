using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MimeKit;
using YamlDotNet.RepresentationModel;

namespace Sportello.Features.Abuse;

/// <summary>The kinds of abuse a report names (CONTRACT.md, "Abuse").</summary>
public static class AbuseTypes
{
    public const string Spam = "spam";
    public const string Phishing = "phishing";
    public const string Malware = "malware";
    public const string Attack = "attack";
    public const string Copyright = "copyright";
    public const string Compromised = "compromised";
    public const string Other = "other";
    public static readonly string[] All = [Spam, Phishing, Malware, Attack, Copyright, Compromised, Other];
}

/// <summary>The formats a report is recognised in.</summary>
public static class AbuseFormats
{
    /// <summary>RFC 5965, <c>multipart/report; report-type=feedback-report</c>: the feedback loops of mailbox providers.</summary>
    public const string Arf = "arf";
    /// <summary>X-ARF 0.2: a <c>report.txt</c> YAML part (abusix, blocklists, fail2ban reporters).</summary>
    public const string XArf = "x-arf";
    /// <summary>XARF v4: one JSON document.</summary>
    public const string Xarf4 = "xarf4";
    /// <summary>Free text written by a person or a script.</summary>
    public const string Text = "text";
}

/// <summary>
/// What a report says, as far as it could be read: the reported addresses (public IPv4 and IPv6 only: a private or
/// loopback address names nobody's service), URLs, when it happened, what kind of abuse, who reports, and whether it is
/// automatic (no acknowledgement goes to a machine, RFC 3834). <see cref="Evidence"/> is the text the desk and,
/// cleaned of the reporter's data, the customer read.
/// </summary>
public sealed record ParsedAbuseReport(
    string Format, string Type, IReadOnlyList<IPAddress> Ips, IReadOnlyList<string> Urls, DateTime? OccurredAt,
    string? ReporterName, string? ReporterEmail, bool Automatic, string Evidence)
{
    /// <summary>Nothing to act on: no address was found (the report is kept all the same, for the desk to read).</summary>
    public bool Unmatched => Ips.Count == 0;
}

/// <summary>
/// Reads an abuse report from a mail in any of the formats providers receive: ARF (RFC 5965), X-ARF 0.2, XARF v4 JSON,
/// or plain text. It never throws on what it is given: what it cannot read in one format it reads as text, and what it
/// cannot read at all is still a report, with the whole mail as its evidence.
/// </summary>
public static partial class AbuseReportParser
{
    /// <summary>Evidence kept per report, at most (the raw mail is kept whole besides).</summary>
    public const int MaxEvidence = 100_000;
    private const int MaxAddresses = 50;

    public static ParsedAbuseReport Parse(MimeMessage message)
    {
        var automatic = IsAutomatic(message);
        var (name, email) = Reporter(message);
        try
        {
            if (message.Body is MultipartReport { ReportType: var reportType } report
                && string.Equals(reportType, "feedback-report", StringComparison.OrdinalIgnoreCase))
            {
                return FromArf(message, report, name, email);
            }
            if (message.Headers["X-ARF"] is { } xarf && xarf.Trim().Equals("yes", StringComparison.OrdinalIgnoreCase)
                && FromXArf(message, name, email) is { } fromXArf)
            {
                return fromXArf;
            }
            if (FromXarf4(message, name, email, automatic) is { } fromJson)
            {
                return fromJson;
            }
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            // A report that claims a format and breaks it is read as text below.
        }
        try
        {
            return FromText(message, name, email, automatic);
        }
        catch (Exception ex) when (Unreadable(ex))
        {
            // Kept all the same, whole, for the desk to read.
            return new(AbuseFormats.Text, AbuseTypes.Other, [], [], Utc(message.Date), name, email, automatic, Cut(Written(message)));
        }
    }

    private static bool Unreadable(Exception ex) =>
        ex is FormatException or JsonException or YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException or RegexMatchTimeoutException;

    private static ParsedAbuseReport FromArf(MimeMessage message, MultipartReport report, string? name, string? email)
    {
        var fields = report.OfType<MessageFeedbackReport>().FirstOrDefault()?.Fields;
        var ips = new List<IPAddress>();
        var urls = new List<string>();
        DateTime? occurred = null;
        var type = AbuseTypes.Spam;
        if (fields is not null)
        {
            AddAddress(ips, fields["Source-IP"]);
            foreach (var uri in fields.Where(f => f.Field.Equals("Reported-Uri", StringComparison.OrdinalIgnoreCase)))
            {
                AddUrls(urls, uri.Value);
            }
            occurred = Date(fields["Arrival-Date"]) ?? Date(fields["Received-Date"]);
            type = (fields["Feedback-Type"] ?? "").Trim().ToLowerInvariant() switch
            {
                "fraud" => AbuseTypes.Phishing,
                "virus" => AbuseTypes.Malware,
                "other" or "not-spam" => AbuseTypes.Other,
                _ => AbuseTypes.Spam,
            };
        }
        // The reported message (or its headers): the hops it came through name the sending host.
        var original = report.OfType<MessagePart>().Select(p => p.Message).FirstOrDefault(m => m is not null);
        if (original is not null)
        {
            foreach (var received in original.Headers.Where(h => h.Id == HeaderId.Received))
            {
                AddAddresses(ips, received.Value);
            }
            if (original.TextBody is { } body)
            {
                AddUrls(urls, body);
            }
        }
        var evidence = new StringBuilder();
        foreach (var part in report)
        {
            switch (part)
            {
                case TextPart text:
                    evidence.AppendLine(text.Text);
                    break;
                case MessageFeedbackReport feedback:
                    foreach (var field in feedback.Fields)
                    {
                        evidence.Append(field.Field).Append(": ").AppendLine(field.Value);
                    }
                    break;
                case MessagePart embedded when embedded.Message is { } sample:
                    evidence.AppendLine().AppendLine(Written(sample));
                    break;
            }
            evidence.AppendLine();
        }
        // Feedback loops are machines: never acknowledged.
        return new(AbuseFormats.Arf, type, ips, urls, occurred ?? Utc(message.Date), name, email, true, Cut(evidence.ToString()));
    }

    private static ParsedAbuseReport? FromXArf(MimeMessage message, string? name, string? email)
    {
        var yamlPart = message.BodyParts.OfType<TextPart>().FirstOrDefault(p =>
            string.Equals(p.FileName, "report.txt", StringComparison.OrdinalIgnoreCase)
            || p.ContentType.MediaSubtype.Equals("plain", StringComparison.OrdinalIgnoreCase) && p.ContentType.Parameters["name"] is "report.txt");
        if (yamlPart is null)
        {
            return null;
        }
        var text = yamlPart.Text ?? "";
        if (text.Length > MaxEvidence || !ShallowYaml(text))
        {
            return null;
        }
        var yaml = new YamlStream();
        using (var reader = new StringReader(text))
        {
            yaml.Load(reader);
        }
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            return null;
        }
        var values = root.Children.Where(c => c.Key is YamlScalarNode && c.Value is YamlScalarNode)
            .GroupBy(c => ((YamlScalarNode)c.Key).Value ?? "", StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => ((YamlScalarNode)g.First().Value).Value ?? "", StringComparer.OrdinalIgnoreCase);
        var ips = new List<IPAddress>();
        var urls = new List<string>();
        var source = values.GetValueOrDefault("Source") ?? "";
        if ((values.GetValueOrDefault("Source-Type") ?? "").StartsWith("uri", StringComparison.OrdinalIgnoreCase))
        {
            AddUrls(urls, source);
        }
        else
        {
            AddAddress(ips, source);
        }
        var type = TypeOf($"{values.GetValueOrDefault("Report-Type")} {values.GetValueOrDefault("Category")}");
        var evidence = new StringBuilder();
        foreach (var part in message.BodyParts.OfType<TextPart>())
        {
            evidence.AppendLine(part.Text).AppendLine();
        }
        var reporter = values.GetValueOrDefault("Reported-From");
        return new(AbuseFormats.XArf, type, ips, urls, Date(values.GetValueOrDefault("Date")) ?? Utc(message.Date),
            name, MailboxAddress.TryParse(reporter, out var from) ? from.Address : email, true, Cut(evidence.ToString()));
    }

    private static ParsedAbuseReport? FromXarf4(MimeMessage message, string? name, string? email, bool automatic)
    {
        var json = Texts(message).Select(t => t.Trim())
            .FirstOrDefault(t => t.StartsWith('{') && t.Contains("\"Report\"", StringComparison.OrdinalIgnoreCase));
        if (json is null)
        {
            return null;
        }
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || Property(root, "Report") is not { ValueKind: JsonValueKind.Object } report)
        {
            return null;
        }
        var ips = new List<IPAddress>();
        var urls = new List<string>();
        foreach (var key in new[] { "SourceIp", "Source", "Ip", "IpAddress" })
        {
            if (Property(report, key) is { ValueKind: JsonValueKind.String } value)
            {
                AddAddress(ips, value.GetString());
                AddUrls(urls, value.GetString() ?? "");
            }
        }
        if (Property(report, "Url") is { ValueKind: JsonValueKind.String } url)
        {
            AddUrls(urls, url.GetString() ?? "");
        }
        var type = TypeOf($"{Text(report, "ReportType")} {Text(report, "ReportClass")}");
        var info = Property(root, "ReporterInfo");
        var reporterEmail = info is { ValueKind: JsonValueKind.Object } ? Text(info.Value, "ReporterContactEmail") ?? Text(info.Value, "ReporterOrgEmail") : null;
        var reporterName = info is { ValueKind: JsonValueKind.Object } ? Text(info.Value, "ReporterContactName") ?? Text(info.Value, "ReporterOrg") : null;
        return new(AbuseFormats.Xarf4, type, ips, urls, Date(Text(report, "Date")) ?? Utc(message.Date),
            reporterName ?? name, reporterEmail ?? email, automatic, Cut(json));
    }

    private static ParsedAbuseReport FromText(MimeMessage message, string? name, string? email, bool automatic)
    {
        var text = message.TextBody ?? (message.HtmlBody is { } html ? Regex.Replace(html, "<[^>]*>", " ") : "");
        var subject = message.Subject ?? "";
        var ips = new List<IPAddress>();
        AddAddresses(ips, subject + "\n" + text);
        var urls = new List<string>();
        AddUrls(urls, text);
        return new(AbuseFormats.Text, TypeOf(subject + " " + text), ips, urls, Utc(message.Date), name, email, automatic,
            Cut(string.IsNullOrWhiteSpace(text) ? Written(message) : text));
    }

    /// <summary>The text of every text or JSON part (XARF v4 arrives as either).</summary>
    private static IEnumerable<string> Texts(MimeMessage message)
    {
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            if (part is TextPart text)
            {
                yield return text.Text ?? "";
            }
            else if (part.ContentType.IsMimeType("application", "json") && part.Content is { } content)
            {
                using var decoded = new MemoryStream();
                content.DecodeTo(decoded);
                yield return Encoding.UTF8.GetString(decoded.GetBuffer(), 0, (int)Math.Min(decoded.Length, MaxEvidence));
            }
        }
    }

    /// <summary>The kind of abuse named by words of a report (English and Italian; the first that matches wins).</summary>
    public static string TypeOf(string words)
    {
        var w = words.ToLowerInvariant();
        if (Has(w, "phish", "fraud", "truffa")) return AbuseTypes.Phishing;
        if (Has(w, "malware", "virus", "trojan", "ransomware", "c2 ", "command and control")) return AbuseTypes.Malware;
        if (Has(w, "copyright", "dmca", "infring", "diritto d'autore", "pirat")) return AbuseTypes.Copyright;
        if (Has(w, "compromis", "hacked", "botnet", "bot ", "open resolver", "open-resolver", "defaced")) return AbuseTypes.Compromised;
        if (Has(w, "attack", "ddos", "dos ", "brute", "login-attack", "loginattack", "scan", "portscan", "intrusion", "attacco")) return AbuseTypes.Attack;
        if (Has(w, "spam", "unsolicited", "uce", "feedback")) return AbuseTypes.Spam;
        return AbuseTypes.Other;
    }

    private static bool Has(string words, params string[] any) => any.Any(a => words.Contains(a, StringComparison.Ordinal));

    /// <summary>RFC 3834 and the formats' own marks: reports sent by machines get no acknowledgement.</summary>
    private static bool IsAutomatic(MimeMessage message) =>
        (message.Headers["Auto-Submitted"] is { } auto && !auto.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        || message.Headers.Contains("X-ARF")
        || message.Headers.Contains("List-Id")
        || (message.Headers["Precedence"] is { } precedence && (precedence.Contains("bulk", StringComparison.OrdinalIgnoreCase)
            || precedence.Contains("list", StringComparison.OrdinalIgnoreCase) || precedence.Contains("junk", StringComparison.OrdinalIgnoreCase)));

    private static (string? Name, string? Email) Reporter(MimeMessage message)
    {
        var from = (message.ReplyTo.Mailboxes.FirstOrDefault() ?? message.From.Mailboxes.FirstOrDefault());
        return (string.IsNullOrWhiteSpace(from?.Name) ? null : from.Name.Trim(), from?.Address);
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>Every public IPv4 and IPv6 address in free text (Received headers, bodies), in order, once each.</summary>
    public static void AddAddresses(List<IPAddress> ips, string text)
    {
        foreach (Match match in AddressCandidates().Matches(text))
        {
            AddAddress(ips, match.Value);
        }
    }

    /// <summary>Nesting YamlStream can build without running out of stack (it recurses per level; the event parser does not).</summary>
    private const int MaxYamlDepth = 32;

    private static bool ShallowYaml(string text)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart when ++depth > MaxYamlDepth:
                    return false;
                case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd:
                    depth--;
                    break;
            }
        }
        return true;
    }

    private static void AddAddress(List<IPAddress> ips, string? value)
    {
        var candidate = (value ?? "").Trim().Trim('[', ']', '(', ')', '<', '>', ',', ';', '.');
        if (candidate.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            candidate = candidate[5..];
        }
        if (ips.Count >= MaxAddresses || !IPAddress.TryParse(candidate, out var parsed) || (parsed.AddressFamily == AddressFamily.InterNetworkV6 && parsed.ScopeId != 0) || candidate.Contains('%', StringComparison.Ordinal)
            // IPAddress.TryParse takes "1" or "1.2" as IPv4: only the dotted quad counts.
            || (parsed.AddressFamily != AddressFamily.InterNetworkV6 && candidate.Count(c => c == '.') != 3))
        {
            return;
        }
        // ::ffff:192.0.2.7 is 192.0.2.7: mapped first, so a mapped private address stays out and nothing is listed twice.
        var ip = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        if (IsPublic(ip) && !ips.Contains(ip))
        {
            ips.Add(ip);
        }
    }

    /// <summary>
    /// Not private, loopback, link-local, shared (CGNAT), multicast or unspecified: such an address is nobody's hosted
    /// service. Documentation ranges (192.0.2.0/24, 2001:db8::/32) count as public: the demo's services live there.
    /// </summary>
    public static bool IsPublic(IPAddress ip)
    {
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return !(b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] is >= 64 and <= 127) || b[0] == 0 || b[0] >= 224);
        }
        return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6Multicast || ip.IsIPv6UniqueLocal);
    }

    private static void AddUrls(List<string> urls, string text)
    {
        foreach (Match match in Urls().Matches(text))
        {
            var url = match.Value.TrimEnd('.', ',', ';', ')', ']', '>', '"', '\'');
            if (urls.Count < MaxAddresses && Uri.TryCreate(url, UriKind.Absolute, out _) && !urls.Contains(url, StringComparer.Ordinal))
            {
                urls.Add(url);
            }
        }
    }

    private static DateTime? Date(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (MimeKit.Utils.DateUtils.TryParse(value, out var rfc))
        {
            return rfc.UtcDateTime;
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var any) ? any.UtcDateTime : null;
    }

    private static DateTime? Utc(DateTimeOffset date) => date == DateTimeOffset.MinValue ? null : date.UtcDateTime;

    private static string Written(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)Math.Min(stream.Length, MaxEvidence));
    }

    private static string Cut(string evidence) => evidence.Length > MaxEvidence ? evidence[..MaxEvidence] : evidence.Trim();

    // Dotted quads, and runs of hex digits and colons with at least two colons (IPv6, possibly with an embedded IPv4); a
    // full stop may end the sentence after one.
    [GeneratedRegex(@"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?)(?![\w:]|\.\w)|(?<=IPv6:)[0-9A-Fa-f:.]+",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AddressCandidates();

    [GeneratedRegex(@"\bhttps?://[^\s<>""']{1,2000}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Urls();
}
