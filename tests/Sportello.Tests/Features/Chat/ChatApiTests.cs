using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Chat;

public sealed class ChatApp : SportelloApp
{
    public const string SiteOrigin = "https://www.provider.example";
    public const string SiteSecret = "the provider's chat secret, long and random 2026";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Chat:AllowedOrigins:0"] = SiteOrigin,
        ["Sportello:Chat:Sites:0:Origin"] = SiteOrigin,
        ["Sportello:Chat:Sites:0:Secret"] = SiteSecret,
        ["Sportello:RateLimits:ChatStart:PermitLimit"] = "10000",
        ["Sportello:RateLimits:ChatMessages:PermitLimit"] = "10000",
    };
}

/// <summary>Chat over REST and the hub, as a visitor's widget and an agent's console use it.</summary>
[Trait("Category", "Data")]
public sealed class ChatApiTests(ChatApp app) : IClassFixture<ChatApp>
{
    private const string Conversations = "/api/v1/chat/conversations";

    private sealed record Visitor(HttpClient Client, string Id, string Token)
    {
        public HttpRequestMessage Request(HttpMethod method, string path, object? body = null)
        {
            var request = new HttpRequestMessage(method, $"{Conversations}/{Id}{path}");
            request.Headers.Add("X-Chat-Token", Token);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }
            return request;
        }

        public async Task<JsonElement[]> MessagesAsync(long after = 0) =>
            (await (await Client.SendAsync(Request(HttpMethod.Get, $"/messages?after={after}"))).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();

        public async Task<HttpResponseMessage> SendAsync(string body) => await Client.SendAsync(Request(HttpMethod.Post, "/messages", new { body }));
    }

    private async Task<(Visitor Visitor, JsonElement Started)> StartAsync(object body)
    {
        var client = app.Anonymous();
        var started = await (await client.PostAsJsonAsync(Conversations, body)).JsonAsync(HttpStatusCode.Created);
        return (new Visitor(client, started.GetProperty("id").GetString()!, started.GetProperty("visitorToken").GetString()!), started);
    }

    private Task<(Visitor Visitor, JsonElement Started)> StartAsync(string message = "Is the data centre in Milan?", string department = "technical") =>
        StartAsync(new { name = "Luca", email = "luca@visitor.example", message, department });

