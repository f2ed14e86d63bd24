using System.Net.Http.Json;
using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;

namespace Sportello.BrowserTests;

/// <summary>axe-core (WCAG 2 A and AA rules) on every screen, as each role sees it, in both languages.</summary>
public sealed class AccessibilityTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private async Task<IPage> SignedInAsync(string email, string password, string locale)
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUrl,
            Locale = locale,
            // axe is injected as a script; the pages' own CSP would (rightly) refuse it.
            BypassCSP = true,
        });
        var page = await context.NewPageAsync();
        var signIn = new SignInPage(page, italian: locale.StartsWith("it", StringComparison.Ordinal));
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, password);
        if (locale.StartsWith("it", StringComparison.Ordinal) && await page.EvaluateAsync<string>("document.documentElement.lang") != "it")
        {
            // The profile's language wins over the browser's: switch it the way a user would.
            await new SignInPage(page).SwitchLanguageAsync("it");
            await page.Locator("html[lang='it']").WaitForAsync();
        }
        return page;
    }

    private static async Task<List<string>> ViolationsAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        var locale = await page.EvaluateAsync<string>("document.documentElement.lang");
        var name = path.Trim('/').Replace('/', '-');
        await BrowserApp.ScreenshotAsync(page, $"a11y-{locale}-{(name.Length == 0 ? "home" : name.Length > 40 ? name[..40] : name)}");
        return [.. (await Axe.ViolationsAsync(page)).Select(v => $"{path}: {v}")];
    }

    [Theory]
    [InlineData("en-US")]
    [InlineData("it-IT")]
    public async Task EveryScreen_PassesTheWcagAaRules(string locale)
    {
        var (email, order, ip) = Unique.Customer("a11y-" + locale);
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "high", subject = "Down", description = "No ping",
            serviceReference = order, problemStartedAt = "2026-11-24T10:00" });
        var id = ticket.GetProperty("id").GetString();
        var agentEmail = $"a11y-agent-{locale}@sportello.example";
        await app.AgentAsync(agentEmail);
        // A stranger's mail: the Desk shows why no account data may be shared.
        var subject = $"Question by mail {locale}";
        await MailApp.SendToAsync(app.SmtpPort, MailApp.Mail($"stranger-{locale}@elsewhere.example", subject, "Do you sell domains?\n\n> quoted history"));
        var mailed = (await (await app.AdminAsync()).HandledAsync(1)).First(m => m.GetProperty("subject").GetString() == subject);

        var problems = new List<string>();
        var anonymous = await (await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = locale, BypassCSP = true })).NewPageAsync();
        problems.AddRange(await ViolationsAsync(anonymous, "/signin"));
        problems.AddRange(await ViolationsAsync(anonymous, "/confirm-address/not-a-real-link"));
        problems.AddRange(await ViolationsAsync(anonymous, "/contact"));
        problems.AddRange(await ViolationsAsync(anonymous, "/status"));
        problems.AddRange(await ViolationsAsync(anonymous, "/prices"));
        problems.AddRange(await ViolationsAsync(anonymous, "/status/subscriptions/confirm/not-a-real-link"));
        problems.AddRange(await ViolationsAsync(anonymous, "/status/unsubscribe/not-a-real-link"));
        // The engine really ran: it found rules that apply and pass (labels, contrast, landmarks...).
        Assert.True(await anonymous.EvaluateAsync<int>("async () => (await axe.run()).passes.length") > 10);
        await anonymous.SetContentAsync("<html lang='en'><body><main><input id='q'></main></body></html>");
        await anonymous.AddScriptTagAsync(new PageAddScriptTagOptions { Path = Axe.ScriptPath });
        Assert.Contains("label", await anonymous.EvaluateAsync<string>("async () => (await axe.run()).violations.map(v => v.id).join(',')"), StringComparison.Ordinal);

        var asCustomer = await SignedInAsync(email, "customer passphrase 2026", locale);
        var notice = await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = new { en = "Network trouble", it = "Problemi di rete" }, body = "Packets are lost.", affects = new { orderNumbers = new[] { order } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        foreach (var path in new[] { "/", "/tickets", "/tickets/new", $"/tickets/{id}", "/account", "/account/two-factor", "/notifications", "/invoices", "/orders" })
        {
            problems.AddRange(await ViolationsAsync(asCustomer, path));
        }
        var asAgent = await SignedInAsync(agentEmail, "agent passphrase 2026", locale);
        // A visitor's chat, so the console's list and a conversation are checked too.
        var chat = await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { name = "Visitor " + locale, message = "Hello from the widget." }))
            .JsonAsync(System.Net.HttpStatusCode.Created);
        foreach (var path in new[] { "/desk", $"/desk/tickets/{id}", $"/desk/tickets/{mailed.GetProperty("ticketId").GetString()}", "/desk/chats",
            $"/desk/chats/{chat.GetProperty("id").GetString()}" })
        {
            problems.AddRange(await ViolationsAsync(asAgent, path));
        }
        var asAdmin = await SignedInAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword, locale);
        await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/canned-answers",
            new { title = "Greeting " + locale, bodyEn = "Hello!", bodyIt = "Buongiorno!", keywords = new[] { "hello" } })).JsonAsync(System.Net.HttpStatusCode.Created);
        foreach (var path in new[] { "/admin", "/admin/customers", "/admin/agents", "/admin/sla", "/admin/mail", "/admin/canned-answers", "/admin/notices",
            $"/admin/notices/{notice.GetProperty("id").GetString()}" })
        {
            problems.AddRange(await ViolationsAsync(asAdmin, path));
        }
        // The billing pages: an invoice and an order to list, and the invoice's page with its credit-note form.
        var admin = await app.AdminAsync();
        var buyer = (await admin.CreateCustomerAsync($"a11y-buyer-{locale}@example.com")).GetProperty("id").GetString();
        var invoice = await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new
        {
            customerId = buyer, lines = new[] { new { description = "Hosting " + locale, netCents = 12345L } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/v1/admin/orders", new
        {
            customerId = buyer, orderNumber = Unique.Customer("a11y-order").OrderNumber, lines = new[] { new { description = "VPS " + locale, netCents = 900L } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        foreach (var path in new[] { "/admin/invoices", $"/admin/invoices/{invoice.GetProperty("id").GetString()}", "/admin/orders" })
        {
            problems.AddRange(await ViolationsAsync(asAdmin, path));
        }
        // An announced VAT rate (one country per language: the two runs share a database), so its badge and Withdraw button are checked.
        var vatCountry = locale.StartsWith("it", StringComparison.Ordinal) ? "PT" : "HU";
        var announced = await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/vat-rates",
            new { country = vatCountry, rateBasisPoints = 2550, effectiveFrom = "2030-01-01", source = "Announced law " + locale })).JsonAsync(System.Net.HttpStatusCode.Created);
        problems.AddRange(await ViolationsAsync(asAdmin, $"/admin/vat?country={vatCountry}"));
        problems.AddRange(await ViolationsAsync(asAdmin, $"/admin/vat?country={vatCountry}&confirm={announced.GetProperty("id").GetString()}"));
        problems.AddRange(await ViolationsAsync(asAdmin, "/admin/vat"));
        Assert.True(problems.Count == 0, "Accessibility violations:\n" + string.Join("\n", problems));
    }
}
