using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.CannedAnswers;

/// <summary>Admins manage canned answers; agents get the ones of their departments that match what they type, in the chat's language.</summary>
[Trait("Category", "Data")]
public sealed class CannedAnswersTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Admin = "/api/v1/admin/canned-answers";

    [Fact]
    public async Task AnAdminAddsChangesAndRemovesAnswers_AndBadInputNamesTheField()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync(Admin, new { bodyEn = "x" })).AssertNamesFieldAsync("title");
        await (await admin.PostAsJsonAsync(Admin, new { title = "Empty" })).AssertNamesFieldAsync("bodyEn");
        await (await admin.PostAsJsonAsync(Admin, new { title = "T", bodyEn = "x", department = "sales" })).AssertNamesFieldAsync("department");
        await (await admin.PostAsJsonAsync(Admin, new { title = "T", bodyIt = new string('x', 4001) })).AssertNamesFieldAsync("bodyIt");
        await (await admin.PostAsJsonAsync(Admin, new { title = "T", bodyEn = "x", keywords = Enumerable.Range(0, 21).Select(i => $"k{i}") }))
            .AssertNamesFieldAsync("keywords");
        await (await admin.PostAsJsonAsync(Admin, new { title = "T", bodyEn = "x", role = "admin" })).AssertNamesFieldAsync("role");

        var created = await (await admin.PostAsJsonAsync(Admin, new { title = "Refunds", bodyEn = "Refunds take 5 days.", keywords = new[] { "/Refund", "money back" } }))
            .JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        Assert.Equal(["refund", "money", "back"], created.GetProperty("keywords").EnumerateArray().Select(k => k.GetString()!));
        var changed = await (await admin.PutAsJsonAsync($"{Admin}/{id}", new { title = "Refunds", bodyEn = "Refunds take 5 days.", bodyIt = "I rimborsi richiedono 5 giorni.", keywords = new[] { "refund" }, department = "financial" }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal("financial", changed.GetProperty("department").GetString());
        var listed = await (await admin.GetAsync(Admin)).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(listed.EnumerateArray(), a => a.GetProperty("id").GetString() == id);

        var agent = await app.AgentAsync($"canned-agent{Unique.Next()}@sportello.test", "financial");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsJsonAsync(Admin, new { title = "Mine", bodyEn = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{Admin}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"{Admin}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"{Admin}/{id}", new { title = "Gone", bodyEn = "x" })).StatusCode);
    }

    [Fact]
    public async Task AgentsGetMatchingAnswers_OfTheirDepartments_InTheLanguageAsked()
    {
        var admin = await app.AdminAsync();
        var tag = $"zq{Unique.Next()}";
        await (await admin.PostAsJsonAsync(Admin, new { title = $"Backups {tag}", bodyEn = "Backups run nightly.", bodyIt = "I backup sono notturni.", keywords = new[] { tag, "backup" }, department = "technical" }))
            .JsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync(Admin, new { title = $"Invoices {tag}", bodyEn = "Invoices are in the Client Area.", keywords = new[] { tag, "invoice" }, department = "financial" }))
            .JsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync(Admin, new { title = $"Hello {tag}", bodyIt = "Ciao!", keywords = new[] { tag + "hello" } }))
            .JsonAsync(HttpStatusCode.Created);
        var technical = await app.AgentAsync($"canned-tech{Unique.Next()}@sportello.test", "technical");

        async Task<string[]> TitlesAsync(HttpClient client, string q, string language = "en") =>
            [.. (await (await client.GetAsync($"/api/v1/desk/canned-answers?q={Uri.EscapeDataString(q)}&language={language}")).JsonAsync(HttpStatusCode.OK))
                .EnumerateArray().Select(a => a.GetProperty("title").GetString()!)];

        // The exact keyword first, then the one it begins; another department's never.
        Assert.Equal([$"Backups {tag}", $"Hello {tag}"], await TitlesAsync(technical, tag));
        Assert.Empty(await TitlesAsync(technical, "invoice"));
        Assert.Empty(await TitlesAsync(technical, ""));
        var italian = await (await technical.GetAsync($"/api/v1/desk/canned-answers?q=/{tag}&language=it")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("I backup sono notturni.", italian[0].GetProperty("body").GetString());
        // Only one language written: that one, whatever is asked.
        var hello = await (await technical.GetAsync($"/api/v1/desk/canned-answers?q={tag}hello&language=en")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Ciao!", hello[0].GetProperty("body").GetString());
        // Admins see every department's.
        Assert.Contains($"Invoices {tag}", await TitlesAsync(admin, tag));
        var (customerEmail, _, _) = Unique.Customer("canned");
        await admin.CreateCustomerAsync(customerEmail);
        var customer = await app.SignInAsync(customerEmail, "customer passphrase 2026");
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync($"/api/v1/desk/canned-answers?q={tag}")).StatusCode);
    }

    [Fact]
    public async Task TheConsole_SuggestsAnswersForAChat_ThroughItsPage()
    {
        var admin = await app.AdminAsync();
        var tag = $"zp{Unique.Next()}";
        await (await admin.PostAsJsonAsync(Admin, new { title = $"Milan {tag}", bodyEn = "Milan: MIL1 and MIL2.", bodyIt = "Milano: MIL1 e MIL2.", keywords = new[] { tag } }))
            .JsonAsync(HttpStatusCode.Created);
        var email = $"canned-web{Unique.Next()}@sportello.test";
        await app.AgentAsync(email, "technical");
        var started = await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Dove sono i server?", language = "it" }))
            .JsonAsync(HttpStatusCode.Created);
        var chat = started.GetProperty("id").GetString();
        var web = await app.SignInWebAsync(email, "agent passphrase 2026");
        var page = await web.GetPageAsync($"/desk/chats/{chat}");
        Assert.Contains("data-language=\"it\"", page, StringComparison.Ordinal);
        var suggested = await (await web.GetAsync($"/desk/chats/{chat}?handler=Suggestions&q=/{tag}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Milano: MIL1 e MIL2.", suggested[0].GetProperty("body").GetString());
        // Another department's chat, or none: 404, as for the page itself.
        var financialEmail = $"canned-fin{Unique.Next()}@sportello.test";
        await app.AgentAsync(financialEmail, "financial");
        var financial = await app.SignInWebAsync(financialEmail, "agent passphrase 2026");
        Assert.Equal(HttpStatusCode.NotFound, (await financial.GetAsync($"/desk/chats/{chat}?handler=Suggestions&q=/{tag}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/desk/chats/{Guid.NewGuid()}?handler=Suggestions&q=/{tag}")).StatusCode);
        await (await app.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Hi", language = "de" })).AssertNamesFieldAsync("language");
    }
}
