using System.Net.Http.Json;
using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

/// <summary>Search in a real browser: the Desk's header box by keyboard, highlighted passages, on a desktop and a phone, axe-clean.</summary>
public sealed class SearchBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static async Task SignInAsync(IPage page, string email, string password, bool italian)
    {
        var signIn = new SignInPage(page, italian);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, password);
    }

    [Theory]
    [InlineData(1280, "en-US")]
    [InlineData(390, "it-IT")]
    public async Task AnAgent_SearchesFromTheHeader_ByKeyboard_AndSeesTheMatchHighlighted(int width, string locale)
    {
        var n = Unique.Next();
        var tag = $"w{Guid.NewGuid():N}"[..12] + "7";
        var (email, order, ip) = ($"search-browser-{n}@example.com", (930000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"198.18.{n / 250}.{n % 250 + 1}");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        await customer.OpenTicketAsync(new
        {
            department = "technical", priority = "normal", subject = $"Fatture doppie {tag}",
            description = $"Buongiorno, <b>le fatture</b> di novembre per {tag} risultano addebitate due volte sulla carta.",
        });
        var agentEmail = $"search-browser-agent-{n}@sportello.test";
        await app.AgentAsync(agentEmail, "technical");
        var page = await Axe.PageAsync(app, locale, width);
        await SignInAsync(page, agentEmail, "agent passphrase 2026", locale == "it-IT");

        if (locale == "it-IT")
        {
            // Staff read the Desk in the language they choose in the header.
            await page.GetByLabel("Language").SelectOptionAsync("it");
            await page.GetByRole(AriaRole.Button, new() { Name = "Change language" }).ClickAsync();
        }
        var label = locale == "it-IT" ? "Cerca nei ticket" : "Search tickets";
        var box = page.GetByRole(AriaRole.Search, new() { Name = label }).GetByRole(AriaRole.Searchbox, new() { Name = label });
        await box.FocusAsync();
        await page.Keyboard.TypeAsync($"fattura {tag}");
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(label);
        var results = page.Locator(".search-results");
        await Expect(results.Locator("mark").First).ToHaveTextAsync("fatture");
        await Expect(results).ToContainTextAsync("<b>le fatture</b>");
        await Axe.AssertNoViolationsAsync(page);
        await BrowserApp.ScreenshotAsync(page, $"desk-search-{width}");
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task AnAbuseAgent_FindsANoticeAndAnAbuseCase_FromTheSearchPage_AsText(int width)
    {
        var n = Unique.Next();
        var tag = $"q{Guid.NewGuid():N}"[..12] + "7";
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "maintenance", title = $"Storage upgrade {tag}", body = $"The <i>storage</i> of cluster {tag} is replaced; mailboxes stay online.",
            startsAt = "2026-12-01T22:00:00Z", endsAt = "2026-12-02T02:00:00Z", affects = new { locations = new[] { $"Rack-{tag}" } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        var (email, order, ip) = ($"search-abuse-{n}@example.com", (950000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"198.19.{200 + n % 50}.{n % 250 + 1}");
        await app.CustomerWithServiceAsync(email, order, ip);
        var reported = await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type = "spam", sourceIp = ip, evidence = $"Subject: Cheap pills {tag} <script>alert(1)</script>\n\nBuy now.",
            reporter = new { name = "Rita Reporter", email = "rita@reporter.example" },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        var reference = reported.GetProperty("reference").GetString()!;
        var agentEmail = $"search-abuse-agent-{n}@sportello.test";
        await app.AgentAsync(agentEmail, "technical", "abuse");
        var page = await Axe.PageAsync(app, "en-US", width);
        await SignInAsync(page, agentEmail, "agent passphrase 2026", italian: false);

        await page.GotoAsync($"{app.BaseUrl}/desk/search");
        await page.GetByLabel("Search in").SelectOptionAsync("notices");
        await page.GetByLabel("Words, a phrase in quotes, a ticket number, #order or IP address").FillAsync($"storage {tag}");
        await page.Keyboard.PressAsync("Enter");
        var notices = page.GetByRole(AriaRole.Region, new() { Name = "Service notices" });
        await Expect(notices.Locator(".hit-title")).ToHaveTextAsync($"Storage upgrade {tag}");
        await Expect(notices.Locator("mark").First).ToHaveTextAsync("storage");
        await Expect(notices).ToContainTextAsync("<i>storage</i>");
        await Axe.AssertNoViolationsAsync(page);
        await BrowserApp.ScreenshotAsync(page, $"desk-search-notices-{width}");

        await page.GetByLabel("Search in").SelectOptionAsync("abuse");
        await page.GetByLabel("Words, a phrase in quotes, a ticket number, #order or IP address").FillAsync($"pills {tag}");
        await page.Keyboard.PressAsync("Enter");
        var cases = page.GetByRole(AriaRole.Region, new() { Name = "Abuse cases" });
        await Expect(cases.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        await Expect(cases).ToContainTextAsync("<script>alert(1)</script>");
        await Axe.AssertNoViolationsAsync(page);
        await BrowserApp.ScreenshotAsync(page, $"desk-search-abuse-{width}");
    }
}
