using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

public sealed class AdminSlaTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Admin_ChangesAResponseTarget_AndReadsTheReport()
    {
        var (email, order, ip) = Unique.Customer("report-ui");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        await customer.OpenTicketAsync(new { department = "financial", priority = "normal", subject = "Invoice", description = "Wrong total" });

        var page = await app.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        await page.GotoAsync("/admin/sla");
        var target = page.GetByLabel("First response (minutes) — Email, High");
        await Expect(target).ToHaveValueAsync("30");
        await target.FillAsync("20");
        await page.GetByRole(AriaRole.Row).Filter(new() { Has = target }).GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByLabel("First response (minutes) — Email, High")).ToHaveValueAsync("20");

        var report = page.GetByRole(AriaRole.Table, new() { Name = "First responses" });
        await Expect(report.GetByRole(AriaRole.Row).Filter(new() { HasText = "Financial" })).ToContainTextAsync("1");
        await BrowserApp.ScreenshotAsync(page, "admin-sla");
    }
}
