using System.Net.Http.Json;
using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

/// <summary>The ticket form offers the customer's invoices only for a financial ticket; the ticket then links to the invoice.</summary>
public sealed class FinancialTicketBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task TheInvoiceChoice_ShowsForFinancialTickets_AndTheTicketLinksToTheInvoice()
    {
        var admin = await app.AdminAsync();
        var (email, order, ip) = Unique.Customer("fin-browser");
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(customerId, order, ip);
        var invoice = await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId, lines = new[] { new { description = "Hosting Pro, December", netCents = 10000L } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        var number = invoice.GetProperty("number").GetString()!;

        var page = await app.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, "customer passphrase 2026");
        var form = new NewTicketPage(page);
        await form.OpenAsync();
        var choice = page.GetByLabel("Invoice or credit note");
        // Technical is the default: the choice is not offered (and would not be sent).
        await Expect(choice).ToBeHiddenAsync();
        await form.FillAsync("Financial", "Normal", "VAT on my December invoice", "Why is VAT charged at 22 %?");
        await Expect(choice).ToBeVisibleAsync();
        await choice.SelectOptionAsync(new SelectOptionValue { Value = invoice.GetProperty("id").GetString() });
        await BrowserApp.ScreenshotAsync(page, "ticket-form-invoice");
        await form.SubmitAsync();

        var link = page.GetByRole(AriaRole.Link, new() { Name = $"Invoice {number}" });
        await Expect(link).ToBeVisibleAsync();
        await link.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(number);
    }
}
