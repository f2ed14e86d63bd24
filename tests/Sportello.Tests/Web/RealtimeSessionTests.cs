using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Features.Accounts;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// The realtime channel is held to the same sessions as the pages. A WebSocket opened by another site's page carries no
/// session (its cookie is not believed across origins), and a connection ends with the session or token it was opened
/// with (Chatwoot CVE-2021-3740): after a password change, "sign out everywhere" or a revoked token it hears nothing more.
/// </summary>
[Trait("Category", "Data")]
public sealed class RealtimeSessionTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Evil = "https://helpdesk.evil.example";

    /// <summary>Signs in through the sign-in page, and returns the session cookie ("sportello=...").</summary>
    private async Task<string> SessionCookieAsync(string email, string password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var page = await client.GetAsync("/signin");
        var antiforgery = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        using var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = email, ["Input.Password"] = password,
                ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(await page.Content.ReadAsStringAsync()),
            }),
        };
        post.Headers.Add("Cookie", antiforgery);
        var signedIn = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return signedIn.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("sportello=", StringComparison.Ordinal));
    }

    /// <summary>A WebSocket to a hub, as a browser page would open it: its cookie and its page's Origin.</summary>
    private async Task<HubConnection> WebSocketAsync(string path, string? cookie, string? origin, string? token, Action<HubConnection>? listen = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, path), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.WebSocketFactory = async (context, cancellationToken) =>
                {
                    var client = app.Server.CreateWebSocketClient();
                    client.ConfigureRequest = request =>
                    {
                        if (cookie is not null)
                        {
                            request.Headers.Cookie = cookie;
                        }
                        if (origin is not null)
                        {
                            request.Headers.Origin = origin;
                        }
                        if (token is not null)
                        {
                            request.Headers.Authorization = $"Bearer {token}";
                        }
                    };
                    return await client.ConnectAsync(context.Uri, cancellationToken);
                };
            })
            .Build();
        listen?.Invoke(connection);
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task<HttpStatusCode> NegotiateAsync(HttpClient client, string hub, string? cookie, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{hub}/negotiate?negotiateVersion=1");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return (await client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task AnotherSitesPage_CannotOpenTheHubsWithTheAgentsSession_ItsOwnPagesAndTokensCan()
    {
        var email = $"origin{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(email, "technical");
        var cookie = await SessionCookieAsync(email, "agent passphrase 2026");
        var raw = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        // The Desk's hub: from Sportello's own page (or a client that sends no Origin) the session counts; from another site it does not.
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(raw, "/hubs/tickets", cookie, "http://localhost"));
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(raw, "/hubs/tickets", cookie, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(raw, "/hubs/tickets", cookie, Evil));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(raw, "/hubs/tickets", cookie, "null"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(raw, "/hubs/tickets", cookie, "http://localhost.evil.example"));
        await Assert.ThrowsAnyAsync<Exception>(() => WebSocketAsync("/hubs/tickets", cookie, Evil, null));
        await using (var own = await WebSocketAsync("/hubs/tickets", cookie, "http://localhost", null))
        {
            Assert.Equal(HubConnectionState.Connected, own.State);
        }
        // An API token is not something a browser adds by itself: it is believed from anywhere.
        await using (var integration = await WebSocketAsync("/hubs/tickets", null, Evil, agent.DefaultRequestHeaders.Authorization!.Parameter))
        {
            Assert.Equal(HubConnectionState.Connected, integration.State);
        }

        // The chat hub stays open to the widget's sites, but as a visitor: the agent's session is not carried over.
        await using var chat = await WebSocketAsync("/hubs/chat", cookie, Evil, null);
        var refused = await Assert.ThrowsAsync<HubException>(() => chat.InvokeAsync("WatchQueue", TestContext.Current.CancellationToken));
        Assert.Contains("Only agents", refused.Message, StringComparison.Ordinal);
        await using var console = await WebSocketAsync("/hubs/chat", cookie, "http://localhost", null);
        await console.InvokeAsync("WatchQueue", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AConnection_EndsWithItsToken_AndWithItsSession_AndHearsNothingMore()
    {
        var tag = Unique.Next();
        var (email, _, _) = Unique.Customer($"live{tag}");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var ticket = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = $"Live {tag}", description = "Slow." }))
            .GetProperty("id").GetString()!;
        var agentEmail = $"live-agent{tag}@sportello.test";
        var agent = await app.AgentAsync(agentEmail, "technical");
        var heardByToken = new List<string>();
        var heardBySession = new List<string>();
        var token = customer.DefaultRequestHeaders.Authorization!.Parameter;
        var byToken = await WebSocketAsync("/hubs/tickets", null, null, token,
            c => c.On<object>("ticketChanged", m => { lock (heardByToken) { heardByToken.Add(m.ToString()!); } }));
        var bySession = await WebSocketAsync("/hubs/tickets", await SessionCookieAsync(agentEmail, "agent passphrase 2026"), "http://localhost", null,
            c => c.On<object>("ticketChanged", m => { lock (heardBySession) { heardBySession.Add(m.ToString()!); } }));
        var closed = new[] { new TaskCompletionSource(), new TaskCompletionSource() };
        byToken.Closed += _ => { closed[0].TrySetResult(); return Task.CompletedTask; };
        bySession.Closed += _ => { closed[1].TrySetResult(); return Task.CompletedTask; };
        var sessions = app.Services.GetRequiredService<LiveSessions>();

        // Both hear a change while their credentials hold; a sweep leaves them be.
        (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{ticket}/messages", new { body = "First answer." })).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => Task.FromResult(heardByToken.Count > 0 && heardBySession.Count > 0), "both connections to hear the answer");
        Assert.Equal(0, await sessions.SweepAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HubConnectionState.Connected, byToken.State);

        // The customer revokes the token; the agent's password changes (a new security stamp, as every password change makes).
        Assert.Equal(HttpStatusCode.NoContent, (await customer.DeleteAsync("/api/v1/auth/token")).StatusCode);
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            await users.UpdateSecurityStampAsync((await users.FindByEmailAsync(agentEmail))!);
        }
        Assert.Equal(2, await sessions.SweepAsync(TestContext.Current.CancellationToken));
        await Task.WhenAll(closed.Select(c => c.Task)).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var before = (heardByToken.Count, heardBySession.Count);
        (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{ticket}/messages", new { body = "Second answer." })).EnsureSuccessStatusCode();
        Assert.Equal(before, (heardByToken.Count, heardBySession.Count));
        await byToken.DisposeAsync();
        await bySession.DisposeAsync();

        // And the revoked token opens no new connection.
        await Assert.ThrowsAnyAsync<Exception>(() => WebSocketAsync("/hubs/tickets", null, null, token));
    }
}
