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
        var text = Clean(BodyText(message, 0) ?? "");
        var (body, quoted) = SplitQuoted(text, message.Subject);
        return new Content(body.Length == 0 ? "(empty message)" : body, quoted, Files(message));
    }

    // The text a person wrote, however the structure breaks: a text part whose base64 is not base64 is shown as it
    // came, a wrapped message by its own text, and a multipart with no usable boundary by what it holds.
    private static string? BodyText(MimeMessage message, int depth)
    {
        var texts = message.BodyParts.OfType<TextPart>().Where(p => !p.IsAttachment).ToList();
        var broken = texts.FirstOrDefault(BrokenBase64);
        // A readable part wins over a broken one (a broken HTML alternative beside a good plain text, say).
        var text = broken is null ? message.TextBody : texts.FirstOrDefault(p => p.IsPlain && !BrokenBase64(p))?.Text;
        if (string.IsNullOrWhiteSpace(text) && (broken is null ? message.HtmlBody : texts.FirstOrDefault(p => p.IsHtml && !BrokenBase64(p))?.Text) is { } html)
        {
            text = HtmlToText(html);
        }
        if (!string.IsNullOrWhiteSpace(text))
        {
            return text;
        }
        if (broken is not null)
        {
            return PlainText(RawText(broken));
        }
        if (depth < 3 && message.BodyParts.OfType<MessagePart>().FirstOrDefault() is { Message: { } inner })
        {
            return BodyText(inner, depth + 1);
        }
        return Unstructured(message.Body, depth);
    }

    // What a body without readable parts holds: the parts behind a wrong or missing boundary, else its raw text.
    private static string? Unstructured(MimeEntity? body, int depth)
    {
        switch (body)
        {
            case Multipart { Count: > 0 } multipart:
                // A broken multipart may sit inside a sound one.
                return multipart.Select(child => Unstructured(child, depth)).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t));
            case Multipart { Count: 0 } multipart:
                var raw = (multipart.Preamble ?? "") + (multipart.Epilogue ?? "");
                if (depth < 3 && Reparse(raw) is { } recovered && BodyText(recovered, depth + 1) is { Length: > 0 } found && !string.IsNullOrWhiteSpace(found))
                {
                    return found;
                }
                return PlainText(raw);
            case TextPart { IsAttachment: false } part:
                return PlainText(RawText(part));
            default:
                return null;
        }
    }

    // Raw text that carries markup is flattened like an HTML part, so no tag survives even as text.
    private static string PlainText(string raw)
    {
        // Twice what a ticket keeps is plenty to fill it, and bounds the sanitiser's work on a huge raw body.
        raw = raw.Length > 2 * OpenTicket.MaxBody ? raw[..(2 * OpenTicket.MaxBody)] : raw;
        return Markup().IsMatch(raw) ? HtmlToText(raw) : raw;
    }

    // The first "--token" line of an unparsed multipart is its real boundary, more often than not.
    private static MimeMessage? Reparse(string raw)
    {
        if (BoundaryLine().Match(raw) is not { Success: true } line)
        {
            return null;
        }
        var boundary = line.Groups[1].Value;
        try
        {
            var bytes = Encoding.UTF8.GetBytes($"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n{raw}");
            using var stream = new MemoryStream(bytes, writable: false);
            var message = MimeMessage.Load(stream);
            return message.Body is Multipart { Count: > 0 } ? message : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool BrokenBase64(MimePart part)
    {
        if (part.ContentTransferEncoding != ContentEncoding.Base64 || part.Content is null)
        {
            return false;
        }
        using var encoded = new MemoryStream();
        part.Content.WriteTo(encoded);
        return encoded.ToArray().Any(b => !(b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'+' or (byte)'/' or (byte)'=' or (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t'));
    }

    // A part's bytes as text: decoded when its transfer encoding holds, as they came when it does not; in its charset
    // when that is known, else UTF-8 when they are UTF-8, else Latin-1 (every byte is some character).
    private static string RawText(MimePart part)
    {
        if (part.Content is null)
        {
            return "";
        }
        using var bytes = new MemoryStream();
        if (BrokenBase64(part))
        {
            part.Content.WriteTo(bytes);
        }
        else
        {
            part.Content.DecodeTo(bytes);
        }
        var data = bytes.ToArray();
        if (Known(part.ContentType.Charset) is { CodePage: not 65001 } declared)
        {
            return declared.GetString(data);
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(data);
        }
    }

    private static Encoding? Known(string? charset)
    {
        try
        {
            return string.IsNullOrWhiteSpace(charset) ? null : Encoding.GetEncoding(charset.Trim());
        }
        catch (ArgumentException)
        {
            return null;
        }
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

    /// <summary>
    /// Splits the new text from the quoted history below it ("On … wrote:", "&gt;" lines, an Outlook header block). A
    /// forward is content, not history: from its marker on ("---------- Forwarded message ---------", "Begin forwarded
    /// message:", an Outlook header block under a "Fwd:"/"I:"/"WG:" subject) nothing is cut.
    /// </summary>
    public static (string Body, string? Quoted) SplitQuoted(string text, string? subject = null)
    {
        var lines = text.Split('\n');
        var forwardSubject = ForwardSubject().IsMatch(subject ?? "");
        // Where the trailing block of quoted (or blank) lines begins: a '>' line from there on starts the history.
        var quoteTail = lines.Length;
        while (quoteTail > 0 && (lines[quoteTail - 1].StartsWith('>') || string.IsNullOrWhiteSpace(lines[quoteTail - 1])))
        {
            quoteTail--;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var separator = OriginalMessage().IsMatch(line) || OutlookHeaderBlock(lines, i);
            if (ForwardMarker().IsMatch(line) || (forwardSubject && separator))
            {
                return (text.Trim(), null);
            }
            var twoLines = i + 1 < lines.Length ? line + " " + lines[i + 1].Trim() : line;
            if (separator || QuoteHeader().IsMatch(line) || (QuoteHeaderStart().IsMatch(line) && QuoteHeader().IsMatch(twoLines)) || (line.StartsWith('>') && i >= quoteTail))
            {
                var body = string.Join('\n', lines[..i]).Trim();
                var quoted = string.Join('\n', lines[i..]).Trim();
                return body.Length == 0 ? (quoted, null) : (body, quoted);
            }
        }
        return (text.Trim(), null);
    }

    // Outlook quotes and forwards under a block of headers: "From: …" then "Sent: …" (in the writer's language).
    private static bool OutlookHeaderBlock(string[] lines, int i)
    {
        if (!OutlookFrom().IsMatch(lines[i].Trim()))
        {
            return false;
        }
        return lines.Skip(i + 1).Where(l => !string.IsNullOrWhiteSpace(l)).Take(3).Any(l => OutlookSent().IsMatch(l.Trim()));
    }

    // Control characters other than line breaks and tabs, and the bidirectional overrides and isolates, have no
    // business in a ticket: they hide or reorder what the reader sees.
    private static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
        {
            if ((c is '\n' or '\t' || !char.IsControl(c)) && !Web.InvisibleText.IsDirectionControl(c))
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
        // A message forwarded as an attachment stays whole, as the .eml it is.
        foreach (var attached in message.BodyParts.OfType<MessagePart>().Take(MaxFiles))
        {
            if (attached.Message is not { } forwarded)
            {
                continue;
            }
            using var eml = new MemoryStream();
            forwarded.WriteTo(eml);
            var bytes = eml.ToArray();
            files.Add(new AddAttachments.Upload(attached.ContentDisposition?.FileName ?? "forwarded-message.eml", "message/rfc822", bytes.Length,
                () => new MemoryStream(bytes, writable: false)));
        }
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            // Anything that is not text is a file, marked as one or not (an image without a Content-ID, a bare PDF body).
            var isFile = part.IsAttachment || !part.ContentType.IsMimeType("text", "*");
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

    [GeneratedRegex(@"^(On .{4,200} wrote:|Il giorno .{4,200} ha scritto:|Il .{4,200} ha scritto:|Le .{4,200} a écrit ?:|Am .{4,200} schrieb .{0,200}:|El .{4,200} escribió:)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex QuoteHeader();

    [GeneratedRegex(@"^(On |Il giorno |Il |Le |Am |El )", RegexOptions.IgnoreCase)]
    private static partial Regex QuoteHeaderStart();

    // Gmail, Thunderbird, Yahoo ("---------- Forwarded message ---------") and Apple Mail ("Begin forwarded message:").
    [GeneratedRegex(@"^(-{2,}\s*(Forwarded message|Messaggio inoltrato|Message transféré|Message réexpédié|Weitergeleitete Nachricht|Mensaje reenviado|Mensagem encaminhada|Doorgestuurd bericht)\s*-{2,}|(Begin forwarded message|Inizio messaggio inoltrato|Début du message (réexpédié|transféré)|Anfang der weitergeleiteten (Nachricht|E-Mail)|(Inicio|Comienzo) del mensaje reenviado)\s*:)$", RegexOptions.IgnoreCase)]
    private static partial Regex ForwardMarker();

    [GeneratedRegex(@"^-{2,}\s*(Original Message|Messaggio originale|Message d'origine|Message original|Ursprüngliche Nachricht|Originalnachricht|Mensaje original|Mensagem original)\s*-{2,}$", RegexOptions.IgnoreCase)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^\*?(From|Da|De|Von|Van)\s?:\*?\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex OutlookFrom();

    [GeneratedRegex(@"^\*?(Sent|Inviato|Envoyé|Gesendet|Enviado|Verzonden|Date|Data|Datum|Fecha)\s?:\*?\s*\S", RegexOptions.IgnoreCase)]
    private static partial Regex OutlookSent();

    // Fwd:, FW:, I: (Italian Outlook), Inoltro:, TR: (French), WG: (German), RV: (Spanish), ENC: (Portuguese), after any [tags].
    [GeneratedRegex(@"^\s*(\[[^\]]*\]\s*)*(fwd?|i|inoltro|inoltra|tr|wg|rv|enc|doorst)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex ForwardSubject();

    [GeneratedRegex(@"<(/?[a-z][a-z0-9]*[\s>/]|!--|!doctype)", RegexOptions.IgnoreCase)]
    private static partial Regex Markup();

    [GeneratedRegex(@"^--([0-9A-Za-z'()+_,\-./:=?]{1,70})\s*$", RegexOptions.Multiline)]
    private static partial Regex BoundaryLine();
}
