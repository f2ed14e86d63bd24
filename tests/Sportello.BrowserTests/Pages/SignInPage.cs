using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests.Pages;

/// <summary>The sign-in screen, found by labels and roles in either language.</summary>
public sealed partial class SignInPage(IPage page, bool italian = false)
{
    public Task OpenAsync() => page.GotoAsync("/signin");

    public async Task SignInAsync(string email, string password)
    {
        await page.GetByLabel(italian ? "E-mail" : "Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = italian ? "Accedi" : "Sign in" }).ClickAsync();
    }

    /// <summary>
    /// Signs in and waits until the next page shows its main content. The wait polls the page rather than
    /// waiting for load events: an event that fires while the waiter is being set up is missed, and on a busy
    /// machine that turned into a 30-second timeout on a page that had long been shown.
    /// </summary>
    public async Task SignInAndWaitAsync(string email, string password)
    {
        await SignInAsync(email, password);
        await Expect(page).Not.ToHaveURLAsync(SignInPath(), new() { Timeout = 30_000 });
        await Expect(page.Locator("main")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    public async Task SwitchLanguageAsync(string language)
    {
        await page.GetByRole(AriaRole.Combobox, new() { Name = italian ? "Lingua" : "Language" }).SelectOptionAsync(language);
        await page.GetByRole(AriaRole.Button, new() { Name = italian ? "Cambia lingua" : "Change language" }).ClickAsync();
    }

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    [GeneratedRegex("/signin")]
    private static partial Regex SignInPath();
}

public sealed class ClientAreaPage(IPage page, bool italian = false)
{
    public ILocator Services => page.GetByRole(AriaRole.Table, new() { Name = italian ? "I tuoi servizi" : "Your services" });
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
}
