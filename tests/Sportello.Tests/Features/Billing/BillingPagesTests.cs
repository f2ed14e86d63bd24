using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>The Client Area's invoices and orders, and the public price helper, as a browser without JavaScript sees them.</summary>
[Trait("Category", "Data")]
public sealed class BillingPagesTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Password = "customer passphrase 2026";

    private sealed record Customer(string Id, string Email, HttpClient Api);

    private async Task<Customer> CustomerAsync(HttpClient admin, string country, string? vatId = null, string language = "en")
    {
        var email = $"billing-pages-{Unique.Next()}@example.com";
        var id = (await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Mario Rossi", password = Password, country, language, timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var api = await app.SignInAsync(email, Password);
        await (await api.PutAsJsonAsync("/api/v1/account/billing", new { company = "Rossi <b>Web</b> S.r.l.", address = "Via Roma 1, 00100 Roma", country, vatId }))
            .JsonAsync(HttpStatusCode.OK);
        return new Customer(id, email, api);
    }

    private static async Task<JsonElement> IssueAsync(HttpClient admin, Customer customer, string? orderId = null, params (string Description, long NetCents)[] lines) =>
        await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId = customer.Id, orderId, lines = lines.Select(l => new { description = l.Description, netCents = l.NetCents }),
        })).JsonAsync(HttpStatusCode.Created);

    private static async Task<string> TextAsync(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK) =>
        WebUtility.HtmlDecode(await client.GetPageAsync(url, expected));

    private HttpClient Anonymous(string language = "en")
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return client;
    }

    [Fact]
    public async Task TheInvoicesPage_ListsOwnInvoicesAndCreditNotes_NewestFirst_AndAnothersInvoiceIs404()
    {
        var admin = await app.AdminAsync();
        var mine = await CustomerAsync(admin, "IT");
        var first = await IssueAsync(admin, mine, null, ("Hosting Pro, December", 10000));
        var second = await IssueAsync(admin, mine, null, ("Domain example.it", 1500));
        var credit = await (await admin.PostAsJsonAsync($"/api/v1/admin/invoices/{second.GetProperty("id").GetString()}/credit-note",
            new { reason = "Domain not renewed" })).JsonAsync(HttpStatusCode.Created);
        var stranger = await CustomerAsync(admin, "IT");
        var theirs = await IssueAsync(admin, stranger, null, ("Their hosting", 4200));

        var web = await app.SignInWebAsync(mine.Email, Password);
        var list = await TextAsync(web, "/invoices");
        var numbers = new[] { credit, second, first }.Select(i => i.GetProperty("number").GetString()!).ToList();
        var positions = numbers.Select(n => list.IndexOf(n, StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p > 0));
        Assert.Equal(positions.Order(), positions);
        Assert.DoesNotContain(theirs.GetProperty("number").GetString()!, list, StringComparison.Ordinal);
        Assert.Contains("Credit note", list, StringComparison.Ordinal);
        // 100.00 net at 22 %: the gross, in English, as €122.00; the credit note is negative.
        Assert.Contains("€122.00", list, StringComparison.Ordinal);
        Assert.Contains("-€18.30", list, StringComparison.Ordinal);

        await web.GetPageAsync($"/invoices/{theirs.GetProperty("id").GetString()}", HttpStatusCode.NotFound);
        await web.GetPageAsync($"/invoices/{theirs.GetProperty("id").GetString()}/pdf", HttpStatusCode.NotFound);
        await web.GetPageAsync($"/invoices/{first.GetProperty("id").GetString()}/other", HttpStatusCode.NotFound);
        // The page's PDF is the API's: the same use case, for the cookie the API does not take.
        var pdf = await web.GetAsync($"/invoices/{first.GetProperty("id").GetString()}/pdf", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"invoice-{numbers[2].Replace('/', '-')}.pdf", pdf.Content.Headers.ContentDisposition?.FileNameStar ?? pdf.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using (var document = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken)))
        {
            var text = string.Join("\n", document.GetPages().Select(p => p.Text));
            Assert.Contains(numbers[2], text, StringComparison.Ordinal);
            Assert.Contains("€122.00", text, StringComparison.Ordinal);
        }
        await web.GetPageAsync($"/invoices/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        var empty = await TextAsync(await app.SignInWebAsync(stranger.Email, Password), "/orders");
        Assert.Contains("You have no orders yet.", empty, StringComparison.Ordinal);
        var nobody = await CustomerAsync(admin, "IT");
        Assert.Contains("You have no invoices yet.", await TextAsync(await app.SignInWebAsync(nobody.Email, Password), "/invoices"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheInvoicesPage_ShowsFiftyAtATime_AndLinksTheOlderOnes()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT");
        var numbers = new List<string>();
        for (var i = 0; i < 51; i++)
        {
            numbers.Add((await IssueAsync(admin, customer, null, ($"Month {i}", 100 + i))).GetProperty("number").GetString()!);
        }
        var web = await app.SignInWebAsync(customer.Email, Password);
        var first = await TextAsync(web, "/invoices");
        Assert.All(numbers.Skip(1), n => Assert.Contains(n, first, StringComparison.Ordinal));
        Assert.DoesNotContain(numbers[0], first, StringComparison.Ordinal);
        var next = System.Text.RegularExpressions.Regex.Match(first, "<a href=\"(/invoices\\?cursor=[0-9a-f]{32})\" rel=\"next\">Older invoices</a>");
        Assert.True(next.Success, "no link to the older invoices");
        var older = await TextAsync(web, next.Groups[1].Value);
        Assert.Contains(numbers[0], older, StringComparison.Ordinal);
        Assert.DoesNotContain(numbers[1], older, StringComparison.Ordinal);
        Assert.DoesNotContain("rel=\"next\"", older, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBillingPages_AreForSignedInCustomers()
    {
        var anonymous = app.Anonymous();
        foreach (var url in new[] { "/invoices", $"/invoices/{Guid.NewGuid()}", "/orders", $"/orders/{Guid.NewGuid()}" })
        {
            var response = await anonymous.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
        var agent = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        Assert.NotEqual(HttpStatusCode.OK, (await agent.GetAsync("/invoices")).StatusCode);
    }

    [Fact]
    public async Task ThePrintableInvoice_HoldsSellerBuyerLinesTotalsAndTheMention_InTheReadersLanguage()
    {
        var admin = await app.AdminAsync();
        var business = await CustomerAsync(admin, "DE", "DE136695976", language: "it");
        var invoice = await IssueAsync(admin, business, null, ("Server dedicato <script>alert(1)</script>", 123456), ("Backup", 4));
        var id = invoice.GetProperty("id").GetString()!;
        var web = await app.SignInWebAsync(business.Email, Password);
        var raw = await web.GetPageAsync($"/invoices/{id}");
        // User text is text: the description's markup is encoded, never run.
        Assert.DoesNotContain("<script>alert(1)</script>", raw, StringComparison.Ordinal);
        Assert.Contains("/css/billing.css", raw, StringComparison.Ordinal);
        Assert.Contains($"href=\"/invoices/{id}/pdf\"", raw, StringComparison.Ordinal);
        var page = WebUtility.HtmlDecode(raw);
        Assert.Contains(invoice.GetProperty("number").GetString()!, page, StringComparison.Ordinal);
        Assert.Contains("Fattura", page, StringComparison.Ordinal);
        Assert.Contains("Sportello Hosting S.r.l.", page, StringComparison.Ordinal);
        Assert.Contains("Rossi <b>Web</b> S.r.l.", page, StringComparison.Ordinal);
        Assert.Contains("DE136695976", page, StringComparison.Ordinal);
        Assert.Contains("Server dedicato <script>alert(1)</script>", page, StringComparison.Ordinal);
        // Italian amounts: € 1.234,60 net and total (reverse charge: no VAT), € 0,00 VAT.
        Assert.Contains("€ 1.234,60", page, StringComparison.Ordinal);
        Assert.Contains("€ 0,00", page, StringComparison.Ordinal);
        Assert.Contains("Inversione contabile: IVA da assolvere a cura del destinatario, art. 196", page, StringComparison.Ordinal);

        var credit = await (await admin.PostAsJsonAsync($"/api/v1/admin/invoices/{id}/credit-note",
            new { lines = new[] { new { description = "Backup non attivato", netCents = 4 } }, reason = "Mai attivato" })).JsonAsync(HttpStatusCode.Created);
        var creditPage = await TextAsync(web, $"/invoices/{credit.GetProperty("id").GetString()}");
        Assert.Contains("Nota di credito", creditPage, StringComparison.Ordinal);
        Assert.Contains($"href=\"/invoices/{id}\"", creditPage, StringComparison.Ordinal);
        Assert.Contains("Mai attivato", creditPage, StringComparison.Ordinal);
        Assert.Contains("-€ 0,04", creditPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePrintableInvoice_IsWrittenInTheInvoicesLanguage_AsItsPdf_WhateverThePagesLanguage()
    {
        var admin = await app.AdminAsync();
        var business = await CustomerAsync(admin, "DE", "DE136695976", language: "en");
        var id = (await IssueAsync(admin, business, null, ("Dedicated server", 10000))).GetProperty("id").GetString()!;
        var web = await app.SignInWebAsync(business.Email, Password);
        var switched = await web.SubmitAsync("/invoices", "/language", new Dictionary<string, string> { ["language"] = "it", ["returnUrl"] = $"/invoices/{id}" });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        var page = await TextAsync(web, $"/invoices/{id}");
        Assert.Contains("<html lang=\"it\">", page, StringComparison.Ordinal);
        Assert.Contains("Scarica il PDF", page, StringComparison.Ordinal);
        Assert.Contains("lang=\"en\"", page, StringComparison.Ordinal);
        Assert.Contains("Invoice <span class=\"doc-number\">", page, StringComparison.Ordinal);
        Assert.Contains("€100.00", page, StringComparison.Ordinal);
        Assert.Contains("Reverse charge: VAT to be accounted for by the recipient, Art. 196 of Directive 2006/112/EC.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Inversione contabile", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOrdersPages_ShowOwnOrders_AndLinkTheInvoiceThatBillsThem()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT");
        var number = (700000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var order = await (await admin.PostAsJsonAsync("/api/v1/admin/orders", new
        {
            customerId = customer.Id, orderNumber = number, lines = new[] { new { description = "VPS M, 12 months", netCents = 12000L }, new { description = "Extra IPv4", netCents = 300L } },
        })).JsonAsync(HttpStatusCode.Created);
        var orderId = order.GetProperty("id").GetString()!;
        var web = await app.SignInWebAsync(customer.Email, Password);
        var list = await TextAsync(web, "/orders");
        Assert.Contains($"#{number}", list, StringComparison.Ordinal);
        Assert.Contains("VPS M, 12 months", list, StringComparison.Ordinal);
        Assert.Contains("€123.00", list, StringComparison.Ordinal);
        Assert.Contains("Not invoiced yet", list, StringComparison.Ordinal);

        var invoice = await IssueAsync(admin, customer, orderId, ("VPS M, 12 months", 12000), ("Extra IPv4", 300));
        var invoiceLink = $"href=\"/invoices/{invoice.GetProperty("id").GetString()}\"";
        Assert.Contains(invoiceLink, await TextAsync(web, "/orders"), StringComparison.Ordinal);
        var detail = await TextAsync(web, $"/orders/{orderId}");
        Assert.Contains(invoiceLink, detail, StringComparison.Ordinal);
        Assert.Contains("Extra IPv4", detail, StringComparison.Ordinal);
        Assert.Contains($"href=\"/orders/{orderId}\"", await TextAsync(web, $"/invoices/{invoice.GetProperty("id").GetString()}"), StringComparison.Ordinal);

        var stranger = await CustomerAsync(admin, "IT");
        var theirs = await app.SignInWebAsync(stranger.Email, Password);
        await theirs.GetPageAsync($"/orders/{orderId}", HttpStatusCode.NotFound);
        Assert.DoesNotContain(number, await TextAsync(theirs, "/orders"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePriceHelper_ShowsWhatAConsumerPays_InBothLanguages_WithoutSignIn()
    {
        var english = await TextAsync(Anonymous(), "/prices?Country=IT&Amount=100.00");
        Assert.Contains("A consumer in Italy", english, StringComparison.Ordinal);
        Assert.Contains("€100.00", english, StringComparison.Ordinal);
        Assert.Contains("22 %", english, StringComparison.Ordinal);
        Assert.Contains("€22.00", english, StringComparison.Ordinal);
        Assert.Contains("€122.00", english, StringComparison.Ordinal);
        Assert.Contains("<option value=\"IT\" selected=\"selected\">Italy</option>", english, StringComparison.Ordinal);

        var italian = await TextAsync(Anonymous("it"), "/prices?Country=IT&Amount=1.234,5");
        Assert.Contains("Un consumatore in Italia", italian, StringComparison.Ordinal);
        Assert.Contains("€ 1.234,50", italian, StringComparison.Ordinal);
        Assert.Contains("€ 271,59", italian, StringComparison.Ordinal);
        Assert.Contains("€ 1.506,09", italian, StringComparison.Ordinal);

        // Slovenia: the seed's table leaves it blank; the shipped table knows 22 %.
        var slovenia = await TextAsync(Anonymous(), "/prices?Country=SI&Amount=10");
        Assert.Contains("A consumer in Slovenia", slovenia, StringComparison.Ordinal);
        Assert.Contains("€12.20", slovenia, StringComparison.Ordinal);
        // Outside the EU: 0 %, with its reason; any assigned country can be chosen, not only the table's rows.
        var canada = await TextAsync(Anonymous(), "/prices?Country=CA&Amount=50");
        Assert.Contains("0 %", canada, StringComparison.Ordinal);
        Assert.Contains("Out of scope of EU VAT", canada, StringComparison.Ordinal);
        Assert.Contains("€50.00", canada, StringComparison.Ordinal);
        var finland = await TextAsync(Anonymous("it"), "/prices?Country=fi&Amount=100");
        Assert.Contains("25,5 %", finland, StringComparison.Ordinal);
        Assert.Contains("€ 125,50", finland, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePriceHelper_TableIsTheStoredRatesInForceToday_DatedRowsAndMissingRatesIncluded()
    {
        static string Row(string page, string key)
        {
            var start = page.IndexOf($"id=\"rate-{key}\"", StringComparison.Ordinal);
            Assert.True(start > 0, $"no row for {key}");
            return page[start..page.IndexOf("</tr>", start, StringComparison.Ordinal)];
        }
        var page = await TextAsync(Anonymous(), "/prices");
        // Dated changes since the seed: Finland 25.5 % (2024-09-01), Estonia 24 % (2025-07-01), Romania 21 % (2025-08-01).
        Assert.Contains("25.5 %", Row(page, "FI"), StringComparison.Ordinal);
        Assert.Contains("24 %", Row(page, "EE"), StringComparison.Ordinal);
        Assert.Contains("21 %", Row(page, "RO"), StringComparison.Ordinal);
        Assert.Contains("22 %", Row(page, "SI"), StringComparison.Ordinal);
        Assert.Contains("0 %", Row(page, "OTHER"), StringComparison.Ordinal);
        Assert.Equal(27 + 2, page.Split("id=\"rate-").Length - 1);

        // An admin's change from today is in force at once; one announced for later is not yet.
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync("/api/v1/admin/vat-rates", new { country = "MT", rateBasisPoints = 1950, effectiveFrom = "2026-11-24", source = "Test: Maltese VAT Act amended" }))
            .JsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/v1/admin/vat-rates", new { country = "MT", rateBasisPoints = 2100, effectiveFrom = "2027-01-01", source = "Test: announced" }))
            .JsonAsync(HttpStatusCode.Created);
        var malta = await TextAsync(Anonymous(), "/prices?Country=MT&Amount=100");
        Assert.Contains("19.5 %", Row(malta, "MT"), StringComparison.Ordinal);
        Assert.Contains("€119.50", malta, StringComparison.Ordinal);

        // A state the table has no rate for today says so: never 0 %.
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await db.VatRates.Where(r => r.Country == "HR").ExecuteDeleteAsync(TestContext.Current.CancellationToken);
        }
        var croatia = await TextAsync(Anonymous(), "/prices?Country=HR&Amount=100");
        Assert.Contains("rate unknown", Row(croatia, "HR"), StringComparison.Ordinal);
        Assert.DoesNotContain("%", Row(croatia, "HR"), StringComparison.Ordinal);
        Assert.Contains("We do not know the VAT rate of Croatia for today", croatia, StringComparison.Ordinal);
        Assert.DoesNotContain("amount gross", croatia, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("en", "abc", "The price must be a number, for example 1234.56.")]
    [InlineData("en", "", "Enter the net price in euro, for example 1234.56.")]
    [InlineData("en", "-5", "The price cannot be negative.")]
    [InlineData("en", "1.234", "The price may have at most two decimals.")]
    [InlineData("it", "12,345", "Il prezzo può avere al massimo due decimali.")]
    [InlineData("it", "1e5", "Il prezzo deve essere un numero, ad esempio 1234,56.")]
    [InlineData("en", "99999999999999999999", "The price must be at most €10,000,000,000.00.")]
    public async Task ThePriceHelper_BadAmount_ShowsTheErrorOnTheField(string language, string amount, string message)
    {
        var response = await Anonymous(language).GetAsync($"/prices?Country=IT&Amount={Uri.EscapeDataString(amount)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains($"<span id=\"amount-error\" class=\"field-error\">{message}</span>", page, StringComparison.Ordinal);
        Assert.Matches("<input id=\"Amount\"[^>]*aria-invalid=\"true\" aria-describedby=\"amount-error amount-hint\"", page);
        Assert.Matches("<select id=\"Country\"[^>]*aria-invalid=\"false\"", page);
        Assert.Contains("role=\"alert\"", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("OTHER")]
    [InlineData("")]
    [InlineData("<script>")]
    public async Task ThePriceHelper_UnknownCountry_ShowsTheErrorOnTheField(string country)
    {
        var response = await Anonymous().GetAsync($"/prices?Country={Uri.EscapeDataString(country)}&Amount=100", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Matches("<select id=\"Country\"[^>]*aria-invalid=\"true\" aria-describedby=\"country-error\"", page);
        Assert.Contains("<span id=\"country-error\" class=\"field-error\">Choose a country", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNavigation_LinksInvoicesAndOrdersForCustomers_AndThePriceHelperForEveryone()
    {
        var admin = await app.AdminAsync();
        var customer = await CustomerAsync(admin, "IT", language: "it");
        var home = await TextAsync(await app.SignInWebAsync(customer.Email, Password), "/");
        Assert.Contains("<a href=\"/invoices\" aria-current=\"false\">Fatture</a>", home, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/orders\" aria-current=\"false\">Ordini</a>", home, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/prices\">Prezzi e IVA</a>", home, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/prices\">Prices and VAT</a>", await TextAsync(Anonymous(), "/contact"), StringComparison.Ordinal);
    }
}
