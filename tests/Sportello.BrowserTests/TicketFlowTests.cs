using Microsoft.Playwright;
using Sportello.BrowserTests.Pages;
using Sportello.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Sportello.BrowserTests;

public sealed class TicketFlowTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    private static readonly byte[] Screenshot = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private async Task<IPage> SignedInAsync(string email, string password)
    {
        var page = await app.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();
        await signIn.SignInAndWaitAsync(email, password);
        return page;
    }

    [Fact]
    public async Task HighTicket_ReachesTheTopOfTheDeskLive_AndTheReplyReachesTheCustomerLive()
    {
        var (email, order, ip) = Unique.Customer("flow");
        await app.CustomerWithServiceAsync(email, order, ip);
        await app.AgentAsync("flow.agent@sportello.example", "technical");
        var (otherEmail, otherOrder, otherIp) = Unique.Customer("flow-other");
        var (other, _) = await app.CustomerWithServiceAsync(otherEmail, otherOrder, otherIp);
        await other.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Older normal ticket", description = "Waiting." });

        var agent = await SignedInAsync("flow.agent@sportello.example", "agent passphrase 2026");
        var queue = new DeskQueuePage(agent);
        await queue.OpenAsync();
        await queue.WaitForLiveAsync();
        await Expect(queue.Rows.Filter(new() { HasText = "Older normal ticket" })).ToHaveCountAsync(1);
        var waiting = await queue.Rows.CountAsync();

        var customer = await SignedInAsync(email, "customer passphrase 2026");
        var form = new NewTicketPage(customer);
        await form.OpenAsync();
        await form.FillAsync("Technical", "High", "Website down", "Nothing answers on port 443.");
        await form.ChooseServiceAsync($"Server {order} — #{order} ({ip})");
        await form.StartedAtAsync("2026-11-24 13:45");
        await form.AttachAsync("screen.png", "image/png", Screenshot);
        await BrowserApp.ScreenshotAsync(customer, "new-ticket");
        await form.SubmitAsync();

        var ticket = new TicketPage(customer);
        await Expect(ticket.Heading).ToContainTextAsync("Website down");
        await Expect(ticket.Attachments).ToContainTextAsync("screen.png");
        var number = (await ticket.Heading.Locator(".number").TextContentAsync())!.TrimStart('#');
        await customer.Locator("[data-live-connected='true']").WaitForAsync();

        await Expect(queue.Rows).ToHaveCountAsync(waiting + 1);
        await Expect(queue.Rows.First).ToContainTextAsync(number);
        await Expect(queue.Rows.First).ToContainTextAsync("High");
        await BrowserApp.ScreenshotAsync(agent, "desk-queue");

        await queue.OpenTicketAsync(number);
        var deskTicket = new TicketPage(agent);
        await Expect(deskTicket.Attachments).ToContainTextAsync("screen.png");
        await deskTicket.ReplyAsync("We are restarting the web server now.");
        await Expect(deskTicket.Conversation).ToContainTextAsync("We are restarting the web server now.");
        await BrowserApp.ScreenshotAsync(agent, "desk-ticket");

        await Expect(ticket.Conversation).ToContainTextAsync("We are restarting the web server now.");
        await Expect(customer.GetByText("Answered", new() { Exact = true })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(customer, "customer-ticket");
    }

    [Fact]
    public async Task TwoAgentsOnOneTicket_SeeACollisionWarning()
    {
        var (email, order, ip) = Unique.Customer("collision-ui");
        var (api, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var id = (await api.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Both of us", description = "x" }))
            .GetProperty("id").GetString();
        await app.AgentAsync("anna.collision@sportello.example");
        await app.AgentAsync("bruno.collision@sportello.example");
        var anna = await SignedInAsync("anna.collision@sportello.example", "agent passphrase 2026");
        var bruno = await SignedInAsync("bruno.collision@sportello.example", "agent passphrase 2026");
        await anna.GotoAsync($"/desk/tickets/{id}");
        await bruno.GotoAsync($"/desk/tickets/{id}");
        await anna.Locator("[data-live-connected='true']").WaitForAsync();
        await bruno.Locator("[data-live-connected='true']").WaitForAsync();

        await bruno.GetByLabel("Message").PressSequentiallyAsync("Let me check");
        var warning = anna.GetByRole(AriaRole.Status).Filter(new() { HasText = "is replying" });
        await Expect(warning).ToContainTextAsync("Agent bruno.collision is replying to this ticket.");
        await Expect(bruno.GetByRole(AriaRole.Status).Filter(new() { HasText = "is replying" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task HostileSubjectAndBody_DisplayAsText()
    {
        var (email, order, ip) = Unique.Customer("xss");
        var (api, _) = await app.CustomerWithServiceAsync(email, order, ip);
        const string Subject = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";
        const string Body = "<b>bold?</b> <a href=\"javascript:window.__pwned=3\">click</a> <svg onload=\"window.__pwned=4\"></svg>";
        var created = await api.OpenTicketAsync(new { department = "technical", priority = "normal", subject = Subject, description = Body });
        await app.AgentAsync("xss.agent@sportello.example");

        foreach (var (who, password, url) in new[]
        {
            (email, "customer passphrase 2026", $"/tickets/{created.GetProperty("id").GetString()}"),
            ("xss.agent@sportello.example", "agent passphrase 2026", $"/desk/tickets/{created.GetProperty("id").GetString()}"),
        })
        {
            var page = await SignedInAsync(who, password);
            await page.GotoAsync(url);
            var ticket = new TicketPage(page);
            await Expect(ticket.Heading).ToContainTextAsync(Subject);
            await Expect(ticket.Conversation).ToContainTextAsync(Body);
            Assert.Equal(0, await page.Locator("main img[src='x'], main svg[onload], main b").CountAsync());
            Assert.Null(await page.EvaluateAsync<int?>("window.__pwned"));
        }
    }

    [Fact]
    public async Task HostileMail_RendersAsTextOnTheDesk()
    {
        var tag = $"b{Unique.Next()}";
        var corpus = HostileCorpus.All(tag).Where(s => !s.Quarantined).ToList();
        foreach (var sample in corpus)
        {
            var sent = await Swaks.SendRawAsync(app.SmtpPort, "mallory@hostile.example", MailApp.Support, sample.Raw);
            Assert.True(sent.ExitCode == 0, sent.Transcript);
        }
        var admin = await app.AdminAsync();
        var handled = await admin.HandledAsync(corpus.Count);
        await app.AgentAsync($"{tag}.agent@sportello.example");
        var page = await SignedInAsync($"{tag}.agent@sportello.example", "agent passphrase 2026");
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };

        foreach (var sample in corpus)
        {
            var row = handled.First(m => m.GetProperty("subject").GetString()!.StartsWith(sample.Subject, StringComparison.Ordinal));
            await page.GotoAsync($"/desk/tickets/{row.GetProperty("ticketId").GetString()}");
            var ticket = new TicketPage(page);
            await Expect(ticket.Heading).ToContainTextAsync(sample.Subject);
            await Expect(page.GetByRole(AriaRole.Note)).ToContainTextAsync("Unverified sender");
            Assert.Equal(0, await page.Locator("main script, main iframe, main img[src='x'], main a[href^='javascript']").CountAsync());
            Assert.Null(await page.EvaluateAsync<int?>("window.__pwned"));
            if (sample.Name == "encoded-words")
            {
                // The tricks show as the text they are.
                await Expect(ticket.Heading).ToContainTextAsync("onerror=window.__pwned=6");
                await Expect(ticket.Conversation).ToContainTextAsync("<script>window.__pwned=5</script>");
                await BrowserApp.ScreenshotAsync(page, "desk-hostile-mail");
            }
        }
        Assert.Equal(0, dialogs);
    }
}