    [Fact]
    public async Task VisitorChats_AgentAcceptsAndAnswers_BothReadOneTranscriptInOrder_AndNotesStayWithAgents()
    {
        var (visitor, started) = await StartAsync();
        Assert.False(started.GetProperty("verified").GetBoolean());
        Assert.True(started.GetProperty("queuePosition").GetInt32() >= 1);
        var agent = await app.AgentAsync($"chat-agent{Unique.Next()}@sportello.test", "technical");

        var waiting = await (await agent.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK);
        var listed = waiting.EnumerateArray().Single(c => c.GetProperty("id").GetString() == visitor.Id);
        Assert.Equal("waiting", listed.GetProperty("status").GetString());
        Assert.Equal("Luca", listed.GetProperty("visitorName").GetString());

        Assert.Equal(HttpStatusCode.OK, (await agent.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null)).StatusCode);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Yes: Milan MIL1 and MIL2." })).JsonAsync(HttpStatusCode.Created);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Sounds like a sales lead.", @internal = true })).JsonAsync(HttpStatusCode.Created);
        await (await visitor.SendAsync("Thanks!")).JsonAsync(HttpStatusCode.Created);

        var seen = await visitor.MessagesAsync();
        Assert.Equal(["visitor", "system", "agent", "visitor"], seen.Select(m => m.GetProperty("author").GetProperty("kind").GetString()!));
        Assert.Equal("Is the data centre in Milan?", seen[0].GetProperty("body").GetString());
        Assert.DoesNotContain(seen, m => m.GetProperty("body").GetString()!.Contains("sales lead", StringComparison.Ordinal));
        // Sequence numbers are the order; the internal note holds one the visitor never sees.
        Assert.Equal([1L, 2L, 3L, 5L], seen.Select(m => m.GetProperty("seq").GetInt64()));
        var desk = await (await agent.GetAsync($"/api/v1/desk/chats/{visitor.Id}/messages")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(5, desk.GetArrayLength());
        Assert.True(desk[3].GetProperty("internal").GetBoolean());

        // Asking for what follows a number gets exactly the rest.
        Assert.Equal([5L], (await visitor.MessagesAsync(after: 3)).Select(m => m.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task AVisitorToken_ReachesOnlyItsOwnConversation()
    {
        var (mine, _) = await StartAsync("Mine.");
        var (theirs, _) = await StartAsync("Theirs.");
        var stolen = mine with { Id = theirs.Id };
        Assert.Equal(HttpStatusCode.NotFound, (await stolen.Client.SendAsync(stolen.Request(HttpMethod.Get, "/messages"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stolen.SendAsync("Let me in.")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stolen.Client.SendAsync(stolen.Request(HttpMethod.Post, "/close", new { rating = 1 }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stolen.Client.SendAsync(stolen.Request(HttpMethod.Get, ""))).StatusCode);
        // No token at all, or a made-up one, is the same.
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync($"{Conversations}/{theirs.Id}/messages")).StatusCode);
        var forged = theirs with { Token = "chv_" + new string('A', 43) };
        Assert.Equal(HttpStatusCode.NotFound, (await forged.SendAsync("Hello")).StatusCode);
        Assert.Single(await theirs.MessagesAsync());
    }

    [Fact]
    public async Task BadInput_Answers400NamingTheField_AndStartsNothing()
    {
        var client = app.Anonymous();
        await (await client.PostAsJsonAsync(Conversations, new { message = "" })).AssertNamesFieldAsync("message");
        await (await client.PostAsJsonAsync(Conversations, new { message = new string('x', 4001) })).AssertNamesFieldAsync("message");
        await (await client.PostAsJsonAsync(Conversations, new { message = "Hi", department = "sales" })).AssertNamesFieldAsync("department");
        await (await client.PostAsJsonAsync(Conversations, new { message = "Hi", email = "not an address" })).AssertNamesFieldAsync("email");
        var (visitor, _) = await StartAsync();
        await (await visitor.SendAsync(new string('y', 4001))).AssertNamesFieldAsync("body");
        await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/close", new { rating = 6 }))).AssertNamesFieldAsync("rating");
        await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Get, "/messages?after=-1"))).AssertNamesFieldAsync("after");
        Assert.Single(await visitor.MessagesAsync());
    }

    [Fact]
    public async Task ACustomerTokenSignedByTheSite_Verifies_AForgedOrExpiredOne_StartsNothing()
    {
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer("chatter");
        var customerId = Guid.Parse((await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var valid = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret);

        var (visitor, started) = await StartAsync(new { message = "My VPS is slow.", customerToken = valid, name = "Someone Else" });
        Assert.True(started.GetProperty("verified").GetBoolean());
        var agent = await app.AgentAsync($"chat-verify{Unique.Next()}@sportello.test", "technical");
        var listed = (await (await agent.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == visitor.Id);
        // The account's name, not the name typed in the widget.
        Assert.Equal(customerId.ToString(), listed.GetProperty("customer").GetProperty("id").GetString());
        Assert.NotEqual("Someone Else", listed.GetProperty("visitorName").GetString());

        var before = (await (await agent.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK)).GetArrayLength();
        var client = app.Anonymous();
        var forged = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), "a guessed secret");
        var expired = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddSeconds(-1), ChatApp.SiteSecret);
        var tampered = valid.Split('.') is [var payload, var signature]
            ? Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { customerId = Guid.NewGuid(), exp = 4102444800 })).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "." + signature
            : throw new InvalidOperationException();
        foreach (var token in new[] { forged, expired, tampered, "garbage", valid + "x", CustomerTokens.Sign(Guid.NewGuid(), app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret) })
        {
            await (await client.PostAsJsonAsync(Conversations, new { message = "Let me in.", customerToken = token })).AssertNamesFieldAsync("customerToken");
        }
        Assert.Equal(before, (await (await agent.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task AnotherDepartmentsAgent_SeesNoChat_AndEveryRouteAnswersLikeAMissingOne()
    {
        var (visitor, _) = await StartAsync(department: "financial");
        var financial = await app.AgentAsync($"chat-fin{Unique.Next()}@sportello.test", "financial");
        var technical = await app.AgentAsync($"chat-tech{Unique.Next()}@sportello.test", "technical");
        var list = await (await technical.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(list.EnumerateArray(), c => c.GetProperty("id").GetString() == visitor.Id);
        foreach (var (method, path, body) in new (string, string, object?)[]
        {
            ("GET", "messages", null), ("POST", "accept", null), ("POST", "messages", new { body = "Hi" }),
            ("POST", "transfer", new { department = "technical" }), ("POST", "close", null),
        })
        {
            var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/desk/chats/{visitor.Id}/{path}") { Content = body is null ? null : JsonContent.Create(body) };
            Assert.True((await technical.SendAsync(request)).StatusCode == HttpStatusCode.NotFound, $"{method} {path}");
        }
        // The chat's own department takes it; transferred to technical it leaves financial's list and joins technical's.
        Assert.Equal(HttpStatusCode.OK, (await financial.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await financial.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/transfer", new { department = "technical", note = "Needs an engineer." })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await financial.GetAsync($"/api/v1/desk/chats/{visitor.Id}/messages")).StatusCode);
        var moved = (await (await technical.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == visitor.Id);
        Assert.Equal("waiting", moved.GetProperty("status").GetString());
        Assert.DoesNotContain(await visitor.MessagesAsync(), m => m.GetProperty("body").GetString()!.Contains("engineer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoAgentsAccepting_OneGetsTheChat_TheOther409_AndAClosedChatTakesNoMessages()
    {
        var (visitor, _) = await StartAsync();
        var first = await app.AgentAsync($"chat-a{Unique.Next()}@sportello.test", "technical");
        var second = await app.AgentAsync($"chat-b{Unique.Next()}@sportello.test", "technical");
        var answers = await Task.WhenAll(first.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null), second.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        Assert.Single(await visitor.MessagesAsync(), m => m.GetProperty("author").GetProperty("kind").GetString() == "system");

        Assert.Equal(HttpStatusCode.OK, (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/close", new { rating = 5, comment = "Quick." }))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await visitor.SendAsync("One more thing")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await first.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Still there?" })).StatusCode);
        var state = await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Get, ""))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("closed", state.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ConcurrentMessages_GetEveryNumberOnce_InTheOrderStored()
    {
        var (visitor, _) = await StartAsync();
        var agent = await app.AgentAsync($"chat-race{Unique.Next()}@sportello.test", "technical");
        await agent.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null);
        var sends = Enumerable.Range(0, 12).Select(i => i % 2 == 0
            ? visitor.SendAsync($"visitor {i}")
            : agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = $"agent {i}" }));
        Assert.All(await Task.WhenAll(sends), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var seqs = (await visitor.MessagesAsync()).Select(m => m.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 14).Select(i => (long)i), seqs);
    }


    [Fact]
    public async Task MessagesRacingTheClose_AreStoredBeforeIt_OrRefused409_NeverAfterIt()
    {
        var (visitor, _) = await StartAsync();
        var agent = await app.AgentAsync($"chat-close-race{Unique.Next()}@sportello.test", "technical");
        await agent.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null);
        var sends = Enumerable.Range(0, 16).Select(i => visitor.SendAsync($"racing {i}")).ToList();
        var close = agent.PostAsync($"/api/v1/desk/chats/{visitor.Id}/close", null);
        var answers = await Task.WhenAll(sends);
        Assert.Equal(HttpStatusCode.OK, (await close).StatusCode);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));

        var transcript = await visitor.MessagesAsync();
        Assert.Equal(Enumerable.Range(1, transcript.Length).Select(i => (long)i), transcript.Select(m => m.GetProperty("seq").GetInt64()));
        var stored = transcript.Where(m => m.GetProperty("body").GetString()!.StartsWith("racing ", StringComparison.Ordinal)).ToList();
        Assert.Equal(answers.Count(a => a.StatusCode == HttpStatusCode.Created), stored.Count);
        // The chat's last word is its closing: nothing the visitor sent lands after it.
        Assert.Equal("system", transcript[^1].GetProperty("author").GetProperty("kind").GetString());
    }
    [Fact]
    public async Task AVisitorWhoReconnects_GetsExactlyWhatTheyMissed_OverTheHub()
    {
        var (visitor, _) = await StartAsync();
        var agent = await app.AgentAsync($"chat-hub{Unique.Next()}@sportello.test", "technical");
        var heard = new List<long>();
        await using (var widget = await Hubs.ConnectAsync(app, "hubs/chat", null, c =>
            c.On<ChatMessageView>("chatMessage", m => { lock (heard) { heard.Add(m.Seq); } })))
        {
            var history = await widget.InvokeAsync<List<ChatMessageView>>("Join", Guid.Parse(visitor.Id), visitor.Token, 0L, TestContext.Current.CancellationToken);
            Assert.Equal([1L], history.Select(m => m.Seq));
            await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Hello from the Desk." });
            await Eventually.TrueAsync(() => Task.FromResult(heard.Contains(3)), "the answer pushed to the widget");
            var mine = await widget.InvokeAsync<ChatMessageView>("Send", Guid.Parse(visitor.Id), visitor.Token, "Over the hub.", TestContext.Current.CancellationToken);
            Assert.Equal(4, mine.Seq);
        }
        // Offline for a while: two answers and a note arrive meanwhile.
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Are you there?" });
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "internal", @internal = true });
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "I will wait." });
        await using var again = await Hubs.ConnectAsync(app, "hubs/chat", null, _ => { });
        var missed = await again.InvokeAsync<List<ChatMessageView>>("Join", Guid.Parse(visitor.Id), visitor.Token, 4L, TestContext.Current.CancellationToken);
        Assert.Equal(["Are you there?", "I will wait."], missed.Select(m => m.Body));
        Assert.Equal([5L, 7L], missed.Select(m => m.Seq));

        // Another conversation's token, or an anonymous caller of a staff method, gets nothing.
        var (other, _) = await StartAsync("Other.");
        await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync<List<ChatMessageView>>("Join", Guid.Parse(other.Id), visitor.Token, 0L, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync<List<ChatMessageView>>("Watch", Guid.Parse(other.Id), 0L, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<HubException>(() => again.InvokeAsync("WatchQueue", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnAgentTurnsAChatIntoATicket_HoldingTheTranscript_AndTheVisitorSeesItsNumber()
    {
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer("escalating");
        var customerId = Guid.Parse((await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var token = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret);
        var (visitor, _) = await StartAsync(new { message = "My mailbox rejects every mail since this morning.", customerToken = token });
        var agent = await app.AgentAsync($"chat-esc{Unique.Next()}@sportello.test", "technical");
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Let me look at the logs." });
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Do not tell the customer about the outage yet.", @internal = true });

        // High needs the incident details against the customer's own services, as on the ticket form.
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "high" }))
            .AssertNamesFieldAsync("serviceId");
        var escalated = await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "normal" }))
            .JsonAsync(HttpStatusCode.Created);
        var number = escalated.GetProperty("number").GetString()!;

        var ticket = (await customer.TicketsAsync()).Single(t => t.GetProperty("number").GetString() == number);
        Assert.Equal("chat", ticket.GetProperty("channel").GetString());
        var detail = await agent.DeskTicketAsync(escalated.GetProperty("ticketId").GetString()!);
        var body = detail.GetProperty("messages")[0].GetProperty("body").GetString()!;
        Assert.Contains("My mailbox rejects every mail since this morning.", body, StringComparison.Ordinal);
        Assert.Contains("Let me look at the logs.", body, StringComparison.Ordinal);
        Assert.DoesNotContain("outage", body, StringComparison.Ordinal);
        // The visitor reads the number in the chat and in its state; a second escalation is refused.
        Assert.Contains(await visitor.MessagesAsync(), m => m.GetProperty("body").GetString()!.Contains(number, StringComparison.Ordinal));
        var state = await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Get, ""))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(number, state.GetProperty("ticketNumber").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "normal" })).StatusCode);
    }

    [Fact]
    public async Task AnAnonymousChat_BecomesAnUnverifiedTicketForTheVisitorsEmail_NeverHigh_NeverWithoutAnEmail()
    {
        var agent = await app.AgentAsync($"chat-anon{Unique.Next()}@sportello.test", "technical");
        var (silent, _) = await StartAsync(new { message = "Do you sell domains?" });
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{silent.Id}/escalate", new { department = "technical", priority = "normal" }))
            .AssertNamesFieldAsync("email");

        var (visitor, _) = await StartAsync();
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "high" }))
            .AssertNamesFieldAsync("priority");
        var escalated = await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "normal" }))
            .JsonAsync(HttpStatusCode.Created);
        var detail = await agent.DeskTicketAsync(escalated.GetProperty("ticketId").GetString()!);
        Assert.Equal("chat", detail.GetProperty("channel").GetString());
        Assert.Equal("unverified", detail.GetProperty("messages")[0].GetProperty("trust").GetString());
        Assert.Contains("Is the data centre in Milan?", detail.GetProperty("messages")[0].GetProperty("body").GetString()!, StringComparison.Ordinal);
        // Answered like a stranger's mail: the acknowledgement goes to the address the visitor gave.
        var outbox = await (await (await app.AdminAsync()).GetAsync("/api/v1/admin/mail/outbox?take=500")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(outbox.EnumerateArray(), m => m.GetProperty("to").GetString() == "luca@visitor.example"
            && m.GetProperty("subject").GetString()!.Contains(escalated.GetProperty("number").GetString()!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoAgentsEscalatingAtOnce_OpenOneTicket_AndAHalfWrittenEscalationIsFinishedNotRepeated()
    {
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer("racing");
        var customerId = Guid.Parse((await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var token = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret);
        var first = await app.AgentAsync($"chat-race-a{Unique.Next()}@sportello.test", "technical");
        var second = await app.AgentAsync($"chat-race-b{Unique.Next()}@sportello.test", "technical");
        foreach (var body in new object[] { new { message = "Verified race.", customerToken = token }, new { message = "Anonymous race.", email = "race@visitor.example" } })
        {
            var (visitor, _) = await StartAsync(body);
            var answers = await Task.WhenAll(new[] { first, second }.Select(agent =>
                agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "normal" })));
            Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        }
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        Assert.Single(await customer.TicketsAsync());

        // The ticket was stored but the chat's side of the link was lost (a node stopped in between): escalating again finishes it.
        var (half, _) = await StartAsync(new { message = "Half-written.", customerToken = token });
        var opened = await (await first.PostAsJsonAsync($"/api/v1/desk/chats/{half.Id}/escalate", new { department = "technical", priority = "normal" }))
            .JsonAsync(HttpStatusCode.Created);
        using (var scope = app.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await db.Conversations.Where(c => c.Id == Guid.Parse(half.Id)).ExecuteUpdateAsync(c => c.SetProperty(x => x.TicketId, (Guid?)null), TestContext.Current.CancellationToken);
        }
        var again = await (await second.PostAsJsonAsync($"/api/v1/desk/chats/{half.Id}/escalate", new { department = "technical", priority = "normal" }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(opened.GetProperty("number").GetString(), again.GetProperty("number").GetString());
        Assert.Equal(2, (await customer.TicketsAsync()).Length);
    }

    [Fact]
    public async Task OnlyWaitingVisitors_HearTheQueueMove()
    {
        var agent = await app.AgentAsync($"chat-queue{Unique.Next()}@sportello.test", "technical");
        var (chatting, _) = await StartAsync("Already helped.");
        await agent.PostAsync($"/api/v1/desk/chats/{chatting.Id}/accept", null);
        var (waiting, _) = await StartAsync("Still waiting.");
        var heard = new Dictionary<string, int> { ["chatting"] = 0, ["waiting"] = 0 };
        async Task<HubConnection> JoinAsync(string who, (string Id, string Token) chat)
        {
            var connection = await Hubs.ConnectAsync(app, "hubs/chat", null, c => c.On<string>("queueChanged", _ => { lock (heard) { heard[who]++; } }));
            await connection.InvokeAsync<List<ChatMessageView>>("Join", Guid.Parse(chat.Id), chat.Token, 0L, TestContext.Current.CancellationToken);
            return connection;
        }
        await using var active = await JoinAsync("chatting", (chatting.Id, chatting.Token));
        await using var queued = await JoinAsync("waiting", (waiting.Id, waiting.Token));

        await StartAsync("A newcomer.");
        await Eventually.TrueAsync(() => Task.FromResult(heard["waiting"] > 0), "the waiting visitor hears the queue move");
        // The push to the waiting one went out; one to the chatting visitor would have arrived with it.
        await active.InvokeAsync<ChatStateView>("State", Guid.Parse(chatting.Id), chatting.Token, TestContext.Current.CancellationToken);
        Assert.Equal(0, heard["chatting"]);
    }

    [Fact]
    public async Task Availability_FollowsTheAgentsSetting_AndLapsesWhenTheirConsoleStopsCallingIn()
    {
        // Financial is nobody's department in this class but this test's agent's.
        var agent = await app.AgentAsync($"chat-avail{Unique.Next()}@sportello.test", "financial");
        async Task<bool> OnlineAsync() =>
            (await (await app.Anonymous().GetAsync("/api/v1/chat/availability?department=financial")).JsonAsync(HttpStatusCode.OK)).GetProperty("online").GetBoolean();
        Assert.False(await OnlineAsync());
        await (await agent.PutAsJsonAsync("/api/v1/desk/chats/availability", new { status = "sleeping" })).AssertNamesFieldAsync("status");
        Assert.Equal(HttpStatusCode.OK, (await agent.PutAsJsonAsync("/api/v1/desk/chats/availability", new { status = "online" })).StatusCode);
        Assert.True(await OnlineAsync());

        // The console calls in over the hub; once it stops (the last tab closed), the agent counts as away.
        await using (var console = await Hubs.ConnectAsync(app, "hubs/chat", agent.DefaultRequestHeaders.Authorization!.Parameter, _ => { }))
        {
            app.Clock.Advance(TimeSpan.FromSeconds(80));
            await console.InvokeAsync("Heartbeat", TestContext.Current.CancellationToken);
            app.Clock.Advance(TimeSpan.FromSeconds(80));
            Assert.True(await OnlineAsync());
        }
        app.Clock.Advance(TimeSpan.FromSeconds(100));
        Assert.False(await OnlineAsync());
        Assert.Equal(HttpStatusCode.OK, (await agent.PutAsJsonAsync("/api/v1/desk/chats/availability", new { status = "away" })).StatusCode);
        Assert.False(await OnlineAsync());
    }

    [Fact]
    public async Task AMessageLeftOffline_IsTheCustomersTicket_OrAStrangersConversationAnsweredByEmail()
    {
        var client = app.Anonymous();
        await (await client.PostAsJsonAsync("/api/v1/chat/messages", new { message = "Call me back." })).AssertNamesFieldAsync("email");
        var left = await (await client.PostAsJsonAsync("/api/v1/chat/messages", new { name = "Marta", email = "marta@visitor.example", message = "Do you host Django?" }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.False(left.GetProperty("verified").GetBoolean());
        var admin = await app.AdminAsync();
        var agent = await app.AgentAsync($"chat-offline{Unique.Next()}@sportello.test", "technical");
        var queue = await (await agent.GetAsync("/api/v1/desk/queue?limit=200")).JsonAsync(HttpStatusCode.OK);
        var ticket = queue.EnumerateArray().Single(t => t.GetProperty("number").GetString() == left.GetProperty("number").GetString());
        Assert.Equal("chat", ticket.GetProperty("channel").GetString());
        var detail = await agent.DeskTicketAsync(ticket.GetProperty("id").GetString()!);
        Assert.Equal("unverified", detail.GetProperty("messages")[0].GetProperty("trust").GetString());
        var outbox = await (await admin.GetAsync("/api/v1/admin/mail/outbox?take=500")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(outbox.EnumerateArray(), m => m.GetProperty("to").GetString() == "marta@visitor.example");

        var (email, _, _) = Unique.Customer("offline");
        var customerId = Guid.Parse((await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var token = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret);
        var mine = await (await client.PostAsJsonAsync("/api/v1/chat/messages", new { message = "Invoice question.", department = "financial", customerToken = token }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.True(mine.GetProperty("verified").GetBoolean());
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var own = (await customer.TicketsAsync()).Single(t => t.GetProperty("number").GetString() == mine.GetProperty("number").GetString());
        Assert.Equal("financial", own.GetProperty("department").GetString());
        Assert.Equal("chat", own.GetProperty("channel").GetString());
    }

    [Fact]
    public async Task AWaitingChat_IsAtRiskThenBreachedAgainstThePickupTarget_AndTheReportCountsPickupsAndRatings()
    {
        var admin = await app.AdminAsync();
        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal", new { firstResponseMinutes = 10, nextResponseMinutes = 120, pickupSeconds = 30 }))
            .AssertNamesFieldAsync("pickupSeconds");
        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/chat/normal", new { firstResponseMinutes = 10, nextResponseMinutes = 120, pickupSeconds = 5 }))
            .AssertNamesFieldAsync("pickupSeconds");
        var policy = await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/chat/normal", new { firstResponseMinutes = 10, nextResponseMinutes = 120, pickupSeconds = 100 }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal(100, policy.GetProperty("pickupSeconds").GetInt32());

        var agent = await app.AgentAsync($"chat-sla{Unique.Next()}@sportello.test", "technical");
        var (visitor, _) = await StartAsync("Anyone there?");
        async Task<JsonElement> ListedAsync() =>
            (await (await agent.GetAsync("/api/v1/desk/chats?limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().Single(c => c.GetProperty("id").GetString() == visitor.Id);
        Assert.Equal("ok", (await ListedAsync()).GetProperty("slaState").GetString());
        app.Clock.Advance(TimeSpan.FromSeconds(85));
        Assert.Equal("at-risk", (await ListedAsync()).GetProperty("slaState").GetString());
        app.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("breached", (await ListedAsync()).GetProperty("slaState").GetString());

        // Picked up late and rated 4; another picked up at once and rated 2: the chat row counts both.
        await agent.PostAsync($"/api/v1/desk/chats/{visitor.Id}/accept", null);
        await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/close", new { rating = 4 }));
        var (quick, _) = await StartAsync("Quick one.");
        await agent.PostAsync($"/api/v1/desk/chats/{quick.Id}/accept", null);
        await quick.Client.SendAsync(quick.Request(HttpMethod.Post, "/close", new { rating = 2 }));
        var now = app.Clock.GetUtcNow();
        var report = await (await admin.GetAsync($"/api/v1/desk/sla?from={now.AddMinutes(-10):yyyy-MM-ddTHH:mm:ssZ}&to={now.AddMinutes(1):yyyy-MM-ddTHH:mm:ssZ}"))
            .JsonAsync(HttpStatusCode.OK);
        var chat = report.GetProperty("chat");
        Assert.True(chat.GetProperty("rated").GetInt32() >= 2);
        Assert.True(chat.GetProperty("missed").GetInt32() >= 1);
        Assert.True(chat.GetProperty("withinTarget").GetInt32() >= 1);
        Assert.True(chat.GetProperty("pickedUp").GetInt32() >= 2);
        Assert.InRange(chat.GetProperty("averageRating").GetDouble(), 1, 5);
    }
}
