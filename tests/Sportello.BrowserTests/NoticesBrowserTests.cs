using System.Net.Http.Json;
using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

public sealed class NoticesBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task TheUnreadBadge_RisesLive_WhenAnAdminPublishesANotice_AndTheInboxShowsIt()
    {
        var (email, order, ip) = Unique.Customer("badge");
        await app.CustomerWithServiceAsync(email, order, ip);
        var page = await app.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, "customer passphrase 2026");
        await page.GotoAsync("/tickets");
        var badge = page.Locator("#unread-badge");
        await Expect(badge).ToBeHiddenAsync();

        // The admin publishes while the customer looks at another page: no reload.
        var admin = await app.AdminAsync();
        var published = await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "maintenance", title = "Router firmware <b>upgrade</b>", body = "A short <script>alert(1)</script> pause.",
            startsAt = "2026-12-10T22:00", endsAt = "2026-12-10T23:00", timeZone = "Europe/Rome",
            affects = new { orderNumbers = new[] { order } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        Assert.Equal(1, published.GetProperty("recipients").GetInt32());
        await Expect(badge).ToBeVisibleAsync();
        await Expect(badge).ToContainTextAsync("1");
        await Expect(page.Locator("#notify-live")).ToContainTextAsync("Router firmware <b>upgrade</b>");

        await page.GetByRole(AriaRole.Link, new() { Name = "Notifications" }).ClickAsync();
        var entry = page.Locator(".notification").First;
        // Text stays text: the markup in the title and body shows as written, nothing runs.
        await Expect(entry.GetByRole(AriaRole.Heading)).ToContainTextAsync("Scheduled maintenance: Router firmware <b>upgrade</b>");
        await Expect(entry).ToContainTextAsync("A short <script>alert(1)</script> pause.");
        await Expect(entry).ToContainTextAsync("Server " + order);
        await BrowserApp.ScreenshotAsync(page, "notifications-inbox");
        await entry.GetByRole(AriaRole.Button, new() { Name = "Mark as read" }).ClickAsync();
        await Expect(page.Locator("#unread-badge")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task TheTicketForm_ShowsTheIncidentOnTheChosenService_First()
    {
        var (email, order, ip) = Unique.Customer("known");
        var admin = await app.AdminAsync();
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        var affected = (await admin.AddServiceAsync(customerId, order, ip)).GetProperty("id").GetString()!;
        var (_, otherOrder, otherIp) = Unique.Customer("known-other");
        var other = (await admin.AddServiceAsync(customerId, otherOrder, otherIp)).GetProperty("id").GetString()!;
        await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = "Storage array degraded", body = "Disks are slow; we are replacing one.", affects = new { orderNumbers = new[] { order } },
        })).JsonAsync(System.Net.HttpStatusCode.Created);

        var page = await app.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, "customer passphrase 2026");
        await page.GotoAsync("/tickets/new");
        var known = page.GetByRole(AriaRole.Region, new() { Name = "We already know" });
        // Before any choice: every notice on the customer's services.
        await Expect(known).ToContainTextAsync("Incident: Storage array degraded");
        var service = page.GetByLabel("Service as shown in the Client Area");
        await service.SelectOptionAsync(other);
        await Expect(known).ToBeHiddenAsync();
        await service.SelectOptionAsync(affected);
        await Expect(known).ToBeVisibleAsync();
        await Expect(known).ToContainTextAsync("Disks are slow");
        await BrowserApp.ScreenshotAsync(page, "ticket-form-known-incident");
    }

    [Fact]
    public async Task TheContactPageInItalian_ShowsTheTargetSetAtAdminSla()
    {
        var admin = await app.AdminAsync();
        (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal", new { firstResponseMinutes = 7, nextResponseMinutes = 120 })).EnsureSuccessStatusCode();
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = "it-IT" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/contact");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Contatta l'assistenza");
        var tickets = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Ticket di supporto" });
        await Expect(tickets).ToContainTextAsync("Risposta iniziale entro 7 min");
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Chat dal vivo" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "support@" , Exact = false })).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(390, 844);
        await BrowserApp.ScreenshotAsync(page, "contact-it-phone");
        (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal", new { firstResponseMinutes = 10, nextResponseMinutes = 120 })).EnsureSuccessStatusCode();
    }
}
