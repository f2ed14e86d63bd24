using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

[Trait("Category", "Data")]
public sealed class ConversationTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static readonly object Question = new { department = "technical", priority = "normal", subject = "DNS question", description = "How do I set a PTR record?" };

    [Fact]
    public async Task Conversation_StatusesFollowTheContract_AndTheFirstPublicReplyStopsTheClock()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("talk@example.com", "910001", "192.0.2.111");
        var agent = await app.AgentAsync("talk-agent@sportello.example");
        var id = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString();

        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Checking the reverse zone.", @internal = true }))
            .JsonAsync(HttpStatusCode.Created);
        var afterNote = await (await customer.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("open", afterNote.GetProperty("status").GetString());
        Assert.Equal(JsonNull, afterNote.GetProperty("firstRespondedAt").ValueKind);

        app.Clock.Advance(TimeSpan.FromMinutes(4));
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Set it in the Client Area under DNS." }))
            .JsonAsync(HttpStatusCode.Created);
        var answered = await (await customer.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("answered", answered.GetProperty("status").GetString());
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime, answered.GetProperty("firstRespondedAt").GetDateTime());

        var messages = answered.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(2, messages.Count);
        Assert.Equal(["customer", "agent"], messages.Select(m => m.GetProperty("author").GetProperty("kind").GetString()!));
        Assert.DoesNotContain("reverse zone", answered.GetRawText(), StringComparison.Ordinal);

        await (await customer.PostAsJsonAsync($"/api/v1/tickets/{id}/status", new { status = "closed" })).JsonAsync(HttpStatusCode.OK);
        await (await customer.PostAsJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "It works, but one more thing." }))
            .JsonAsync(HttpStatusCode.Created);
        var reopened = await (await customer.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("customer-reply", reopened.GetProperty("status").GetString());

        var deskView = await (await agent.GetAsync($"/api/v1/desk/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains("reverse zone", deskView.GetRawText(), StringComparison.Ordinal);
        Assert.Contains(deskView.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "note-added");
    }

    [Fact]
    public async Task AnotherCustomersTicket_Answers404OnEveryRoute()
    {
        var (owner, _) = await app.CustomerWithServiceAsync("mine@example.com", "910002", "192.0.2.112");
        var (stranger, _) = await app.CustomerWithServiceAsync("stranger@example.com", "910003", "192.0.2.113");
        var id = (await owner.OpenTicketAsync(Question)).GetProperty("id").GetString();
        var uploaded = await owner.PostAsync($"/api/v1/tickets/{id}/attachments", Files(("log.txt", "text/plain", "boot log"u8.ToArray())));
        var attachmentId = (await uploaded.JsonAsync(HttpStatusCode.Created))[0].GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/tickets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync($"/api/v1/tickets/{id}/messages", new { body = "hi" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/api/v1/tickets/{id}/attachments", Files(("x.txt", "text/plain", "x"u8.ToArray())))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsJsonAsync($"/api/v1/tickets/{id}/status", new { status = "closed" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/attachments/{attachmentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/tickets/{Guid.NewGuid()}")).StatusCode);
        var list = await (await stranger.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, list.GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/v1/attachments/{attachmentId}")).StatusCode);
    }

    [Fact]
    public async Task InternalNoteAttachments_AreNeverServedToTheCustomer()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("notefile@example.com", "910004", "192.0.2.114");
        var agent = await app.AgentAsync("notefile-agent@sportello.example");
        var id = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString();
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Internal: see the log", @internal = true })).JsonAsync(HttpStatusCode.Created);
        var uploaded = await agent.PostAsync($"/api/v1/desk/tickets/{id}/attachments", Files(("internal.txt", "text/plain", "secret"u8.ToArray())));
        var attachmentId = (await uploaded.JsonAsync(HttpStatusCode.Created))[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await customer.GetAsync($"/api/v1/attachments/{attachmentId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync($"/api/v1/attachments/{attachmentId}")).StatusCode);
        Assert.DoesNotContain("internal.txt", await (await customer.GetAsync($"/api/v1/tickets/{id}")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("/var/log/syslog", "syslog")]
    [InlineData("C:\\Users\\me\\shot.png", "shot.png")]
    [InlineData("evil\u0000name.txt", "evilname.txt")]
    [InlineData("invoice\u202Egpj.exe", "invoicegpj.exe")]
    [InlineData("...", "attachment")]
    public async Task Upload_HostileNames_AreStoredSafely(string name, string stored)
    {
        var (email, order, ip) = Unique.Customer("names");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var id = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString();
        var uploaded = await (await customer.PostAsync($"/api/v1/tickets/{id}/attachments", Files((name, "text/plain", "data"u8.ToArray()))))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(stored, uploaded[0].GetProperty("fileName").GetString());
    }

    [Theory]
    [InlineData("page.html", "text/html", "<script>alert(1)</script>")]
    [InlineData("logo.svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>")]
    public async Task Download_ActiveContent_IsServedAsAnInertDownload(string name, string type, string content)
    {
        var (email, order, ip) = Unique.Customer("active");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var id = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString();
        var attachmentId = (await (await customer.PostAsync($"/api/v1/tickets/{id}/attachments", Files((name, type, Encoding.UTF8.GetBytes(content)))))
            .JsonAsync(HttpStatusCode.Created))[0].GetProperty("id").GetString();
        foreach (var url in new[] { $"/api/v1/attachments/{attachmentId}", $"/api/v1/attachments/{attachmentId}?inline=true" })
        {
            var download = await customer.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Contains("sandbox", download.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal(content, await download.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Upload_Oversize_IsRefusedWithAClearErrorAndNothingStored()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("big@example.com", "913001", "192.0.2.131");
        var id = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString();
        var big = new byte[20 * 1024 * 1024 + 1];
        var response = await customer.PostAsync($"/api/v1/tickets/{id}/attachments", Files(("dump.bin", "application/octet-stream", big)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await response.JsonAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("dump.bin", problem.GetProperty("errors").GetProperty("files")[0].GetString(), StringComparison.Ordinal);
        var ticket = await (await customer.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, ticket.GetProperty("messages")[0].GetProperty("attachments").GetArrayLength());
    }

    [Fact]
    public async Task Upload_Screenshot_JoinsTheLatestMessage_AndPreviewsInline()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("shot@example.com", "913002", "192.0.2.132");
        var id = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0];
        var uploaded = await (await customer.PostAsync($"/api/v1/tickets/{id}/attachments",
            Files(("screen.png", "image/png", png), ("notes.txt", "text/plain", "n"u8.ToArray())))).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(2, uploaded.GetArrayLength());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), uploaded[0].GetProperty("sha256").GetString());
        var ticket = await (await customer.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("open", ticket.GetProperty("status").GetString());
        Assert.Equal(2, ticket.GetProperty("messages")[0].GetProperty("attachments").GetArrayLength());
        var preview = await customer.GetAsync($"/api/v1/attachments/{uploaded[0].GetProperty("id").GetString()}?inline=true");
        Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", preview.Content.Headers.ContentDisposition?.DispositionType);
    }

    [Fact]
    public async Task Merge_MovesTheDuplicatesMessagesAndClosesIt()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("dupes@example.com", "914001", "192.0.2.141");
        var agent = await app.AgentAsync("merge-agent@sportello.example");
        var first = await customer.OpenTicketAsync(Question);
        var second = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Same again", description = "PTR record?" });
        var merged = await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{second.GetProperty("id").GetString()}/merge",
            new { into = first.GetProperty("number").GetString() })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("id").GetString(), merged.GetProperty("id").GetString());
        var target = await (await customer.GetAsync($"/api/v1/tickets/{first.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, target.GetProperty("messages").GetArrayLength());
        var duplicate = await (await customer.GetAsync($"/api/v1/tickets/{second.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("closed", duplicate.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("id").GetString(), duplicate.GetProperty("mergedIntoId").GetString());

        var (other, _) = await app.CustomerWithServiceAsync("notdupes@example.com", "914002", "192.0.2.142");
        var foreign = await other.OpenTicketAsync(Question);
        var refused = await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{foreign.GetProperty("id").GetString()}/merge",
            new { into = first.GetProperty("number").GetString() });
        await refused.AssertNamesFieldAsync("into");
    }

    [Fact]
    public async Task Reopening_WithoutAFirstResponse_ResumesTheFirstResponseTarget()
    {
        var (email, order, ip) = Unique.Customer("resume");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync("resume-agent@sportello.example");
        var ticket = await customer.OpenTicketAsync(Question);
        var id = ticket.GetProperty("id").GetString();
        var closed = await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/status", new { status = "closed" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(JsonNull, closed.GetProperty("dueAt").ValueKind);
        var reopened = await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/status", new { status = "open" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(ticket.GetProperty("firstResponseDueAt").GetDateTime(), reopened.GetProperty("dueAt").GetDateTime());
    }

    [Fact]
    public async Task Merge_OfAWaitingQuestionIntoAnAnsweredTicket_PutsItBackInTheQueue()
    {
        var (email, order, ip) = Unique.Customer("requeue");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync("requeue-agent@sportello.example");
        var answered = (await customer.OpenTicketAsync(Question)).GetProperty("id").GetString();
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{answered}/messages", new { body = "Done." })).JsonAsync(HttpStatusCode.Created);
        var waiting = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Follow-up", description = "And PTR for IPv6?" });
        var target = await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{waiting.GetProperty("id").GetString()}/merge", new { into = answered }))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal("customer-reply", target.GetProperty("status").GetString());
        var queue = await (await agent.GetAsync("/api/v1/desk/queue?limit=200")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(queue.EnumerateArray(), t => t.GetProperty("id").GetString() == answered);
        Assert.DoesNotContain(queue.EnumerateArray(), t => t.GetProperty("id").GetString() == waiting.GetProperty("id").GetString());
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{waiting.GetProperty("id").GetString()}/status", new { status = "open" }))
            .AssertNamesFieldAsync("status");
    }

    private const System.Text.Json.JsonValueKind JsonNull = System.Text.Json.JsonValueKind.Null;

    private static MultipartFormDataContent Files(params (string Name, string Type, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, type, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            // RFC 5987 encoding carries any character, control characters included, as a hostile client would send them.
            part.Headers.TryAddWithoutValidation("Content-Disposition",
                $"form-data; name=\"files\"; filename*=UTF-8''{Uri.EscapeDataString(name)}");
            form.Add(part);
        }
        return form;
    }
}
