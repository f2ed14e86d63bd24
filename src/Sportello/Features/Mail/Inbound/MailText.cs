using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using MimeKit;
using Sportello.Features.Tickets;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// What a mail says, as text that is safe to show: the plain part, or the HTML part sanitised and flattened; the
/// quoted history cut off for display (kept apart); and its files, inline images included.
/// </summary>
public static partial class MailText
{
    public const int MaxFiles = 20;

    public sealed record Content(string Body, string? Quoted, List<AddAttachments.Upload> Files);

    public static Content Read(MimeMessage message)
    {
        var text = message.TextBody;
        if (string.IsNullOrWhiteSpace(text) && message.HtmlBody is { } html)
        {
            text = HtmlToText(html);
        }
        text = Clean(text ?? "");
        var (body, quoted) = SplitQuoted(text);
        return new Content(body.Length == 0 ? "(empty message)" : body, quoted, Files(message));
    }

    /// <summary>Sanitises the HTML (no script, handlers or foreign schemes survive) and keeps its text, line by line.</summary>
    public static string HtmlToText(string html)
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        var safe = sanitizer.Sanitize(html);
        safe = BlockEnds().Replace(safe, "\n$0");
        var document = new HtmlParser().ParseDocument($"<body>{safe}</body>");
        return document.Body?.TextContent ?? "";
    }

    /// <summary>Splits the new text from the quoted history below it ("On … wrote:", "&gt;" lines, forwarded headers).</summary>
    public static (string Body, string? Quoted) SplitQuoted(string text)
    {
        var lines = text.Split('\n');
        // Where the trailing block of quoted (or blank) lines begins: a '>' line from there on starts the history.
        var quoteTail = lines.Length;
        while (quoteTail > 0 && (lines[quoteTail - 1].StartsWith('>') || string.IsNullOrWhiteSpace(lines[quoteTail - 1])))
        {
            quoteTail--;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            var twoLines = i + 1 < lines.Length ? line + " " + lines[i + 1].Trim() : line;
            if (QuoteHeader().IsMatch(line) || (QuoteHeaderStart().IsMatch(line) && QuoteHeader().IsMatch(twoLines)) || (line.StartsWith('>') && i >= quoteTail))
            {
                var body = string.Join('\n', lines[..i]).Trim();
                var quoted = string.Join('\n', lines[i..]).Trim();
                return body.Length == 0 ? (quoted, null) : (body, quoted);
            }
        }
        return (text.Trim(), null);
    }

    // Control characters other than line breaks and tabs have no business in a ticket (and hide things).
    private static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal))
        {
            if (c is '\n' or '\t' || !char.IsControl(c))
            {
                clean.Append(c);
            }
        }
        var result = clean.ToString();
        return result.Length > OpenTicket.MaxBody ? result[..OpenTicket.MaxBody] : result;
    }

    private static List<AddAttachments.Upload> Files(MimeMessage message)
    {
        var files = new List<AddAttachments.Upload>();
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            var isFile = part.IsAttachment || (part.ContentId is not null && !part.ContentType.IsMimeType("text", "*"));
            if (!isFile || part.Content is null || files.Count >= MaxFiles)
            {
                continue;
            }
            using var decoded = new MemoryStream();
            part.Content.DecodeTo(decoded);
            var bytes = decoded.ToArray();
            var name = part.FileName ?? (part.ContentId is { } cid ? $"inline-{cid}" : "attachment");
            files.Add(new AddAttachments.Upload(name, part.ContentType.MimeType, bytes.Length, () => new MemoryStream(bytes, writable: false)));
        }
        return files;
    }

    [GeneratedRegex(@"<(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnds();

    [GeneratedRegex(@"^(On .{4,200} wrote:|Il giorno .{4,200} ha scritto:|Il .{4,200} ha scritto:|Le .{4,200} a écrit ?:|Am .{4,200} schrieb .{0,200}:|-{2,}\s*(Original Message|Messaggio originale|Forwarded message|Messaggio inoltrato)\s*-{2,})\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex QuoteHeader();

    [GeneratedRegex(@"^(On |Il giorno |Il |Le |Am )", RegexOptions.IgnoreCase)]
    private static partial Regex QuoteHeaderStart();
}
