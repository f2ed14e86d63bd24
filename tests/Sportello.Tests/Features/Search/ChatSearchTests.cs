using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sportello.Tests.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Search;

/// <summary>An ended chat's transcript is searchable from the Desk like a ticket: same words, same stemming, same boundary.</summary>
[Trait("Category", "Data")]
public sealed class ChatSearchTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static async Task<List<JsonElement>> SearchAsync(HttpClient client, string q) =>
        (await (await client.GetAsync($"/api/v1/desk/search/chats?q={Uri.EscapeDataString(q)}")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();

    [Fact]
    public async Task AnEndedChat_IsFoundByItsTranscript_ByItsDepartmentsAgentsOnly_NotesIncluded()
    {
        var tag = "w" + Guid.NewGuid().ToString("N")[..10] + "7";
        var visitor = app.Anonymous();
        var started = await (await visitor.PostAsJsonAsync("/api/v1/chat/conversations",
            new { name = "Marta", email = "marta@visitor.example", message = $"Le fatture del dominio {tag} non arrivano.", department = "financial" }))
            .JsonAsync(HttpStatusCode.Created);
        var id = started.GetProperty("id").GetString()!;
        var agent = await app.AgentAsync($"chat-search{Unique.Next()}@sportello.test", "financial");
        var other = await app.AgentAsync($"chat-search-tech{Unique.Next()}@sportello.test", "technical");
        Assert.Equal(HttpStatusCode.OK, (await agent.PostAsync($"/api/v1/desk/chats/{id}/accept", null, TestContext.Current.CancellationToken)).StatusCode);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{id}/messages", new { body = "Customer mentioned a refund {tag}x.", @internal = true }, TestContext.Current.CancellationToken))
            .JsonAsync(HttpStatusCode.Created);

        // While it runs, it is in the chat queue, not in the search.
        Assert.Empty(await SearchAsync(agent, tag));
        Assert.Equal(HttpStatusCode.OK, (await agent.PostAsync($"/api/v1/desk/chats/{id}/close", null, TestContext.Current.CancellationToken)).StatusCode);

        var hit = Assert.Single(await SearchAsync(agent, $"fattura {tag}"));
        Assert.Equal(id, hit.GetProperty("chatId").GetString());
        var snippet = hit.GetProperty("snippet").GetString()!;
        Assert.Equal(["fatture", tag], hit.GetProperty("highlights").EnumerateArray()
            .Select(h => snippet.Substring(h.GetProperty("start").GetInt32(), h.GetProperty("length").GetInt32())).ToList());
        Assert.Single(await SearchAsync(agent, "refund"), h => h.GetProperty("chatId").GetString() == id);
        Assert.Single(await SearchAsync(await app.AdminAsync(), tag));
        Assert.Empty(await SearchAsync(other, tag));
        await (await agent.GetAsync("/api/v1/desk/search/chats?q=")).AssertNamesFieldAsync("q");
        // The Desk's search page, searching chats.
        var web = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        var html = await web.GetPageAsync($"/desk/search?in=chats&q=fatture+{tag}");
        Assert.Contains($"href=\"/desk/chats/{id}\"", html, StringComparison.Ordinal);
        Assert.Contains("<mark>fatture</mark>", html, StringComparison.Ordinal);
        // Tickets' search is not chats' search.
        Assert.Empty((await (await agent.GetAsync($"/api/v1/desk/search?q={tag}")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
    }
}
