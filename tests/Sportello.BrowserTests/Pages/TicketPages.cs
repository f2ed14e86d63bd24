using Microsoft.Playwright;

namespace Sportello.BrowserTests.Pages;

/// <summary>Client Area → Tickets → Add ticket.</summary>
public sealed class NewTicketPage(IPage page)
{
    public Task OpenAsync() => page.GotoAsync("/tickets/new");

    public async Task FillAsync(string department, string priority, string subject, string description)
    {
        await page.GetByRole(AriaRole.Radio, new() { Name = department }).CheckAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = priority }).CheckAsync();
        await page.GetByLabel("Subject").FillAsync(subject);
        await page.GetByLabel("Detailed description of the problem").FillAsync(description);
    }

    public Task ChooseServiceAsync(string optionStartingWith) =>
        page.GetByLabel("Service as shown in the Client Area").SelectOptionAsync(new SelectOptionValue { Label = optionStartingWith });

    public Task StartedAtAsync(string local) => page.GetByLabel("When the problem started").FillAsync(local);

    public Task AttachAsync(string name, string type, byte[] bytes) =>
        page.GetByLabel("Attach diagnostics or screenshots (optional)").SetInputFilesAsync(new FilePayload { Name = name, MimeType = type, Buffer = bytes });

    public Task SubmitAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Submit ticket" }).ClickAsync();
}

/// <summary>One ticket, as the customer or the agent sees it.</summary>
public sealed class TicketPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Conversation => page.GetByRole(AriaRole.List, new() { Name = "Conversation" });
    public ILocator Attachments => page.GetByRole(AriaRole.List, new() { Name = "Attachments" });

    public async Task ReplyAsync(string text, bool internalNote = false)
    {
        await page.GetByLabel(new System.Text.RegularExpressions.Regex("^(Message|Your message)$")).FillAsync(text);
        if (internalNote)
        {
            await page.GetByLabel("Internal note (only agents see it)").CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
    }
}

/// <summary>The Desk's queue.</summary>
public sealed class DeskQueuePage(IPage page)
{
    public Task OpenAsync() => page.GotoAsync("/desk");
    public ILocator Rows => page.GetByRole(AriaRole.Table, new() { Name = "Tickets waiting on support" }).Locator("tbody tr");
    public Task OpenTicketAsync(string number) => page.GetByRole(AriaRole.Link, new() { Name = number, Exact = true }).ClickAsync();

    /// <summary>True once the page's live connection is up, so later changes will arrive.</summary>
    public Task WaitForLiveAsync() => page.Locator("[data-live-connected='true']").WaitForAsync();
}
