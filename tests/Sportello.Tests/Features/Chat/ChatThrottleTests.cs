using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Sportello.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Chat;

public sealed class ChatLimitApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:RateLimits:ChatStart:PermitLimit"] = "2",
        ["Sportello:RateLimits:ChatMessages:PermitLimit"] = "3",
    };
}

/// <summary>The limits on starting chats (per IP) and on messages (per conversation), the same over REST, the hub and uploads.</summary>
[Trait("Category", "Data")]
public sealed class ChatThrottleTests(ChatLimitApp app) : IClassFixture<ChatLimitApp>
{
    [Fact]
    public async Task StartsPerAddress_AndMessagesPerConversation_AreLimited_OnEveryRoute()
    {
        var client = app.Anonymous();
        var started = await (await client.PostAsJsonAsync("/api/v1/chat/conversations", new { message = "First." })).JsonAsync(HttpStatusCode.Created);
        var second = await (await client.PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Second." })).JsonAsync(HttpStatusCode.Created);
        var third = await client.PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Third." });
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter is not null, "429 says when to try again");

        // Three messages a minute per conversation, counted together over REST, the hub and uploads.
        var id = started.GetProperty("id").GetString()!;
        var token = started.GetProperty("visitorToken").GetString()!;
        HttpRequestMessage Send(string body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/chat/conversations/{id}/messages") { Content = JsonContent.Create(new { body }) };
            request.Headers.Add("X-Chat-Token", token);
            return request;
        }
        await (await client.SendAsync(Send("one"))).JsonAsync(HttpStatusCode.Created);
        await using var widget = await Hubs.ConnectAsync(app, "hubs/chat", null, _ => { });
        await widget.InvokeAsync<ChatMessageView>("Send", Guid.Parse(id), token, "two", TestContext.Current.CancellationToken);
        var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/chat/conversations/{id}/attachments")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent("three"u8.ToArray()), "files", "three.txt" } },
        };
        upload.Headers.Add("X-Chat-Token", token);
        await (await client.SendAsync(upload)).JsonAsync(HttpStatusCode.Created);
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            widget.InvokeAsync<ChatMessageView>("Send", Guid.Parse(id), token, "four", TestContext.Current.CancellationToken));
        Assert.Contains("Too many messages", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendAsync(Send("five"))).StatusCode);
        // Nothing refused was stored: the first message and the three allowed ones.
        var read = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/chat/conversations/{id}/messages");
        read.Headers.Add("X-Chat-Token", token);
        Assert.Equal(4, (await (await client.SendAsync(read)).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
        // Another conversation has its own allowance.
        await widget.InvokeAsync<ChatMessageView>("Send", Guid.Parse(second.GetProperty("id").GetString()!), second.GetProperty("visitorToken").GetString()!, "mine",
            TestContext.Current.CancellationToken);
    }
}
