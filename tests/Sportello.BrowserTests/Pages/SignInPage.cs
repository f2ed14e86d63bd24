using Microsoft.Playwright;

namespace Sportello.BrowserTests.Pages;

/// <summary>The sign-in screen, found by labels and roles in either language.</summary>
public sealed class SignInPage(IPage page, bool italian = false)
{
    public Task OpenAsync() => page.GotoAsync("/signin");

    public async Task SignInAsync(string email, string password)
    {
        await page.GetByLabel(italian ? "E-mail" : "Email", new() { Exact = true }).FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = italian ? "Accedi" : "Sign in" }).ClickAsync();
    }

    public async Task SwitchLanguageAsync(string language)
    {
        await page.GetByRole(AriaRole.Combobox, new() { Name = italian ? "Lingua" : "Language" }).SelectOptionAsync(language);
        await page.GetByRole(AriaRole.Button, new() { Name = italian ? "Cambia lingua" : "Change language" }).ClickAsync();
    }

    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Alert => page.GetByRole(AriaRole.Alert);
}

public sealed class ClientAreaPage(IPage page, bool italian = false)
{
    public ILocator Services => page.GetByRole(AriaRole.Table, new() { Name = italian ? "I tuoi servizi" : "Your services" });
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
}
