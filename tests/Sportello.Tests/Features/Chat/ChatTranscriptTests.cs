using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Sportello.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Chat;

/// <summary>Sportello with its outgoing mail in mail-out/, and chat configured for the provider's site.</summary>
public sealed class ChatMailApp : MailApp
{
    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Chat:Sites:0:Origin"] = ChatApp.SiteOrigin,
        ["Sportello:Chat:Sites:0:Secret"] = ChatApp.SiteSecret,
        ["Sportello:RateLimits:ChatStart:PermitLimit"] = "10000",
    };
}

/// <summary>The transcript by email: to a customer's registered address at once, to a visitor's address once it confirms.</summary>
[Trait("Category", "Data")]
public sealed partial class ChatTranscriptTests(ChatMailApp app) : IClassFixture<ChatMailApp>
{
    private sealed record Visitor(HttpClient Client, string Id, string Token)
    {
        public Task<HttpResponseMessage> PostAsync(string path, object body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/chat/conversations/{Id}{path}") { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Chat-Token", Token);
            return Client.SendAsync(request);
        }
    }

    private async Task<Visitor> StartAsync(object body)
    {
        var client = app.Anonymous();
        var started = await (await client.PostAsJsonAsync("/api/v1/chat/conversations", body)).JsonAsync(HttpStatusCode.Created);
        return new Visitor(client, started.GetProperty("id").GetString()!, started.GetProperty("visitorToken").GetString()!);
    }

    private async Task<HttpResponseMessage> ConfirmAsync(string link) => await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>());

    [Fact]
    public async Task AVisitorsTranscript_GoesOnlyToAnAddressThatConfirmed_Once()
    {
        var email = $"reader{Unique.Next()}@visitor.example";
        var visitor = await StartAsync(new { name = "Anna", message = "Can I move my domain to you?" });
        var agent = await app.AgentAsync($"chat-transcript{Unique.Next()}@sportello.test", "technical");
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "Yes: start the transfer with the auth code." });
        await agent.PostAsJsonAsync($"/api/v1/desk/chats/{visitor.Id}/messages", new { body = "VIP prospect, be nice.", @internal = true });

        // No address given anywhere: 400 naming email; a wrong language: 400 naming it.
        await (await visitor.PostAsync("/transcript", new { })).AssertNamesFieldAsync("email");
        await (await visitor.PostAsync("/transcript", new { email, language = "fr" })).AssertNamesFieldAsync("language");
        var asked = await (await visitor.PostAsync("/transcript", new { email, language = "it" })).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("confirmation-sent", asked.GetProperty("status").GetString());

        // Only a confirmation reaches the address; opening the link shows a button and sends nothing.
        var confirmation = await app.MailOut.WaitForAsync(email);
        Assert.Contains("Conferma", confirmation.Subject, StringComparison.Ordinal);
        Assert.DoesNotContain("auth code", confirmation.TextBody, StringComparison.Ordinal);
        var link = new Uri(Link().Match(confirmation.TextBody!).Value).PathAndQuery;
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync(link)).StatusCode);
        Assert.Single(app.MailOut.To(email));

        var confirmed = await ConfirmAsync(link);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var transcript = await app.MailOut.WaitForAsync(email, m => m.Subject!.Contains("chat", StringComparison.OrdinalIgnoreCase) && !m.Subject.Contains("Conferma", StringComparison.Ordinal));
        Assert.Contains("Can I move my domain to you?", transcript.TextBody, StringComparison.Ordinal);
        Assert.Contains("start the transfer with the auth code", transcript.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("VIP prospect", transcript.TextBody, StringComparison.Ordinal);

        // The link works once.
        Assert.Equal(HttpStatusCode.NotFound, (await ConfirmAsync(link)).StatusCode);
        Assert.Equal(2, app.MailOut.To(email).Count);
    }

    [Fact]
    public async Task AnUnconfirmedLink_Expires_AndAChatAsksAtMostThreeTimes()
    {
        var email = $"late{Unique.Next()}@visitor.example";
        var visitor = await StartAsync(new { email, message = "Hello." });
        await (await visitor.PostAsync("/transcript", new { })).JsonAsync(HttpStatusCode.Accepted);
        var link = new Uri(Link().Match((await app.MailOut.WaitForAsync(email)).TextBody!).Value).PathAndQuery;
        app.Clock.Advance(EmailChatTranscript.LinkLifetime + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, (await ConfirmAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ConfirmAsync("/chat/transcript/made-up-token")).StatusCode);

        // Three requests per chat at most (each address also has the per-address budget of a stranger's mail).
        await (await visitor.PostAsync("/transcript", new { email = $"second{Unique.Next()}@visitor.example" })).JsonAsync(HttpStatusCode.Accepted);
        await (await visitor.PostAsync("/transcript", new { email = $"third{Unique.Next()}@visitor.example" })).JsonAsync(HttpStatusCode.Accepted);
        await (await visitor.PostAsync("/transcript", new { email = $"fourth{Unique.Next()}@visitor.example" })).AssertNamesFieldAsync("email");

        // Another chat's token asks nothing.
        var other = await StartAsync(new { message = "Other." });
        Assert.Equal(HttpStatusCode.NotFound, (await (other with { Id = visitor.Id }).PostAsync("/transcript", new { email })).StatusCode);
    }

    [Fact]
    public async Task AVerifiedCustomersTranscript_GoesToTheRegisteredAddress_WhateverIsTyped()
    {
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer("transcript");
        var customerId = Guid.Parse((await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!);
        var token = CustomerTokens.Sign(customerId, app.Clock.GetUtcNow().AddMinutes(5), ChatApp.SiteSecret);
        var visitor = await StartAsync(new { message = "My invoice shows the wrong VAT number.", customerToken = token });
        var stranger = $"someone-else{Unique.Next()}@attacker.example";
        var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/chat/conversations/{visitor.Id}/attachments")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.7"u8.ToArray()), "files", "invoice-2026-118.pdf" } },
        };
        upload.Headers.Add("X-Chat-Token", visitor.Token);
        await (await visitor.Client.SendAsync(upload)).JsonAsync(HttpStatusCode.Created);

        var asked = await (await visitor.PostAsync("/transcript", new { email = stranger })).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("sent", asked.GetProperty("status").GetString());
        Assert.Equal(email, asked.GetProperty("email").GetString(), ignoreCase: true);
        var transcript = await app.MailOut.WaitForAsync(email);
        Assert.Contains("wrong VAT number", transcript.TextBody, StringComparison.Ordinal);
        // A file is named on its line; its bytes stay in the chat.
        Assert.Contains("[invoice-2026-118.pdf]", transcript.TextBody, StringComparison.Ordinal);
        Assert.Empty(transcript.Attachments);
        Assert.Empty(app.MailOut.To(stranger));
    }

    [GeneratedRegex(@"https://\S+/chat/transcript/[A-Za-z0-9_\-]+")]
    private static partial Regex Link();
}
