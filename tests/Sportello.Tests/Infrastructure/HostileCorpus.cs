using System.IO.Compression;
using System.Text;

namespace Sportello.Tests.Infrastructure;

/// <summary>Hostile and malformed mail, as raw bytes: what the intake must store safely and show as text.</summary>
public static class HostileCorpus
{
    public sealed record Sample(string Name, string Subject, byte[] Raw, bool Quarantined);

    private static byte[] Crlf(string text) => Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));

    private static string Headers(string from, string subject, string id) =>
        $"From: {from}\nTo: {MailApp.Support}\nSubject: {subject}\nMessage-ID: <{id}-{Guid.NewGuid():N}@hostile.example>\nDate: Tue, 24 Nov 2026 10:00:00 +0100\nMIME-Version: 1.0\n";

    public static IReadOnlyList<Sample> All(string tag) =>
    [
        new("script-html", $"Script {tag}", Crlf(Headers("mallory@hostile.example", $"Script {tag}", "html") +
            "Content-Type: text/html; charset=utf-8\n\n" +
            "<p>Hello <b>support</b></p><script>window.__pwned = 1; alert('x')</script>" +
            "<a href=\"javascript:window.__pwned=2\">click me</a><img src=x onerror=\"window.__pwned=3\"><iframe src=\"https://evil.example\"></iframe>\n"), false),
        new("svg-attachment", $"Logo {tag}", Crlf(Headers("mallory@hostile.example", $"Logo {tag}", "svg") +
            "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\nSee the logo.\n--b1\n" +
            "Content-Type: image/svg+xml\nContent-Disposition: attachment; filename=\"../../etc/logo.svg\"\n\n" +
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>window.__pwned=4</script></svg>\n--b1--\n"), false),
        new("encoded-words", $"Encoded {tag}", Crlf(
            $"From: =?UTF-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes("<script>window.__pwned=5</script>"))}?= <mallory@hostile.example>\n" +
            $"To: {MailApp.Support}\nSubject: =?UTF-8?B?{Convert.ToBase64String(Encoding.UTF8.GetBytes($"Encoded {tag} <img src=x onerror=window.__pwned=6>\u202e"))}?=\n" +
            $"Message-ID: <enc-{Guid.NewGuid():N}@hostile.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nThe subject and name are tricks.\n"), false),
        new("eight-bit-garbage", $"Garbage {tag}", [.. Crlf(Headers("mallory@hostile.example", $"Garbage {tag}", "bin") + "Content-Type: text/plain\n\n"),
            .. Enumerable.Range(0, 600).Select(i => (byte)(0x80 + (i * 7 % 0x7f))), (byte)'\r', (byte)'\n'], false),
        new("missing-boundary", $"Boundary {tag}", Crlf(Headers("mallory@hostile.example", $"Boundary {tag}", "mp") +
            "Content-Type: multipart/mixed\n\n--x\nContent-Type: text/plain\n\nNo boundary was declared.\n--x--\n"), false),
        new("enormous-headers", $"Headers {tag}", Crlf(Headers("mallory@hostile.example", $"Headers {tag}", "big") +
            string.Concat(Enumerable.Range(0, 3000).Select(i => $"X-Filler-{i}: {new string('a', 100)}\n")) + "Content-Type: text/plain\n\nBig.\n"), true),
        new("zip-bomb", $"Zip {tag}", Crlf(Headers("mallory@hostile.example", $"Zip {tag}", "zip") +
            "Content-Type: multipart/mixed; boundary=\"z\"\n\n--z\nContent-Type: text/plain\n\nOpen the archive.\n--z\n" +
            "Content-Type: application/zip\nContent-Disposition: attachment; filename=\"invoice.zip\"\nContent-Transfer-Encoding: base64\n\n" +
            Convert.ToBase64String(ZipOfZeros(), Base64FormattingOptions.InsertLineBreaks) + "\n--z--\n"), true),
    ];

    private static byte[] ZipOfZeros()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("invoice.pdf", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                entry.Write(zeros);
            }
        }
        return buffer.ToArray();
    }
}
