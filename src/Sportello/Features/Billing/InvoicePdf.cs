using System.Globalization;
using System.Text;
using Microsoft.Extensions.Localization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using Sportello.Features.Mail.Outbound;
using Sportello.Web;

namespace Sportello.Features.Billing;

/// <summary>
/// Draws an invoice or a credit note as a PDF from the read model the API returns (<see cref="ReadInvoices"/>), in the
/// invoice's language: the seller and the buyer as copied on it, number, kind, issue date, lines, VAT per rate, totals
/// and the legal mention. Descriptions wrap (a word too long for its column is cut), and lines flow onto more pages,
/// each with the table's header and a footer "page n of m". Text is drawn as text, never interpreted.
/// </summary>
public sealed class InvoicePdf
{
    private const double Left = 50, Right = 545, Top = 50, Bottom = 780, Size = 9.5, Leading = 12.5;
    // Table columns: position, description, VAT rate, net, VAT (right edges for the figures).
    private const double PositionX = Left, DescriptionX = 72, DescriptionWidth = 236, RateRight = 370, NetRight = 460;
    private const double RateWidth = 58, AmountWidth = 84;

    private readonly IStringLocalizer<Text> text;
    private readonly XFont regular, bold, title, small;

    public InvoicePdf(IStringLocalizer<Text> text)
    {
        this.text = text;
        // Before the first font: PDFsharp resolves a font when it is made.
        InvoiceFonts.Register();
        (regular, bold) = (new XFont(InvoiceFonts.Family, Size), new XFont(InvoiceFonts.Family, Size, XFontStyleEx.Bold));
        (title, small) = (new XFont(InvoiceFonts.Family, 18, XFontStyleEx.Bold), new XFont(InvoiceFonts.Family, 7.5));
    }

    /// <summary><c>invoice-2026-000123.pdf</c>, <c>credit-note-2026-000124.pdf</c>.</summary>
    public static string FileName(InvoiceDetail invoice) => $"{invoice.Kind}-{invoice.Number.Replace('/', '-')}.pdf";

    public byte[] Render(InvoiceDetail invoice) => Outbox.InLanguage(invoice.Language, () =>
    {
        var document = new PdfDocument();
        // The document's dates are the invoice's, not the moment it was drawn: the same invoice gives the same text.
        document.Info.Title = $"{KindTitle(invoice)} {invoice.Number}";
        document.Info.Author = invoice.Seller.Name;
        document.Info.CreationDate = invoice.IssuedAt;
        document.Info.ModificationDate = invoice.IssuedAt;
        var sheet = new Sheet(document);
        try
        {
            Header(sheet, invoice);
            Lines(sheet, invoice);
            Totals(sheet, invoice);
        }
        finally
        {
            sheet.Close();
        }
        Footers(document, invoice);
        using var bytes = new MemoryStream();
        document.Save(bytes, closeStream: false);
        return bytes.ToArray();
    });

    private string T(string english, params object[] values) =>
        values.Length == 0 ? text[english].Value : string.Format(CultureInfo.CurrentUICulture, text[english].Value, values);

    private string KindTitle(InvoiceDetail invoice) => T(invoice.Kind == InvoiceKinds.CreditNote ? "Credit note" : "Invoice");

    private void Header(Sheet sheet, InvoiceDetail invoice)
    {
        var language = invoice.Language;
        var seller = Top;
        seller = sheet.Paragraph(invoice.Seller.Name, bold, Left, 260, seller);
        seller = sheet.Paragraph(invoice.Seller.Address, regular, Left, 260, seller);
        seller = sheet.Paragraph(Country(invoice.Seller.Country, language), regular, Left, 260, seller);
        seller = sheet.Paragraph(T("VAT id: {0}", invoice.Seller.VatId ?? ""), regular, Left, 260, seller);

        var right = 330.0;
        var facts = sheet.Paragraph(KindTitle(invoice), title, right, Right - right, Top, leading: 22);
        facts = sheet.Paragraph(T("Number: {0}", invoice.Number), bold, right, Right - right, facts);
        facts = sheet.Paragraph(T("Issue date: {0}", BillingText.Date(invoice.IssueDate, language)), regular, right, Right - right, facts);
        if (invoice.CreditOfNumber is not null)
        {
            facts = sheet.Paragraph(T("Corrects invoice {0}", invoice.CreditOfNumber), regular, right, Right - right, facts);
        }

        // The buyer and the reason come from the customer: they flow onto a next page rather than off this one.
        sheet.Y = Math.Max(seller, facts) + 18;
        sheet.Flow(T("Bill to"), bold, Left, 300);
        var buyer = invoice.Buyer;
        if (!string.IsNullOrWhiteSpace(buyer.Company))
        {
            sheet.Flow(buyer.Company, bold, Left, 300);
        }
        sheet.Flow(buyer.Name, regular, Left, 300);
        sheet.Flow(buyer.Address, regular, Left, 300);
        sheet.Flow(Country(buyer.Country, invoice.Language), regular, Left, 300);
        if (!string.IsNullOrWhiteSpace(buyer.VatId))
        {
            sheet.Flow(T("VAT id: {0}", buyer.VatId), regular, Left, 300);
        }
        if (invoice.Reason is not null)
        {
            sheet.Y += 8;
            sheet.Flow(T("Reason: {0}", invoice.Reason), regular, Left, Right - Left);
        }
        sheet.Y += 16;
    }

