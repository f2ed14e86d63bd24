using System.Text;

namespace Sportello.Features.Tickets;

/// <summary>Makes an uploaded file's name safe to store and show: no path, no control or direction-changing characters.</summary>
public static class FileNames
{
    public const int MaxLength = 200;

    public static string Normalize(string? name)
    {
        var text = (name ?? "").Normalize(NormalizationForm.FormC).Replace('\\', '/');
        text = text[(text.LastIndexOf('/') + 1)..];
        text = new string(text.Where(c => !char.IsControl(c) && !IsInvisibleFormatting(c)).ToArray()).Trim().Trim('.').Trim();
        if (text.Length == 0)
        {
            return "attachment";
        }
        if (text.Length > MaxLength)
        {
            var extension = Path.GetExtension(text);
            text = extension.Length is > 0 and <= 20 ? text[..(MaxLength - extension.Length)] + extension : text[..MaxLength];
        }
        return text;
    }

    // Besides the direction controls, a name has no use for zero-width characters (text may: emoji joiners).
    private static bool IsInvisibleFormatting(char c) =>
        Web.InvisibleText.IsDirectionControl(c) || c is (>= '\u200B' and <= '\u200F') or (>= '\u2060' and <= '\u2064') or '\u061C' or '\uFEFF';
}

/// <summary>The only types served for inline preview are raster images recognised by their bytes, never by the name.</summary>
public static class ImageSniffer
{
    public static string? PreviewType(ReadOnlySpan<byte> bytes) => bytes switch
    {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x47, 0x49, 0x46, 0x38, ..] => "image/gif",
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => "image/webp",
        _ => null,
    };
}
