using System.Net;
using System.Net.Http.Json;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

public sealed class SignInTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private async Task CustomerWithServiceAsync(string email, string language, string orderNumber, string ip)
    {
        using var admin = await app.AdminAsync();
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Browser " + language, password = "browser passphrase 2026", country = "IT", language, timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created);
        await admin.AddServiceAsync(created.GetProperty("id").GetString()!, orderNumber, ip);
    }

    [Fact]
    public async Task Customer_SignsIn_SeesTheirServices()
    {
        await CustomerWithServiceAsync("browser.en@example.com", "en", "810001", "192.0.2.81");
        var page = await app.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await Expect(signIn.Heading).ToHaveTextAsync("Sign in");
        await BrowserApp.ScreenshotAsync(page, "signin-en");

        await signIn.SignInAsync("browser.en@example.com", "browser passphrase 2026");
        var home = new ClientAreaPage(page);
        await Expect(home.Heading).ToHaveTextAsync("Client Area");
        await Expect(home.Services).ToContainTextAsync("#810001");
        await Expect(home.Services).ToContainTextAsync("192.0.2.81");
        await BrowserApp.ScreenshotAsync(page, "client-area-en");

        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(signIn.Heading).ToHaveTextAsync("Sign in");
        await page.GotoAsync("/");
        await Expect(signIn.Heading).ToHaveTextAsync("Sign in");
    }

    [Fact]
    public async Task Customer_WrongPassword_IsToldWithoutLeavingThePage()
    {
        var page = await app.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAsync("nobody@example.com", "not the password");
        await Expect(signIn.Alert).ToContainTextAsync("The email or password is wrong.");
    }

    [Fact]
    public async Task ItalianCustomer_SignsInFromTheItalianPage_SeesTheClientAreaInItalian()
    {
        await CustomerWithServiceAsync("browser.it@example.com", "it", "810002", "192.0.2.82");
        var page = await app.NewPageAsync(locale: "en-US");
        var english = new SignInPage(page);
        await english.OpenAsync();
        await english.SwitchLanguageAsync("it");
        var signIn = new SignInPage(page, italian: true);
        await Expect(signIn.Heading).ToHaveTextAsync("Accedi");
        await BrowserApp.ScreenshotAsync(page, "signin-it");

        await signIn.SignInAsync("browser.it@example.com", "browser passphrase 2026");
        var home = new ClientAreaPage(page, italian: true);
        await Expect(home.Heading).ToHaveTextAsync("Area clienti");
        await Expect(home.Services).ToContainTextAsync("#810002");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "it");
        await BrowserApp.ScreenshotAsync(page, "client-area-it");
    }

    [Fact]
    public async Task SignIn_OnAPhone_IsUsable()
    {
        await CustomerWithServiceAsync("browser.phone@example.com", "en", "810003", "192.0.2.83");
        var page = await app.NewPageAsync(width: 375);
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAsync("browser.phone@example.com", "browser passphrase 2026");
        await Expect(new ClientAreaPage(page).Services).ToContainTextAsync("#810003");
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth + 1");
        await BrowserApp.ScreenshotAsync(page, "client-area-phone");
        Assert.False(overflow, "The page should not scroll sideways on a 375 px screen.");
    }
}
