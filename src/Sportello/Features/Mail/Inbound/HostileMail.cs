using System.IO.Compression;
using MimeKit;

namespace Sportello.Features.Mail.Inbound;

/// <summary>Mail that is not read at all, but quarantined for an admin: too big to be honest, or built to hurt.</summary>
public static class HostileMail
{
    public const int MaxHeaderBytes = 256 * 1024;
    public const int MaxHeaders = 1000;
    public const int MaxParts = 500;
    public const int MaxDepth = 20;
    /// <summary>A zip claiming more than this when unpacked, or 100 times its own size, is a bomb for our purposes.</summary>
    public const long MaxUnpackedBytes = 1L << 30;

    /// <summary>The reason to quarantine the raw bytes before parsing, or null.</summary>
    public static string? BeforeParsing(byte[] raw)
    {
        var end = HeaderEnd(raw);
        return end < 0 && raw.Length > MaxHeaderBytes || end > MaxHeaderBytes
            ? $"Header block larger than {MaxHeaderBytes / 1024} KB"
            : null;
    }

    /// <summary>The reason to quarantine a parsed message, or null.</summary>
    public static string? AfterParsing(MimeMessage message)
    {
        if (message.Headers.Count > MaxHeaders)
        {
            return $"More than {MaxHeaders} headers";
        }
        var parts = 0;
        string? reason = null;
        Walk(message.Body, 0, ref parts, ref reason);
        return reason;
    }

    private static void Walk(MimeEntity? entity, int depth, ref int parts, ref string? reason)
    {
        if (entity is null || reason is not null)
        {
            return;
        }
        if (depth > MaxDepth)
        {
            reason = $"MIME nested deeper than {MaxDepth} levels";
            return;
        }
        if (++parts > MaxParts)
        {
            reason = $"More than {MaxParts} MIME parts";
            return;
        }
        switch (entity)
        {
            case Multipart multipart:
                foreach (var child in multipart)
                {
                    Walk(child, depth + 1, ref parts, ref reason);
                }
                break;
            case MessagePart { Message: { } inner }:
                Walk(inner.Body, depth + 1, ref parts, ref reason);
                break;
            case MimePart part when IsZip(part):
                reason = ZipBomb(part);
                break;
        }
    }

    private static bool IsZip(MimePart part) =>
        part.ContentType.IsMimeType("application", "zip") || part.ContentType.IsMimeType("application", "x-zip-compressed")
        || (part.FileName?.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ?? false);

    private static string? ZipBomb(MimePart part)
    {
        try
        {
            using var packed = new MemoryStream();
            part.Content?.DecodeTo(packed);
            packed.Position = 0;
            using var zip = new ZipArchive(packed, ZipArchiveMode.Read);
            long unpacked = 0;
            foreach (var entry in zip.Entries)
            {
                unpacked += entry.Length;
            }
            return unpacked > MaxUnpackedBytes || (unpacked > 10 * 1024 * 1024 && unpacked > packed.Length * 100)
                ? $"Compressed attachment '{part.FileName}' unpacks to {unpacked / (1024 * 1024)} MB (zip bomb)"
                : null;
        }
        catch (InvalidDataException)
        {
            // Not a readable zip: stored as an opaque file like any other.
            return null;
        }
    }

    private static int HeaderEnd(byte[] raw)
    {
        var span = raw.AsSpan();
        var crlf = span.IndexOf("\r\n\r\n"u8);
        var lf = span.IndexOf("\n\n"u8);
        return crlf < 0 ? lf : lf < 0 ? crlf : Math.Min(crlf, lf);
    }
}
