using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

/// <summary>The billing pages in Italian: invoices with one issued, orders, and the public price helper, by keyboard, on a desktop and a phone.</summary>
public sealed class BillingBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string Password = "customer passphrase 2026";

    private Task<IPage> ItalianPageAsync(int width) => Axe.PageAsync(app, "it-IT", width);

    private static Task AssertNoViolationsAsync(IPage page) => Axe.AssertNoViolationsAsync(page);

    private async Task<(string Email, JsonElement Invoice, JsonElement Order)> ItalianCustomerWithAnInvoiceAsync()
    {
        var admin = await app.AdminAsync();
        var email = $"fatture-{Unique.Next()}@example.com";
        var id = (await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Giulia Bianchi", password = Password, country = "IT", language = "it", timeZone = "Europe/Rome",
        })).JsonAsync(System.Net.HttpStatusCode.Created)).GetProperty("id").GetString();
        var customer = await app.SignInAsync(email, Password);
        await (await customer.PutAsJsonAsync("/api/v1/account/billing", new { company = "Bianchi Design S.r.l.", address = "Corso Buenos Aires 12\n20124 Milano MI", country = "IT" }))
            .JsonAsync(System.Net.HttpStatusCode.OK);
        var order = await (await admin.PostAsJsonAsync("/api/v1/admin/orders", new
        {
            customerId = id, orderNumber = (800000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            lines = new[] { new { description = "VPS L, 12 mesi, con un nome di prodotto piuttosto lungo per vedere come va a capo", netCents = 123456L }, new { description = "Backup giornaliero", netCents = 2000L } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        var invoice = await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId = id, orderId = order.GetProperty("id").GetString(),
            lines = new[] { new { description = "VPS L, 12 mesi, con un nome di prodotto piuttosto lungo per vedere come va a capo", netCents = 123456L }, new { description = "Backup giornaliero", netCents = 2000L } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync($"/api/v1/admin/invoices/{invoice.GetProperty("id").GetString()}/credit-note", new
        {
            lines = new[] { new { description = "Backup giornaliero non attivato", netCents = 2000L } }, reason = "Servizio non attivato",
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        return (email, invoice, order);
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task TheInvoicesPage_InItalian_ShowsTheIssuedInvoice_ItsPrintablePage_AndTheOrder(int width)
    {
        var (email, invoice, order) = await ItalianCustomerWithAnInvoiceAsync();
        var number = invoice.GetProperty("number").GetString()!;
        var page = await ItalianPageAsync(width);
        var signIn = new SignInPage(page, italian: true);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, Password);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Principale" }).GetByRole(AriaRole.Link, new() { Name = "Fatture" }).ClickAsync();
        var invoices = new InvoicesPage(page);
        await Expect(invoices.List).ToBeVisibleAsync();
        await Expect(invoices.List).ToContainTextAsync("Nota di credito");
        // 1.254,56 net at 22 %: € 276,00 VAT, € 1.530,56 in all.
        await Expect(invoices.List).ToContainTextAsync("€ 1.530,56");
        await BrowserApp.ScreenshotAsync(page, $"billing-invoices-it-{width}");
        await AssertNoViolationsAsync(page);

        await invoices.Invoice(number).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync($"Fattura {number}");
        await Expect(invoices.Lines).ToContainTextAsync("Backup giornaliero");
        await Expect(invoices.Document).ToContainTextAsync("Bianchi Design S.r.l.");
        await Expect(invoices.Document).ToContainTextAsync("€ 1.530,56");
        await BrowserApp.ScreenshotAsync(page, $"billing-invoice-it-{width}");
        await AssertNoViolationsAsync(page);
        // Printed, the page is the document alone: no navigation, no footer.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Principale" })).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Tutte le fatture" })).ToBeHiddenAsync();
        await Expect(invoices.Document).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, $"billing-invoice-print-it-{width}");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Screen });

        await page.GetByRole(AriaRole.Link, new() { Name = "#" + order.GetProperty("number").GetString() }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Ordine #" + order.GetProperty("number").GetString());
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = number })).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Tutti gli ordini" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "I tuoi ordini" })).ToContainTextAsync("€ 1.254,56");
        await BrowserApp.ScreenshotAsync(page, $"billing-orders-it-{width}");
        await AssertNoViolationsAsync(page);
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task ThePriceHelper_InItalian_WorksWithTheKeyboardAlone_AndShowsErrorsOnTheField(int width)
    {
        var page = await ItalianPageAsync(width);
        var prices = new PricesPage(page);
        await prices.OpenAsync();
        await Expect(prices.Rates).ToContainTextAsync("Slovenia");
        await AssertNoViolationsAsync(page);

        // Keyboard only: type-ahead in the country list, Tab to the price, Enter sends the form.
        await prices.Country.FocusAsync();
        await page.Keyboard.TypeAsync("Italia");
        await Expect(prices.Country).ToHaveValueAsync("IT");
        await page.Keyboard.PressAsync("Tab");
        await Expect(prices.Amount).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("100");
        // With JavaScript the answer comes as the price is typed; Enter sends the form all the same (as without it).
        await Expect(prices.Result).ToContainTextAsync("€ 122,00");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/prices\?Country=IT&Amount=100#quote$"));
        await Expect(prices.Result).ToContainTextAsync("Un consumatore in Italia");
        await Expect(prices.Result).ToContainTextAsync("22 %");
        await Expect(prices.Result).ToContainTextAsync("€ 122,00");
        await BrowserApp.ScreenshotAsync(page, $"billing-prices-it-{width}");
        await AssertNoViolationsAsync(page);

        await prices.Amount.FocusAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("cento");
        await page.Keyboard.PressAsync("Enter");
        await Expect(prices.Amount).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(prices.Amount).ToHaveAccessibleDescriptionAsync(new System.Text.RegularExpressions.Regex("^Il prezzo deve essere un numero"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Il prezzo deve essere un numero, ad esempio 1234,56.");
        await BrowserApp.ScreenshotAsync(page, $"billing-prices-error-it-{width}");
        await AssertNoViolationsAsync(page);

        // A valid price typed again clears the error in place; another country changes the answer.
        await prices.Amount.FocusAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("250");
        await Expect(prices.Amount).ToHaveAttributeAsync("aria-invalid", "false");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Expect(prices.Result).ToContainTextAsync("€ 305,00");
        await prices.Country.FocusAsync();
        await page.Keyboard.TypeAsync("Finl");
        await Expect(prices.Result).ToContainTextAsync("Un consumatore in Finlandia");
        await Expect(prices.Result).ToContainTextAsync("€ 313,75");
    }
}