    // RegionInfo names a country in the process's own UI language only: English invoices take the English name, Italian
    // ones the country's own (Italia, Deutschland).
    private static string Country(string code, string language)
    {
        try
        {
            var region = new RegionInfo(code);
            return language == "it" ? region.NativeName : region.EnglishName;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }

    private void Lines(Sheet sheet, InvoiceDetail invoice)
    {
        var language = invoice.Language;
        sheet.OnNewPage = () => TableHeader(sheet);
        TableHeader(sheet);
        foreach (var line in invoice.Lines)
        {
            var rows = sheet.Wrap(line.Description, regular, DescriptionWidth);
            // Keep a line's first rows together with its figures; a description taller than a page goes on row by row.
            sheet.Ensure(Math.Min(rows.Count, 3) * Leading);
            sheet.Figure(line.Position.ToString(CultureInfo.InvariantCulture), regular, PositionX + 16, 16);
            sheet.Figure(BillingText.Rate(line.RateBasisPoints, language), regular, RateRight, RateWidth);
            sheet.Figure(BillingText.Money(line.NetCents, language), regular, NetRight, AmountWidth);
            sheet.Figure(BillingText.Money(line.VatCents, language), regular, Right, AmountWidth);
            sheet.Flow(rows, regular, DescriptionX);
            sheet.Y += 3;
        }
        sheet.OnNewPage = null;
        sheet.Rule();
    }

    private void TableHeader(Sheet sheet)
    {
        sheet.Graphics.DrawString("#", bold, XBrushes.Black, PositionX, sheet.Y, XStringFormats.TopLeft);
        sheet.Graphics.DrawString(T("Description"), bold, XBrushes.Black, DescriptionX, sheet.Y, XStringFormats.TopLeft);
        sheet.Figure(T("VAT rate"), bold, RateRight, RateWidth);
        sheet.Figure(T("Net"), bold, NetRight, AmountWidth);
        sheet.Figure(T("VAT"), bold, Right, AmountWidth);
        sheet.Y += Leading + 2;
        sheet.Rule();
    }

    private void Totals(Sheet sheet, InvoiceDetail invoice)
    {
        var language = invoice.Language;
        sheet.Ensure(Leading * (invoice.VatPerRate.Count + 2));
        sheet.Graphics.DrawString(T("VAT summary"), bold, XBrushes.Black, Left, sheet.Y, XStringFormats.TopLeft);
        sheet.Figure(T("Taxable amount"), bold, NetRight, AmountWidth);
        sheet.Figure(T("VAT"), bold, Right, AmountWidth);
        sheet.Y += Leading;
        foreach (var rate in invoice.VatPerRate)
        {
            sheet.Ensure(Leading);
            sheet.Figure(BillingText.Rate(rate.RateBasisPoints, language), regular, RateRight, RateWidth);
            sheet.Figure(BillingText.Money(rate.NetCents, language), regular, NetRight, AmountWidth);
            sheet.Figure(BillingText.Money(rate.VatCents, language), regular, Right, AmountWidth);
            sheet.Y += Leading;
        }
        sheet.Y += 10;
        sheet.Ensure(Leading * 3 + 4);
        foreach (var (label, cents, font) in new[]
        {
            (T("Net total"), invoice.NetCents, regular), (T("VAT total"), invoice.VatCents, regular), (T("Total"), invoice.GrossCents, bold),
        })
        {
            sheet.Figure(label, font, NetRight - AmountWidth - 8, 160);
            sheet.Figure(BillingText.Money(cents, language), font, Right, AmountWidth + 40);
            sheet.Y += Leading + 1;
        }
        if (invoice.Mention is not null)
        {
            sheet.Y += 12;
            sheet.Flow(T(invoice.Mention), bold, Left, Right - Left);
        }
    }

    private void Footers(PdfDocument document, InvoiceDetail invoice)
    {
        for (var i = 0; i < document.PageCount; i++)
        {
            using var graphics = XGraphics.FromPdfPage(document.Pages[i], XGraphicsPdfPageOptions.Append);
            var footer = $"{KindTitle(invoice)} {invoice.Number} · {T("page {0} of {1}", i + 1, document.PageCount)}";
            graphics.DrawString(footer, small, XBrushes.Gray, new XRect(Left, 800, Right - Left, 12), XStringFormats.TopRight);
        }
    }

    /// <summary>The page being drawn and where on it: a new page starts when the next thing does not fit.</summary>
    private sealed class Sheet(PdfDocument document)
    {
        public XGraphics Graphics { get; private set; } = XGraphics.FromPdfPage(A4(document));
        public double Y { get; set; } = Top;
        public Action? OnNewPage { get; set; }

        public void Ensure(double height)
        {
            if (Y + height <= Bottom)
            {
                return;
            }
            Graphics.Dispose();
            Graphics = XGraphics.FromPdfPage(A4(document));
            Y = Top;
            OnNewPage?.Invoke();
        }

        public void Close() => Graphics.Dispose();

        // PDFsharp's default page is US Letter; the layout (and a European invoice) is A4.
        private static PdfPage A4(PdfDocument document)
        {
            var page = document.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            return page;
        }

        public void Rule()
        {
            Graphics.DrawLine(XPens.Gray, Left, Y, Right, Y);
            Y += 4;
        }

        /// <summary>Text right-aligned at <paramref name="right"/> on the current row, made smaller when it would not fit.</summary>
        public void Figure(string value, XFont font, double right, double width)
        {
            var measured = Graphics.MeasureString(value, font).Width;
            var fitted = measured <= width ? font : new XFont(InvoiceFonts.Family, Math.Max(5, font.Size * width / measured), font.Style);
            Graphics.DrawString(value, fitted, XBrushes.Black, new XRect(right - width, Y, width, Leading), XStringFormats.TopRight);
        }

        /// <summary>Wrapped text in a column from the current row on, onto a next page when the page is full.</summary>
        public void Flow(string? value, XFont font, double x, double width) => Flow(Wrap(value, font, width), font, x);

        public void Flow(List<string> rows, XFont font, double x)
        {
            foreach (var row in rows)
            {
                Ensure(Leading);
                Graphics.DrawString(row, font, XBrushes.Black, x, Y, XStringFormats.TopLeft);
                Y += Leading;
            }
        }

        /// <summary>Wrapped text from <paramref name="y"/> in a column of the first page's head; returns where the next begins.</summary>
        public double Paragraph(string? value, XFont font, double x, double width, double y, double leading = Leading)
        {
            foreach (var row in Wrap(value, font, width))
            {
                Graphics.DrawString(row, font, XBrushes.Black, x, y, XStringFormats.TopLeft);
                y += leading;
            }
            return y;
        }

        /// <summary>The rows <paramref name="value"/> takes in a column: broken at spaces, a word wider than the column cut.</summary>
        public List<string> Wrap(string? value, XFont font, double width)
        {
            var rows = new List<string>();
            foreach (var paragraph in Clean(value).Split('\n'))
            {
                var row = "";
                foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    var candidate = row.Length == 0 ? word : $"{row} {word}";
                    if (Graphics.MeasureString(candidate, font).Width <= width)
                    {
                        row = candidate;
                        continue;
                    }
                    if (row.Length > 0)
                    {
                        rows.Add(row);
                    }
                    row = word;
                    while (Graphics.MeasureString(row, font).Width > width)
                    {
                        var cut = Fits(row, font, width);
                        rows.Add(row[..cut]);
                        row = row[cut..];
                    }
                }
                rows.Add(row);
            }
            return rows;
        }

        // How many chars of a word fit the width, never splitting a character made of several chars.
        private int Fits(string word, XFont font, double width)
        {
            var used = 0.0;
            var cut = 0;
            var elements = StringInfo.GetTextElementEnumerator(word);
            while (elements.MoveNext())
            {
                var element = elements.GetTextElement();
                used += Graphics.MeasureString(element, font).Width;
                if (used > width && cut > 0)
                {
                    break;
                }
                cut += element.Length;
            }
            return cut;
        }

        // Control and format characters (zero-width, direction overrides) are dropped: they draw nothing, and bidi
        // overrides would only mislead a reader; tabs and other separators become spaces, line breaks stay.
        private static string Clean(string? value)
        {
            var clean = new StringBuilder();
            foreach (var rune in (value ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).EnumerateRunes())
            {
                var category = Rune.GetUnicodeCategory(rune);
                if (rune.Value == '\n')
                {
                    clean.Append('\n');
                }
                else if (rune.Value == '\t' || category is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator)
                {
                    clean.Append(' ');
                }
                else if (category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                    or UnicodeCategory.OtherNotAssigned))
                {
                    clean.Append(rune.ToString());
                }
            }
            return clean.ToString();
        }
    }
}
