using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sportello.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Chat;

/// <summary>One Sportello node of two: the same database, and SignalR's Redis backplane between them.</summary>
public sealed class ChatNode(TestDatabase shared) : SportelloApp
{
    public static string Redis => Environment.GetEnvironmentVariable("SPORTELLO_TEST_REDIS")
        ?? throw new InvalidOperationException("SPORTELLO_TEST_REDIS (host:port of a test Redis) is not set: run the tests with scripts/test, or start one with scripts/lib/redis.sh.");

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Redis"] = Redis,
        ["Sportello:RateLimits:ChatStart:PermitLimit"] = "10000",
        ["Sportello:RateLimits:ChatMessages:PermitLimit"] = "10000",
    };

    public override ValueTask InitializeAsync()
    {
        ShareDatabase(shared);
        // Start it now: the second node must find the first one's schema and admin.
        _ = Server;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Two nodes on one database (which the cluster owns) and one Redis: node A starts first and migrates it.</summary>
public sealed class ChatCluster : IAsyncLifetime
{
    public ChatNode A { get; private set; } = null!;
    public ChatNode B { get; private set; } = null!;
    private TestDatabase database = null!;
    private bool aStopped;

    public async ValueTask InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        A = new ChatNode(database);
        await A.InitializeAsync();
        B = new ChatNode(database);
        await B.InitializeAsync();
    }

    /// <summary>Node A goes away mid-chat (a deploy, a crash): its connections drop.</summary>
    public async Task StopAAsync()
    {
        aStopped = true;
        await A.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        if (!aStopped)
        {
            await A.DisposeAsync();
        }
        await database.DisposeAsync();
    }
}

[Trait("Category", "Data")]
public sealed class ChatClusterTests(ChatCluster cluster) : IClassFixture<ChatCluster>
{
    [Fact]
    public async Task AVisitorOnNodeA_AndAnAgentOnNodeB_ChatLive_AndWhenNodeAStops_TheVisitorGoesOnOnB_LosingAndRepeatingNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var started = await (await cluster.A.Anonymous().PostAsJsonAsync("/api/v1/chat/conversations", new { message = "Hello from node A.", name = "Ada" }, ct))
            .JsonAsync(HttpStatusCode.Created);
        var id = Guid.Parse(started.GetProperty("id").GetString()!);
        var token = started.GetProperty("visitorToken").GetString()!;
        var agent = await cluster.B.AgentAsync($"cluster{Unique.Next()}@sportello.test", "technical");

        var seen = new List<long>();
        void Heard(ChatMessageView m)
        {
            lock (seen)
            {
                seen.Add(m.Seq);
            }
        }
        var widgetA = await Hubs.ConnectAsync(cluster.A, "hubs/chat", null, c => c.On<ChatMessageView>("chatMessage", Heard));
        (await widgetA.InvokeAsync<List<ChatMessageView>>("Join", id, token, 0L, ct)).ForEach(Heard);

        // The agent answers on node B; the visitor's connection is on node A: only the backplane can carry it.
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{id}/messages", new { body = "Hello from node B." }, ct)).JsonAsync(HttpStatusCode.Created);
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen).Contains(3)), "node B's answer at the visitor on node A");
        var reply = await widgetA.InvokeAsync<ChatMessageView>("Send", id, token, "Thanks, B.", ct);
        Assert.Equal(4, reply.Seq);
        // The widget's own message comes back as a push too (every tab of the visitor shows it).
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen).Contains(4)), "the visitor's message pushed back");
        var desk = await (await agent.GetAsync($"/api/v1/desk/chats/{id}/messages?after=3", ct)).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Thanks, B.", desk[0].GetProperty("body").GetString());

        // Node A stops mid-chat; the agent goes on writing on B meanwhile.
        await cluster.StopAAsync();
        await widgetA.DisposeAsync();
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{id}/messages", new { body = "Are you still there?" }, ct);
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{id}/messages", new { body = "A note.", @internal = true }, ct);

        // The widget reconnects (to B now) asking for what follows the last number it saw.
        await using var widgetB = await Hubs.ConnectAsync(cluster.B, "hubs/chat", null, c => c.On<ChatMessageView>("chatMessage", Heard));
        var last = Snapshot(seen).Max();
        (await widgetB.InvokeAsync<List<ChatMessageView>>("Join", id, token, last, ct)).ForEach(Heard);
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{id}/messages", new { body = "Good, you are back." }, ct);
        await Eventually.TrueAsync(() => Task.FromResult(Snapshot(seen).Contains(7)), "the answer after the move");

        // Every public message exactly once, in order; the internal note (6) never.
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 7L], Snapshot(seen).Distinct().Order());
        Assert.Equal(Snapshot(seen).Count, Snapshot(seen).Distinct().Count());
    }

    private static List<long> Snapshot(List<long> seen)
    {
        lock (seen)
        {
            return [.. seen];
        }
    }
}
