using Microsoft.Playwright;

namespace Sportello.BrowserTests.Pages;

/// <summary>The public price helper (/prices), in Italian.</summary>
public sealed class PricesPage(IPage page)
{
    public Task OpenAsync() => page.GotoAsync("/prices");
    public ILocator Country => page.GetByRole(AriaRole.Combobox, new() { Name = "Paese" });
    public ILocator Amount => page.GetByRole(AriaRole.Textbox, new() { Name = "Prezzo netto (€)" });
    public ILocator Submit => page.GetByRole(AriaRole.Button, new() { Name = "Mostra il prezzo" });
    public ILocator Result => page.GetByRole(AriaRole.Status);
    public ILocator Rates => page.GetByRole(AriaRole.Table, new() { Name = "Aliquote IVA in vigore", Exact = false });
}

/// <summary>The Client Area's invoices (/invoices) and one printable invoice, in Italian.</summary>
public sealed class InvoicesPage(IPage page)
{
    public Task OpenAsync() => page.GotoAsync("/invoices");
    public ILocator List => page.GetByRole(AriaRole.Table, new() { Name = "Le tue fatture e note di credito" });
    public ILocator Invoice(string number) => List.GetByRole(AriaRole.Link, new() { Name = number });
    public ILocator Document => page.GetByRole(AriaRole.Article);
    public ILocator Lines => page.GetByRole(AriaRole.Table, new() { Name = "Righe" });
}
