using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

/// <summary>The abuse queue and a case on the Desk, and the case in the Client Area: by role and label, on a desktop and a phone, axe-clean.</summary>
public sealed partial class AbuseDeskTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private const string AgentPassword = "agent passphrase 2026";
    private const string CustomerPassword = "customer passphrase 2026";

    /// <summary>A long report, as feedback loops send them: headers and a body with markup that must stay text.</summary>
    private static readonly string Evidence = string.Join('\n',
        new[] { "Feedback-Type: abuse", "User-Agent: SomeGenerator/1.0", "Version: 1", "", "Received: from mail.customer.example ([198.19.7.7])",
            "Subject: You won a prize! <script>alert(1)</script>", "" }
        .Concat(Enumerable.Range(1, 60).Select(i => $"Line {i} of the spam: visit https://prize.example/claim?id={i} now, a very long line that a phone has to wrap somewhere sensible")));

    private Task<IPage> PageAsync(int width) => Axe.PageAsync(app, "en-US", width);

    private static Task AssertNoViolationsAsync(IPage page) => Axe.AssertNoViolationsAsync(page);

    private async Task<(string Email, string CaseId, string Reference)> ReportedCustomerAsync()
    {
        var n = Unique.Next();
        var (email, order, ip) = ($"abuse-browser-{n}@example.com", (940000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"198.19.{n / 250}.{n % 250 + 1}");
        await app.CustomerWithServiceAsync(email, order, ip);
        var admin = await app.AdminAsync();
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type = "spam", sourceIp = ip, evidence = Evidence, urls = new[] { "https://prize.example/claim" },
            reporter = new { name = "Rita Reporter", email = "rita@reporter.example" },
        })).JsonAsync(System.Net.HttpStatusCode.Created);
        return (email, created.GetProperty("caseId").GetString()!, created.GetProperty("reference").GetString()!);
    }

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, password);
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task TheAbuseDesk_FindsTheCaseInItsQueue_ReadsTheReport_AndWritesToTheCustomer(int width)
    {
        var (_, caseId, reference) = await ReportedCustomerAsync();
        var agentEmail = $"abuse-browser-agent-{Unique.Next()}@sportello.test";
        await app.AgentAsync(agentEmail, "abuse");
        var page = await PageAsync(width);
        await SignInAsync(page, agentEmail, AgentPassword);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Abuse" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Abuse cases");
        var queue = page.GetByRole(AriaRole.Table, new() { Name = "Abuse cases" });
        await Expect(queue.GetByRole(AriaRole.Row).Filter(new() { HasText = reference })).ToContainTextAsync("Forwarded");
        await page.GetByLabel("State").SelectOptionAsync("forwarded");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(ForwardedFilter());
        await Expect(queue.GetByRole(AriaRole.Link, new() { Name = reference })).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page);
        await BrowserApp.ScreenshotAsync(page, $"abuse-desk-queue-{width}");

        await queue.GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{app.BaseUrl}/desk/abuse/{caseId}");
        var report = page.GetByRole(AriaRole.Article, new() { Name = "Report 1" });
        await Expect(report).ToContainTextAsync("Rita Reporter");
        await Expect(report).ToContainTextAsync("rita@reporter.example");
        // The evidence as received: the markup is text, and a long report scrolls inside its box, reachable by keyboard.
        var evidence = report.Locator("pre.evidence");
        await Expect(evidence).ToContainTextAsync("Subject: You won a prize! <script>alert(1)</script>");
        Assert.True(await evidence.EvaluateAsync<bool>("e => e.scrollHeight > e.clientHeight"), "a long report should scroll inside its box");
        await evidence.FocusAsync();
        await Expect(evidence).ToBeFocusedAsync();
        await AssertNoViolationsAsync(page);
        await BrowserApp.ScreenshotAsync(page, $"abuse-desk-case-{width}");

        // An empty message is explained under its field; a written one is sent and shown.
        var message = page.GetByLabel("Message", new() { Exact = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.Locator("#message-error")).ToContainTextAsync("body is required");
        await Expect(message).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertNoViolationsAsync(page);
        await message.FillAsync("Please stop the mailer on your server within 24 hours.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Messages" })).ToContainTextAsync("Please stop the mailer on your server within 24 hours.");
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(390)]
    public async Task TheCustomer_ReadsTheCaseWithoutTheReporter_AndAnswersIt(int width)
    {
        var (email, caseId, reference) = await ReportedCustomerAsync();
        var page = await PageAsync(width);
        await SignInAsync(page, email, CustomerPassword);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Abuse cases" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Abuse cases");
        await AssertNoViolationsAsync(page);
        await BrowserApp.ScreenshotAsync(page, $"abuse-client-list-{width}");

        await page.GetByRole(AriaRole.Table, new() { Name = "Your abuse cases" }).GetByRole(AriaRole.Link, new() { Name = reference }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{app.BaseUrl}/abuse-cases/{caseId}");
        var main = page.Locator("main");
        await Expect(main).ToContainTextAsync("We received reports of abuse coming from your service.");
        await Expect(main).ToContainTextAsync("Subject: You won a prize! <script>alert(1)</script>");
        await Expect(main).Not.ToContainTextAsync("Rita Reporter");
        await Expect(main).Not.ToContainTextAsync("rita@reporter.example");
        await AssertNoViolationsAsync(page);
        await BrowserApp.ScreenshotAsync(page, $"abuse-client-case-{width}");

        await page.GetByLabel("What you found and did").FillAsync("A compromised contact form sent it; it is removed and patched.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(page.Locator("dl.facts").First).ToContainTextAsync("Customer responded");
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Messages" })).ToContainTextAsync("A compromised contact form sent it");
    }

    [Fact]
    public async Task InItalian_TheQueueTheCaseAndTheCustomersCase_ReadInItalian()
    {
        var (email, caseId, reference) = await ReportedCustomerAsync();
        var agentEmail = $"abuse-browser-agent-{Unique.Next()}@sportello.test";
        await app.AgentAsync(agentEmail, "abuse");
        var desk = await PageAsync(1280);
        await SignInAsync(desk, agentEmail, AgentPassword);
        // The profile's language wins over the browser's: switch it the way a user would.
        await new SignInPage(desk).SwitchLanguageAsync("it");
        await desk.Locator("html[lang='it']").WaitForAsync();

        await desk.GotoAsync("/desk/abuse");
        await Expect(desk.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Casi di abuso");
        await Expect(desk.GetByRole(AriaRole.Table, new() { Name = "Casi di abuso" }).GetByRole(AriaRole.Row).Filter(new() { HasText = reference }))
            .ToContainTextAsync("Inoltrato");
        await AssertNoViolationsAsync(desk);
        await desk.GotoAsync($"/desk/abuse/{caseId}");
        await Expect(desk.GetByRole(AriaRole.Article, new() { Name = "Segnalazione 1" })).ToContainTextAsync("Prove come ricevute");
        await Expect(desk.GetByRole(AriaRole.Button, new() { Name = "Risolvi" })).ToBeVisibleAsync();
        await AssertNoViolationsAsync(desk);
        await BrowserApp.ScreenshotAsync(desk, "abuse-desk-case-it");

        var client = await PageAsync(390);
        await SignInAsync(client, email, CustomerPassword);
        await new SignInPage(client).SwitchLanguageAsync("it");
        await client.Locator("html[lang='it']").WaitForAsync();
        await client.GotoAsync($"/abuse-cases/{caseId}");
        await Expect(client.GetByRole(AriaRole.Heading, new() { Level = 2, Name = "Cosa è stato segnalato" })).ToBeVisibleAsync();
        await Expect(client.GetByLabel("Cosa hai trovato e fatto")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(client);
        await BrowserApp.ScreenshotAsync(client, "abuse-client-case-it-390");
    }

    [GeneratedRegex("/desk/abuse\\?state=forwarded")]
    private static partial Regex ForwardedFilter();
}
