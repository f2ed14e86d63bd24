using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

/// <summary>
/// The widget on the provider's own site (another origin, with a hostile stylesheet and a strict CSP), a visitor
/// chatting with an agent on the Desk's console, live both ways, and the chat turned into a ticket.
/// </summary>
public sealed class ChatWidgetTests(BrowserApp app) : IClassFixture<BrowserApp>, IAsyncLifetime
{
    private const string Nonce = "host-page-style";
    private WebApplication? provider;

    /// <summary>The provider's site: a real server on another loopback port, with its own strict CSP.</summary>
    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, app.ProviderPort));
        builder.Logging.ClearProviders();
        provider = builder.Build();
        var sportello = app.BaseUrl.TrimEnd('/');
        provider.MapGet("/{lang}/{department}/plans", (string lang, string department, HttpContext http) =>
        {
            // Only Sportello's script and calls, no inline script, inline styles only with the page's own nonce.
            http.Response.Headers.ContentSecurityPolicy =
                $"default-src 'self'; script-src {sportello}; connect-src {sportello} {sportello.Replace("http", "ws", StringComparison.Ordinal)}; style-src 'nonce-{Nonce}'";
            return Results.Content(HostPage(lang, department), "text/html");
        });
        await provider.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (provider is not null)
        {
            await provider.DisposeAsync();
        }
    }

    // Hostile to anything it can reach: every element red and monospace, every button lime, every div hidden.
    private string HostPage(string lang, string department) => $$"""
        <!doctype html><html lang="{{lang}}"><head><meta charset="utf-8"><title>Provider</title>
        <style nonce="{{Nonce}}">
          * { color: rgb(255, 0, 0) !important; font-family: monospace !important; }
          button { background: rgb(0, 255, 0) !important; border: 9px solid black !important; }
          div, section, ol, textarea { display: none !important; }
        </style></head>
        <body><h1 id="host-title">Hosting plans</h1><p id="host-text">Fast servers in Milan.</p>
        <script src="{{app.BaseUrl.TrimEnd('/')}}/chat/widget.js" data-department="{{department}}" async></script></body></html>
        """;

    private async Task<IPage> ProviderPageAsync(string lang = "en", int width = 1280, bool bypassCsp = false, string department = "technical")
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = lang == "it" ? "it-IT" : "en-US", ViewportSize = new ViewportSize { Width = width, Height = 800 },
            // Only to inject axe-core: the widget itself runs under the host's strict CSP in the other tests.
            BypassCSP = bypassCsp,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{app.ProviderSite}/{lang}/{department}/plans");
        return page;
    }

    /// <summary>An agent of technical, online for chat (the widget offers a chat only when someone is).</summary>
    private async Task<string> OnlineAgentAsync()
    {
        var email = $"widget-agent{Unique.Next()}@sportello.example";
        var api = await app.AgentAsync(email, "technical");
        (await api.PutAsJsonAsync("/api/v1/desk/chats/availability", new { status = "online" })).EnsureSuccessStatusCode();
        return email;
    }

    private static Task<string> StyleAsync(ILocator element, string property) =>
        element.EvaluateAsync<string>($"e => getComputedStyle(e).getPropertyValue('{property}')");

    [Fact]
    public async Task AVisitorOnTheProvidersSite_ChatsWithAnAgentLive_AndTheChatBecomesATicket()
    {
        var agentEmail = await OnlineAgentAsync();
        var visitor = await ProviderPageAsync();
        var hostText = visitor.Locator("#host-text");
        var hostFont = await StyleAsync(hostText, "font-family");

        var launcher = visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" });
        await Expect(launcher).ToBeVisibleAsync();
        // The page's CSS did not reach the widget; the widget's did not reach the page.
        Assert.Equal("rgb(11, 87, 164)", await StyleAsync(launcher, "background-color"));
        Assert.Equal(hostFont, await StyleAsync(hostText, "font-family"));
        Assert.Equal("rgb(255, 0, 0)", await StyleAsync(hostText, "color"));

        await launcher.ClickAsync();
        await visitor.GetByLabel("Name (optional)").FillAsync("Luca Bianchi");
        await visitor.GetByLabel("Email (optional, for a copy or a follow-up)").FillAsync("luca.bianchi@visitor.example");
        await visitor.GetByLabel("How can we help?").FillAsync("Do you have servers in Milan?");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        var log = visitor.GetByRole(AriaRole.Log);
        await Expect(log).ToContainTextAsync("Do you have servers in Milan?");
        await Expect(visitor.GetByRole(AriaRole.Status).First).ToContainTextAsync("in the queue");
        Assert.Equal("rgb(255, 255, 255)", await StyleAsync(visitor.GetByRole(AriaRole.Dialog), "background-color"));
        await BrowserApp.ScreenshotAsync(visitor, "chat-widget-waiting");

        var agent = await app.NewPageAsync();
        var signIn = new SignInPage(agent);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(agentEmail, "agent passphrase 2026");
        await agent.GotoAsync("/desk/chats");
        await agent.GetByRole(AriaRole.Link, new() { Name = "Luca Bianchi" }).First.ClickAsync();
        await Expect(agent.GetByRole(AriaRole.Log)).ToContainTextAsync("Do you have servers in Milan?");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(agent.GetByRole(AriaRole.Log)).ToContainTextAsync("joined the chat");

        // A canned answer: "/" and a keyword offers it; choosing it fills the answer.
        await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/canned-answers",
            new { title = "Data centres", bodyEn = "Our servers are in Milan.", keywords = new[] { "datacentre", "milan" } })).JsonAsync(System.Net.HttpStatusCode.Created);
        await agent.GetByLabel("Message").PressSequentiallyAsync("/datac");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Data centres" }).ClickAsync();
        await Expect(agent.GetByLabel("Message")).ToHaveValueAsync("Our servers are in Milan.");
        await Expect(agent.GetByLabel("Message")).ToBeFocusedAsync();
        await agent.GetByLabel("Message").FillAsync("");

        // Typing shows on the other side, both ways.
        await agent.GetByLabel("Message").PressSequentiallyAsync("Yes");
        await Expect(visitor.GetByText("Support is typing…")).ToBeVisibleAsync();
        await agent.GetByLabel("Message").FillAsync("Yes: MIL1 and MIL2. See https://www.provider.example/datacenters for details.");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(log).ToContainTextAsync("MIL1 and MIL2");
        var link = log.GetByRole(AriaRole.Link, new() { Name = "https://www.provider.example/datacenters" });
        await Expect(link).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");

        await visitor.GetByLabel("Your message").PressSequentiallyAsync("Great");
        await Expect(agent.GetByText("The visitor is typing…")).ToBeVisibleAsync();
        await visitor.GetByLabel("Your message").PressAsync("Enter");
        await Expect(agent.GetByRole(AriaRole.Log)).ToContainTextAsync("Great");

        // Read marks both ways: each side has the conversation open.
        await Expect(visitor.Locator("sportello-chat .mark")).ToHaveTextAsync("Read");
        await Expect(agent.Locator("#chat-marks")).ToHaveTextAsync("Read by the visitor");

        // A file from the widget's attach button reaches the console as a download.
        await Expect(visitor.GetByRole(AriaRole.Button, new() { Name = "Attach a file" })).ToBeVisibleAsync();
        await visitor.Locator("sportello-chat input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "error <i>log.txt", MimeType = "text/plain", Buffer = "500 Internal Server Error at 10:02"u8.ToArray(),
        });
        await Expect(log.GetByRole(AriaRole.Button, new() { Name = "error <i>log.txt (1 KB)" })).ToBeVisibleAsync();
        var file = agent.GetByRole(AriaRole.Link, new() { Name = "error <i>log.txt" });
        await Expect(file).ToBeVisibleAsync();
        var saved = await agent.RunAndWaitForDownloadAsync(() => file.ClickAsync());
        Assert.Equal("500 Internal Server Error at 10:02", await File.ReadAllTextAsync(await saved.PathAsync(), TestContext.Current.CancellationToken));
        await BrowserApp.ScreenshotAsync(agent, "chat-console");
        await BrowserApp.ScreenshotAsync(visitor, "chat-widget-file");

        // Turned into a ticket: the visitor reads its number in the chat.
        await agent.GetByLabel("Subject").FillAsync("Servers in Milan");
        await agent.GetByRole(AriaRole.Button, new() { Name = "Open ticket" }).ClickAsync();
        var number = await agent.Locator("dd a[href^='/desk/tickets/']").TextContentAsync();
        Assert.Matches("^[A-Z]{3}-[0-9]{6}$", number);
        await Expect(log).ToContainTextAsync(number!);
        await BrowserApp.ScreenshotAsync(visitor, "chat-widget-ticket");

        // The Desk links chat and ticket both ways; the console says how many chats the agent holds.
        await agent.Locator("dd a[href^='/desk/tickets/']").ClickAsync();
        await agent.GetByRole(AriaRole.Link, new() { Name = "the chat it came from" }).ClickAsync();
        await Expect(agent.GetByRole(AriaRole.Log)).ToContainTextAsync("Great");
        await agent.GotoAsync("/desk/chats");
        await Expect(agent.Locator("#chat-load")).ToHaveTextAsync("You hold 1 of 4 chats.");

        // A reload continues the same conversation.
        await visitor.ReloadAsync();
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        await Expect(visitor.GetByRole(AriaRole.Log)).ToContainTextAsync("MIL1 and MIL2");
    }

    [Fact]
    public async Task TheWholeVisitorPath_WorksWithTheKeyboard_InItalian_AndEscapeCloses()
    {
        await OnlineAgentAsync();
        var visitor = await ProviderPageAsync("it");
        var launcher = visitor.GetByRole(AriaRole.Button, new() { Name = "Chatta con noi" });
        await Expect(launcher).ToBeVisibleAsync();
        await visitor.Keyboard.PressAsync("Tab");
        await Expect(launcher).ToBeFocusedAsync();
        await visitor.Keyboard.PressAsync("Enter");
        // Focus moves into the panel, on the message box.
        await Expect(visitor.GetByLabel("Come possiamo aiutarti?")).ToBeFocusedAsync();
        await visitor.Keyboard.TypeAsync("Vorrei un preventivo.");
        await visitor.Keyboard.PressAsync("Tab");
        await Expect(visitor.GetByRole(AriaRole.Button, new() { Name = "Inizia la chat" })).ToBeFocusedAsync();
        await visitor.Keyboard.PressAsync("Enter");
        await Expect(visitor.GetByRole(AriaRole.Log)).ToContainTextAsync("Vorrei un preventivo.");
        await Expect(visitor.GetByLabel("Il tuo messaggio")).ToBeFocusedAsync();
        await visitor.Keyboard.TypeAsync("Per tre server.");
        await visitor.Keyboard.PressAsync("Enter");
        await Expect(visitor.GetByRole(AriaRole.Log)).ToContainTextAsync("Per tre server.");
        await BrowserApp.ScreenshotAsync(visitor, "chat-widget-it");

        await visitor.Keyboard.PressAsync("Escape");
        await Expect(visitor.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        await Expect(visitor.GetByRole(AriaRole.Button, new() { Name = "Chiudi la chat" }).Or(launcher)).ToBeFocusedAsync();
    }

    [Fact]
    public async Task WithNobodyOnline_TheWidgetTakesAMessage_AnsweredByEmail()
    {
        // Nobody in this class works financial: the widget offers a message, and the email is needed.
        var visitor = await ProviderPageAsync(department: "financial");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        await Expect(visitor.GetByText("Nobody is online right now.")).ToBeVisibleAsync();
        await visitor.GetByLabel("How can we help?").FillAsync("Can I pay by bank transfer?");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(visitor.GetByRole(AriaRole.Alert)).ToContainTextAsync("answer comes by mail");
        await visitor.GetByLabel("Email (required, for the answer)").FillAsync("paola@visitor.example");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(visitor.GetByText("Thank you. Your message is request")).ToContainTextAsync("we will answer by email");
        await BrowserApp.ScreenshotAsync(visitor, "chat-widget-offline");
    }

    [Fact]
    public async Task AfterTheLongestWait_TheWidgetOffersAMessageInstead_CarryingWhatWasWritten()
    {
        await OnlineAgentAsync();
        var visitor = await ProviderPageAsync();
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        await visitor.GetByLabel("How can we help?").FillAsync("Is there a discount for schools?");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        await Expect(visitor.GetByRole(AriaRole.Status).First).ToContainTextAsync("in the queue");
        await Expect(visitor.GetByText("Nobody has answered yet.")).ToBeHiddenAsync();

        // Five minutes later nobody has accepted: the widget offers to leave a message.
        app.Clock.Advance(TimeSpan.FromSeconds(301));
        await visitor.ReloadAsync();
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        await Expect(visitor.GetByText("Nobody has answered yet.")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(visitor, "chat-widget-offer");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Leave a message instead" }).ClickAsync();
        await Expect(visitor.GetByLabel("How can we help?")).ToHaveValueAsync("Is there a discount for schools?");
        await Expect(visitor.GetByLabel("Email (required, for the answer)")).ToBeFocusedAsync();
        await visitor.GetByLabel("Email (required, for the answer)").FillAsync("preside@school.example");
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Send message" }).ClickAsync();
        await Expect(visitor.GetByText("Thank you. Your message is request")).ToContainTextAsync("we will answer by email");
    }

    [Fact]
    public async Task OnAPhone_ThePanelFillsTheScreen()
    {
        var visitor = await ProviderPageAsync(width: 390);
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        var box = await visitor.GetByRole(AriaRole.Dialog).BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.Equal(390, box.Width, 1.0);
        await BrowserApp.ScreenshotAsync(visitor, "chat-widget-phone");
    }

    [Theory]
    [InlineData("en")]
    [InlineData("it")]
    public async Task ThePanel_PassesTheWcagAaRules(string lang)
    {
        await OnlineAgentAsync();
        var visitor = await ProviderPageAsync(lang, bypassCsp: true);
        await visitor.GetByRole(AriaRole.Button, new() { Name = lang == "it" ? "Chatta con noi" : "Chat with us" }).ClickAsync();
        var problems = await ViolationsAsync(visitor, "start form");
        await visitor.GetByLabel(lang == "it" ? "Come possiamo aiutarti?" : "How can we help?").FillAsync("Accessibility check.");
        await visitor.GetByRole(AriaRole.Button, new() { Name = lang == "it" ? "Inizia la chat" : "Start chat" }).ClickAsync();
        await Expect(visitor.GetByRole(AriaRole.Log)).ToContainTextAsync("Accessibility check.");
        problems.AddRange(await ViolationsAsync(visitor, "conversation"));
        Assert.True(problems.Count == 0, "Accessibility violations:\n" + string.Join("\n", problems));
    }

    private static async Task<List<string>> ViolationsAsync(IPage page, string where)
    {
        var axe = Path.Combine(SportelloProcess.RepoRoot, "tests", "Sportello.BrowserTests", "node_modules", "axe-core", "axe.min.js");
        if (!await page.EvaluateAsync<bool>("() => typeof axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = axe });
        }
        var violations = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run({ include: [['sportello-chat']] }, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })).violations" +
            ".map(v => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => JSON.stringify(n.target)) }))");
        return violations.EnumerateArray()
            .Select(v => $"{where}: {v.GetProperty("id").GetString()} {v.GetProperty("help").GetString()} at {string.Join(" | ", v.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()))}")
            .ToList();
    }

    // Stored XSS through a chat (FreeScout CVE-2026-32754, Chatwoot's widget): markup typed on either side, sent live
    // and read back after a reload, is text in the widget and in the console; no element comes from it.
    [Fact]
    public async Task MarkupInAChat_IsShownAsText_InTheWidgetAndTheConsole_LiveAndAfterAReload()
    {
        const string Hostile = "<img src=x onerror=alert(1)><b>bold</b><svg onload=alert(2)>";
        var agentEmail = await OnlineAgentAsync();
        var visitor = await ProviderPageAsync();
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        await visitor.GetByLabel("Name (optional)").FillAsync("Mallory " + Hostile);
        await visitor.GetByLabel("How can we help?").FillAsync("First " + Hostile);
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Start chat" }).ClickAsync();
        var widget = visitor.GetByRole(AriaRole.Log);
        await Expect(widget).ToContainTextAsync("First " + Hostile);

        var agent = await app.NewPageAsync();
        var signIn = new SignInPage(agent);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(agentEmail, "agent passphrase 2026");
        await agent.GotoAsync("/desk/chats");
        await agent.GetByRole(AriaRole.Link, new() { Name = "Mallory " + Hostile }).First.ClickAsync();
        var console = agent.GetByRole(AriaRole.Log);
        await Expect(console).ToContainTextAsync("First " + Hostile);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await Expect(console).ToContainTextAsync("joined the chat");

        await agent.GetByLabel("Message").FillAsync("Answer " + Hostile);
        await agent.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(widget).ToContainTextAsync("Answer " + Hostile);
        await visitor.GetByLabel("Your message").FillAsync("Live " + Hostile);
        await visitor.GetByLabel("Your message").PressAsync("Enter");
        await Expect(console).ToContainTextAsync("Live " + Hostile);
        await AssertNoElementFromTheTextAsync(widget, console);

        await agent.ReloadAsync();
        await visitor.ReloadAsync();
        await visitor.GetByRole(AriaRole.Button, new() { Name = "Chat with us" }).ClickAsync();
        await Expect(widget).ToContainTextAsync("Live " + Hostile);
        await Expect(console).ToContainTextAsync("Live " + Hostile);
        await AssertNoElementFromTheTextAsync(widget, console);
    }

    private static async Task AssertNoElementFromTheTextAsync(params ILocator[] logs)
    {
        foreach (var log in logs)
        {
            Assert.Equal(0, await log.Locator("img, b, svg, script, iframe").CountAsync());
        }
    }
}
