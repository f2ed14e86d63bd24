using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sportello.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Chat;

/// <summary>Files in a chat, the delivered and read marks, and what a waiting visitor is told (expected wait, when to leave a message).</summary>
[Trait("Category", "Data")]
public sealed class ChatFilesTests(ChatApp app) : IClassFixture<ChatApp>
{
    private const string Conversations = "/api/v1/chat/conversations";

    private sealed record Visitor(HttpClient Client, string Id, string Token)
    {
        public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
        {
            var request = new HttpRequestMessage(method, $"{Conversations}/{Id}{path}") { Content = content };
            request.Headers.Add("X-Chat-Token", Token);
            return request;
        }

        public Task<HttpResponseMessage> UploadAsync(MultipartFormDataContent form) => Client.SendAsync(Request(HttpMethod.Post, "/attachments", form));

        public async Task<JsonElement[]> MessagesAsync() =>
            (await (await Client.SendAsync(Request(HttpMethod.Get, "/messages"))).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();

        public async Task<JsonElement> StateAsync() => await (await Client.SendAsync(Request(HttpMethod.Get, ""))).JsonAsync(HttpStatusCode.OK);
    }

    private async Task<Visitor> StartAsync(object body)
    {
        var client = app.Anonymous();
        var started = await (await client.PostAsJsonAsync(Conversations, body)).JsonAsync(HttpStatusCode.Created);
        return new Visitor(client, started.GetProperty("id").GetString()!, started.GetProperty("visitorToken").GetString()!);
    }

    private Task<Visitor> StartAsync(string department = "technical") =>
        StartAsync(new { name = "Giulia", email = "giulia@visitor.example", message = "My site shows an error.", department });

    private static MultipartFormDataContent Files(string? body, params (string Name, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse("text/html");
            part.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"files\"; filename*=UTF-8''{Uri.EscapeDataString(name)}");
            form.Add(part);
        }
        if (body is not null)
        {
            form.Add(new StringContent(body), "body");
        }
        return form;
    }

