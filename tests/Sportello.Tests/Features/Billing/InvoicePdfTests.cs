using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Features.Billing;
using Sportello.Tests.Infrastructure;
using UglyToad.PdfPig;

namespace Sportello.Tests.Features.Billing;

/// <summary>The invoice PDF: what a customer downloads, read back with PdfPig as an accountant's tool would.</summary>
[Trait("Category", "Data")]
public sealed class InvoicePdfTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private sealed record Customer(string Id, HttpClient Client);

    private async Task<Customer> CustomerAsync(HttpClient admin, string language, string country, string? vatId = null)
    {
        var (email, _, _) = Unique.Customer("pdf");
        var id = (await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Mario Rossi", password = "customer passphrase 2026", country, language, timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var client = await app.SignInAsync(email, "customer passphrase 2026");
        await (await client.PutAsJsonAsync("/api/v1/account/billing", new { company = "Rossi Web S.r.l.", address = "Via Roma 1, 00100 Roma", country, vatId }))
            .JsonAsync(HttpStatusCode.OK);
        return new Customer(id, client);
    }

    private static async Task<JsonElement> IssueAsync(HttpClient admin, Customer customer, params (string Description, long NetCents)[] lines) =>
        await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId = customer.Id, lines = lines.Select(l => new { description = l.Description, netCents = l.NetCents }),
        })).JsonAsync(HttpStatusCode.Created);

    private static async Task<(string Text, int Pages)> PdfAsync(HttpClient client, string url, string fileName)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(fileName, response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        return Read(await response.Content.ReadAsByteArrayAsync());
    }

    private static (string Text, int Pages) Read(byte[] pdf)
    {
        Assert.StartsWith("%PDF-", System.Text.Encoding.ASCII.GetString(pdf, 0, 5), StringComparison.Ordinal);
        using var document = PdfDocument.Open(pdf);
        // Every letter lies on its page: nothing is drawn below the bottom edge, where no reader would see it.
        Assert.All(document.GetPages(), page => Assert.DoesNotContain(page.Letters, l => l.StartBaseLine.Y < 0 || l.StartBaseLine.Y > page.Height));
        return (string.Join("\n", document.GetPages().Select(p => p.Text)), document.NumberOfPages);
    }

    private static string FileName(JsonElement invoice) => $"{invoice.GetProperty("kind").GetString()}-{invoice.GetProperty("number").GetString()!.Replace('/', '-')}.pdf";

    [Fact]
    public async Task ReverseCharge_InItalian_HoldsTheNumberTheBuyerTheTotalsAndTheMention()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "it", "DE", "DE 136 695 976");
        var invoice = await IssueAsync(admin, customer, ("Server dedicato, dicembre", 123456));
        var number = invoice.GetProperty("number").GetString()!;

        var (text, pages) = await PdfAsync(customer.Client, $"/api/v1/invoices/{invoice.GetProperty("id").GetString()}/pdf", FileName(invoice));
        Assert.Equal(1, pages);
        Assert.StartsWith("invoice-2026-", FileName(invoice), StringComparison.Ordinal);
        Assert.Contains("Fattura", text, StringComparison.Ordinal);
        Assert.Contains(number, text, StringComparison.Ordinal);
        Assert.Contains("Rossi Web S.r.l.", text, StringComparison.Ordinal);
        Assert.Contains("Mario Rossi", text, StringComparison.Ordinal);
        Assert.Contains("DE136695976", text, StringComparison.Ordinal);
        Assert.Contains("Sportello Hosting S.r.l.", text, StringComparison.Ordinal);
        // The issue date in the seller's zone, written the Italian way; amounts with the Italian separators.
        Assert.Contains("24/11/2026", text, StringComparison.Ordinal);
        Assert.Contains("€ 1.234,56", text, StringComparison.Ordinal);
        Assert.Contains("Totale", text, StringComparison.Ordinal);
        Assert.Contains("Inversione contabile", text, StringComparison.Ordinal);
        Assert.Contains("2006/112/CE", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Reverse charge", text, StringComparison.Ordinal);

        // Admins download any invoice under their own route; the same document.
        var (adminText, _) = await PdfAsync(admin, $"/api/v1/admin/invoices/{invoice.GetProperty("id").GetString()}/pdf", FileName(invoice));
        Assert.Equal(text, adminText);
    }

    [Fact]
    public async Task ReverseCharge_InEnglish_AndACreditNote_NamesTheInvoiceItCorrects()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "en", "FR", "FR61954506077");
        var invoice = await IssueAsync(admin, customer, ("Dedicated server, December", 123456), ("Backup", 10000));
        var id = invoice.GetProperty("id").GetString()!;

        var (text, _) = await PdfAsync(customer.Client, $"/api/v1/invoices/{id}/pdf", FileName(invoice));
        Assert.Contains("Invoice", text, StringComparison.Ordinal);
        Assert.Contains(invoice.GetProperty("number").GetString()!, text, StringComparison.Ordinal);
        Assert.Contains("Rossi Web S.r.l.", text, StringComparison.Ordinal);
        Assert.Contains("24 November 2026", text, StringComparison.Ordinal);
        Assert.Contains("€1,334.56", text, StringComparison.Ordinal);
        Assert.Contains("Reverse charge", text, StringComparison.Ordinal);
        Assert.Contains("Art. 196", text, StringComparison.Ordinal);

        var note = await (await admin.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/credit-note",
            new { lines = new[] { new { description = "Backup refund", netCents = 10000 } }, reason = "Backup never enabled" })).JsonAsync(HttpStatusCode.Created);
        Assert.StartsWith("credit-note-2026-", FileName(note), StringComparison.Ordinal);
        var (credit, _) = await PdfAsync(customer.Client, $"/api/v1/invoices/{note.GetProperty("id").GetString()}/pdf", FileName(note));
        Assert.Contains("Credit note", credit, StringComparison.Ordinal);
        Assert.Contains(note.GetProperty("number").GetString()!, credit, StringComparison.Ordinal);
        Assert.Contains($"Corrects invoice {invoice.GetProperty("number").GetString()}", credit, StringComparison.Ordinal);
        Assert.Contains("Backup never enabled", credit, StringComparison.Ordinal);
        Assert.Contains("-€100.00", credit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ItalianConsumer_ShowsTheVatPerRateAndTheGrossTotal()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "it", "IT");
        var invoice = await IssueAsync(admin, customer, ("Hosting Pro", 100000), ("Dominio", 1500));
        var (text, _) = await PdfAsync(customer.Client, $"/api/v1/invoices/{invoice.GetProperty("id").GetString()}/pdf", FileName(invoice));
        Assert.Contains("22 %", text, StringComparison.Ordinal);
        Assert.Contains("€ 1.015,00", text, StringComparison.Ordinal);
        Assert.Contains("€ 223,30", text, StringComparison.Ordinal);
        Assert.Contains("€ 1.238,30", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Inversione contabile", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SixtyLines_FlowOntoMorePages_EachNumbered()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "en", "US");
        var lines = Enumerable.Range(1, 60).Select(i => ($"Service line {i:D2}: managed hosting with backups, monitoring and a long explanation that wraps onto a second row", 1000L)).ToArray();
        var invoice = await IssueAsync(admin, customer, lines);
        var (text, pages) = await PdfAsync(customer.Client, $"/api/v1/invoices/{invoice.GetProperty("id").GetString()}/pdf", FileName(invoice));
        Assert.True(pages >= 3, $"60 wrapped lines take several pages, not {pages}");
        Assert.Contains("Service line 01", text, StringComparison.Ordinal);
        Assert.Contains("Service line 60", text, StringComparison.Ordinal);
        Assert.Contains($"page {pages} of {pages}", text, StringComparison.Ordinal);
        Assert.Contains("€600.00", text, StringComparison.Ordinal);
        Assert.Contains("Out of scope of EU VAT", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostileText_IsDrawnAsText_WithoutError()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "en", "IT");
        var hostile = "<script>alert('x')</script> \u202Egnp.exe\u202C zero\u200Bwidth \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627 \uD83D\uDE00 \u6F22\u5B57 %PDF-1.7 ) ( \\";
        var invoice = await IssueAsync(admin, customer, (hostile, 100), (new string('W', 500), 100));
        var (text, _) = await PdfAsync(customer.Client, $"/api/v1/invoices/{invoice.GetProperty("id").GetString()}/pdf", FileName(invoice));
        Assert.Contains("<script>alert('x')</script>", text, StringComparison.Ordinal);
        Assert.Contains("zerowidth", text, StringComparison.Ordinal);
        Assert.Contains(new string('W', 20), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADescriptionOf2000Characters_AndControlCharacters_Render()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "it", "IT");
        var issued = await IssueAsync(admin, customer, ("Hosting", 100));
        await using var scope = app.Services.CreateAsyncScope();
        var detail = (await scope.ServiceProvider.GetRequiredService<ReadInvoices>().DetailAsync(Guid.Parse(issued.GetProperty("id").GetString()!), null))!;
        var words = string.Join(' ', Enumerable.Repeat("lorem ipsum dolor", 118));
        var hostile = detail with
        {
            Buyer = detail.Buyer with { Company = new string('C', 2000), Address = "Via\0 Roma\r\n1\t\u0007\u2028Roma" },
            Lines = [new InvoiceLineView(1, words[..2000], 100, 2200, 22), new InvoiceLineView(2, new string('x', 2000), 100, 2200, 22),
                new InvoiceLineView(3, "lone \uD800 surrogate \uFEFF\u200D\u2066 isolates", 100, 2200, 22)],
        };
        var pdf = scope.ServiceProvider.GetRequiredService<InvoicePdf>().Render(hostile);
        var (text, pages) = Read(pdf);
        Assert.True(pages >= 1);
        Assert.Contains(detail.Number, text, StringComparison.Ordinal);
        Assert.Contains("lorem ipsum dolor", text, StringComparison.Ordinal);
        Assert.Contains("isolates", text, StringComparison.Ordinal);
        // Nothing is drawn off the page: a buyer or a line taller than a page goes on to the next one.
        Assert.True(text.Count(c => c == 'C') >= 2000, "the whole company name is in the PDF");
        Assert.True(text.Count(c => c == 'x') >= 2000, "the whole unbroken description is in the PDF");
    }

    [Fact]
    public async Task AnotherCustomersInvoice_Answers404_LikeOneThatDoesNotExist()
    {
        var admin = await app.AdminAsync();
        var owner = await CustomerAsync(admin, "en", "IT");
        var stranger = await CustomerAsync(admin, "en", "IT");
        var invoice = await IssueAsync(admin, owner, ("Hosting", 1000));
        var url = $"/api/v1/invoices/{invoice.GetProperty("id").GetString()}/pdf";
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.GetAsync($"/api/v1/invoices/{Guid.NewGuid()}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/admin/invoices/{Guid.NewGuid()}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.Client.GetAsync($"/api/v1/admin/invoices/{invoice.GetProperty("id").GetString()}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync(url)).StatusCode);
    }
}
