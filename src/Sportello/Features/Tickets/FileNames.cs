using System.Text;

namespace Sportello.Features.Tickets;

/// <summary>Makes an uploaded file's name safe to store and show: no path, nothing invisible (controls, zero-width, direction and other format characters).</summary>
public static class FileNames
{
    public const int MaxLength = 200;

    public static string Normalize(string? name)
    {
        var text = (name ?? "").Normalize(NormalizationForm.FormC).Replace('\\', '/');
        text = text[(text.LastIndexOf('/') + 1)..];
        text = string.Concat(text.EnumerateRunes().Where(r => !Web.InvisibleText.IsUnseenInAName(r)).Select(r => r.ToString())).Trim().Trim('.').Trim();
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