    [Fact]
    public async Task AVisitorSendsAFile_BothSidesDownloadIt_AsAnInertDownload_AndNobodyElseCan()
    {
        var visitor = await StartAsync();
        var agent = await app.AgentAsync($"chat-files{Unique.Next()}@sportello.test", "technical");
        var html = "<script>alert(document.cookie)</script>"u8.ToArray();
        var uploaded = await (await visitor.UploadAsync(Files("Here is the page.", ("error page.html", html)))).JsonAsync(HttpStatusCode.Created);
        var file = uploaded.EnumerateArray().Single();
        Assert.Equal("error page.html", file.GetProperty("fileName").GetString());
        Assert.Equal(html.Length, file.GetProperty("size").GetInt64());
        var fileId = file.GetProperty("id").GetString()!;

        // The upload is a message of its own in the transcript, with its line of text and the file.
        var message = (await visitor.MessagesAsync()).Last();
        Assert.Equal(2, message.GetProperty("seq").GetInt64());
        Assert.Equal("Here is the page.", message.GetProperty("body").GetString());
        Assert.Equal(fileId, message.GetProperty("attachments")[0].GetProperty("id").GetString());
        var desk = await (await agent.GetAsync($"/api/v1/desk/chats/{visitor.Id}/messages")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(fileId, desk.EnumerateArray().Last().GetProperty("attachments")[0].GetProperty("id").GetString());

        foreach (var download in new[]
        {
            await visitor.Client.SendAsync(visitor.Request(HttpMethod.Get, $"/attachments/{fileId}")),
            await agent.GetAsync($"/api/v1/desk/chats/{visitor.Id}/attachments/{fileId}"),
        })
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(html, await download.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
            Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        }

        // Another visitor's token, a file of another chat, another department's agent: all 404.
        var other = await StartAsync();
        var thief = other with { Id = visitor.Id };
        Assert.Equal(HttpStatusCode.NotFound, (await thief.Client.SendAsync(thief.Request(HttpMethod.Get, $"/attachments/{fileId}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.SendAsync(other.Request(HttpMethod.Get, $"/attachments/{fileId}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await thief.UploadAsync(Files(null, ("x.txt", "x"u8.ToArray())))).StatusCode);
        var financial = await app.AgentAsync($"chat-files-fin{Unique.Next()}@sportello.test", "financial");
        Assert.Equal(HttpStatusCode.NotFound, (await financial.GetAsync($"/api/v1/desk/chats/{visitor.Id}/attachments/{fileId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.GetAsync($"/api/v1/desk/chats/{other.Id}/attachments/{fileId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await financial.PostAsync($"/api/v1/desk/chats/{visitor.Id}/attachments", Files(null, ("x.txt", "x"u8.ToArray())))).StatusCode);
    }

    [Fact]
    public async Task ChatFiles_FollowTheTicketRules_AndAClosedChatTakesNone()
    {
        var visitor = await StartAsync();
        await (await visitor.UploadAsync(Files("no files"))).AssertNamesFieldAsync("files");
        var notMultipart = await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/attachments", JsonContent.Create(new { files = "x" })));
        await notMultipart.AssertNamesFieldAsync("files");
        var big = await visitor.UploadAsync(Files(null, ("dump.bin", new byte[20 * 1024 * 1024 + 1])));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Contains("dump.bin", (await big.JsonAsync(HttpStatusCode.RequestEntityTooLarge)).GetProperty("errors").GetProperty("files")[0].GetString(), StringComparison.Ordinal);
        await (await visitor.UploadAsync(Files(new string('x', 4001), ("a.txt", "a"u8.ToArray())))).AssertNamesFieldAsync("body");

        // A hostile name is cleaned as on tickets: no path, no control or bidi characters.
        var named = await (await visitor.UploadAsync(Files(null, ("../../.htaccess\u202Egnp.exe", "x"u8.ToArray())))).JsonAsync(HttpStatusCode.Created);
        var cleaned = named[0].GetProperty("fileName").GetString()!;
        Assert.DoesNotContain('/', cleaned);
        Assert.DoesNotContain('\u202E', cleaned);

        // A whole chat holds no more files than one ticket message may, so all of them travel to its ticket.
        var nine = Enumerable.Range(1, 9).Select(i => ($"log{i}.txt", "line"u8.ToArray())).ToArray();
        await (await visitor.UploadAsync(Files(null, nine))).JsonAsync(HttpStatusCode.Created);
        await (await visitor.UploadAsync(Files(null, ("one-too-many.txt", "x"u8.ToArray())))).AssertNamesFieldAsync("files");
        Assert.Equal(3, (await visitor.MessagesAsync()).Length);

        var closed = await StartAsync();
        await closed.Client.SendAsync(closed.Request(HttpMethod.Post, "/close", JsonContent.Create(new { })));
        Assert.Equal(HttpStatusCode.Conflict, (await closed.UploadAsync(Files(null, ("late.txt", "x"u8.ToArray())))).StatusCode);
    }

    [Fact]
    public async Task FilesTravelToTheTicket_OfAVerifiedChat_AndOfAnAnonymousOne()
    {
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer("chatfiles");
        var customerId = Guid.Parse((await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var token = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret);
        var verified = await StartAsync(new { message = "The backup fails, log attached.", customerToken = token });
        var anonymous = await StartAsync();
        var agent = await app.AgentAsync($"chat-files-esc{Unique.Next()}@sportello.test", "technical");
        var log = "2026-12-04 backup: permission denied"u8.ToArray();

        foreach (var visitor in new[] { verified, anonymous })
        {
            await (await visitor.UploadAsync(Files(null, ("backup.log", log)))).JsonAsync(HttpStatusCode.Created);
            using var agentFile = new MultipartFormDataContent { { new ByteArrayContent("Try these steps."u8.ToArray()), "files", "steps.txt" } };
            await (await agent.PostAsync($"/api/v1/desk/chats/{visitor.Id}/attachments", agentFile)).JsonAsync(HttpStatusCode.Created);
            var escalated = await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/escalate", new { department = "technical", priority = "normal" }))
                .JsonAsync(HttpStatusCode.Created);
            var first = (await agent.DeskTicketAsync(escalated.GetProperty("ticketId").GetString()!)).GetProperty("messages")[0];
            var files = first.GetProperty("attachments").EnumerateArray().ToList();
            Assert.Equal(["backup.log", "steps.txt"], files.Select(a => a.GetProperty("fileName").GetString()!).Order());
            Assert.Contains("[backup.log]", first.GetProperty("body").GetString()!, StringComparison.Ordinal);
            var copied = files.Single(a => a.GetProperty("fileName").GetString() == "backup.log").GetProperty("id").GetString();
            Assert.Equal(log, await agent.GetByteArrayAsync($"/api/v1/attachments/{copied}", TestContext.Current.CancellationToken));
        }
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var ticket = (await customer.TicketsAsync()).Single(t => t.GetProperty("channel").GetString() == "chat");
        var own = await (await customer.GetAsync($"/api/v1/tickets/{ticket.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, own.GetProperty("messages")[0].GetProperty("attachments").GetArrayLength());
    }

    [Fact]
    public async Task DeliveredAndReadMarks_MoveForwardOnly_AndTheOtherSideHearsThem()
    {
        var visitor = await StartAsync();
        var agent = await app.AgentAsync($"chat-marks{Unique.Next()}@sportello.test", "technical");
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "How can I help?" });
        var heard = new List<ChatMarks>();
        await using var console = await Hubs.ConnectAsync(app, "hubs/chat", agent.DefaultRequestHeaders.Authorization!.Parameter,
            c => c.On<ChatMarks>("chatMarks", m => { lock (heard) { heard.Add(m); } }));
        await console.InvokeAsync<List<ChatMessageView>>("Watch", Guid.Parse(visitor.Id), 0L, TestContext.Current.CancellationToken);
        await using var widget = await Hubs.ConnectAsync(app, "hubs/chat", null, _ => { });
        await widget.InvokeAsync<List<ChatMessageView>>("Join", Guid.Parse(visitor.Id), visitor.Token, 0L, TestContext.Current.CancellationToken);

        // The widget received the answer (seq 3) with its panel closed: delivered, not read.
        var delivered = await widget.InvokeAsync<ChatMarks>("Seen", Guid.Parse(visitor.Id), visitor.Token, 3L, false, TestContext.Current.CancellationToken);
        Assert.Equal((3L, 0L), (delivered.Delivered, delivered.Read));
        await Eventually.TrueAsync(() => Task.FromResult(heard.Any(m => m.Side == "visitor" && m.Delivered == 3 && m.Read == 0)), "the console hears 'delivered'");

        // Opened: read. Over REST too; a number past the end stops at the last message, an older one moves nothing back.
        var read = await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/read", JsonContent.Create(new { seq = 99 })))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, read.GetProperty("read").GetInt64());
        var back = await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/read", JsonContent.Create(new { seq = 1 })))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, back.GetProperty("delivered").GetInt64());
        await (await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/read", JsonContent.Create(new { seq = -1 })))).AssertNamesFieldAsync("seq");

        // The agent reads the visitor's reply: the visitor's state says so.
        await visitor.Client.SendAsync(visitor.Request(HttpMethod.Post, "/messages", JsonContent.Create(new { body = "Thanks, reading." })));
        Assert.Equal(0, (await visitor.StateAsync()).GetProperty("staffReadSeq").GetInt64());
        await (await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/read", new { seq = 4 })).JsonAsync(HttpStatusCode.OK);
        var state = await visitor.StateAsync();
        Assert.Equal(4, state.GetProperty("staffReadSeq").GetInt64());
        Assert.Equal(4, state.GetProperty("staffDeliveredSeq").GetInt64());

        // Nobody else moves the marks.
        var other = await StartAsync();
        var thief = other with { Id = visitor.Id };
        Assert.Equal(HttpStatusCode.NotFound, (await thief.Client.SendAsync(thief.Request(HttpMethod.Post, "/read", JsonContent.Create(new { seq = 1 })))).StatusCode);
        var financial = await app.AgentAsync($"chat-marks-fin{Unique.Next()}@sportello.test", "financial");
        Assert.Equal(HttpStatusCode.NotFound, (await financial.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/read", new { seq = 1 })).StatusCode);
    }

    [Fact]
    public async Task AWaitingVisitor_IsToldTheExpectedWait_AndWhenToLeaveAMessageInstead()
    {
        // Financial: no other test of this class picks up financial chats, so the history is this test's.
        var agent = await app.AgentAsync($"chat-wait{Unique.Next()}@sportello.test", "financial");
        var first = await StartAsync("financial");
        var state = await first.StateAsync();
        Assert.Equal(300, state.GetProperty("offerMessageInSeconds").GetInt32());
        app.Clock.Advance(TimeSpan.FromSeconds(120));
        await agent.PostAsync($"/api/v1/desk/chats/{first.Id}/accept", null);
        Assert.Equal(JsonValueKind.Null, (await first.StateAsync()).GetProperty("offerMessageInSeconds").ValueKind);

        // The last pickup took 120 s: the second in the queue expects about twice that.
        var second = await StartAsync("financial");
        var third = await StartAsync("financial");
        var waiting = await third.StateAsync();
        Assert.Equal(2, waiting.GetProperty("queuePosition").GetInt32());
        Assert.Equal(240, waiting.GetProperty("expectedWaitSeconds").GetInt32());
        app.Clock.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal(100, (await third.StateAsync()).GetProperty("offerMessageInSeconds").GetInt32());
        app.Clock.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal(0, (await second.StateAsync()).GetProperty("offerMessageInSeconds").GetInt32());
    }
}
