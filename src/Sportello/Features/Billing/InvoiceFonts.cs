using System.Reflection;
using PdfSharp.Fonts;

namespace Sportello.Features.Billing;

/// <summary>
/// The fonts invoice PDFs are drawn with: DejaVu Sans, regular and bold, embedded in the assembly (Fonts/LICENSE.txt),
/// so a PDF looks the same on every machine and Linux needs no installed fonts. Every family asked for gets DejaVu Sans.
/// </summary>
internal sealed class InvoiceFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string Regular = "DejaVuSans";
    private const string Bold = "DejaVuSans-Bold";
    private static readonly Lock Gate = new();

    /// <summary>PDFsharp takes one resolver per process, before its first font: several hosts in one process share it.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not InvoiceFonts)
            {
                GlobalFontSettings.FontResolver = new InvoiceFonts();
            }
        }
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? Bold : Regular, mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[] GetFont(string faceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"billing/fonts/{faceName}.ttf")
            ?? throw new InvalidOperationException($"The font {faceName} is not embedded.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
