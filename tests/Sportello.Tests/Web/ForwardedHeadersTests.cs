using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>Every request arrives from 127.0.0.1, as from a balancer on the same host (the test server has no socket).</summary>
public sealed class FromLoopback : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}

/// <summary>Sportello behind a proxy on 127.0.0.1, with <paramref name="trusted"/> deciding whether it is named as known.</summary>
public abstract class BehindProxyApp(bool trusted) : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:RateLimits:SignIn:PermitLimit"] = "3",
        ["Sportello:ForwardedHeaders:KnownProxies:0"] = trusted ? "127.0.0.1" : null,
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, FromLoopback>());
    }
}

public sealed class TrustedProxyApp() : BehindProxyApp(trusted: true);

public sealed class UntrustedProxyApp() : BehindProxyApp(trusted: false);

/// <summary>
/// Per-IP limits count the client's address when, and only when, a known proxy forwards it
/// (<c>Sportello:ForwardedHeaders:KnownProxies</c>): a client cannot pick the address its sign-in attempts count against.
/// </summary>
public sealed class ForwardedHeadersTests(TrustedProxyApp trusted, UntrustedProxyApp untrusted)
    : IClassFixture<TrustedProxyApp>, IClassFixture<UntrustedProxyApp>
{
    private static async Task<HttpStatusCode> SignInAsync(SportelloApp app, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token")
        {
            Content = JsonContent.Create(new { email = $"nobody-{Unique.Next()}@example.com", password = "not a password at all" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await app.Anonymous().SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task BehindAKnownProxy_EachClientHasItsOwnSignInLimit()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(trusted, "198.51.100.1"));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(trusted, "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(trusted, "198.51.100.2"));
    }

    [Fact]
    public async Task WithNoKnownProxy_XForwardedForIsIgnored_AndTheLimitCountsTheConnection()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await SignInAsync(untrusted, $"198.51.100.{10 + i}"));
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, await SignInAsync(untrusted, "198.51.100.99"));
    }

    [Fact]
    public async Task OverHttpsAtAKnownBalancer_BrowsersAreToldToStayOnHttps()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Host = "desk.provider.example";
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "198.51.100.50");
        var response = await trusted.Anonymous().SendAsync(request);
        Assert.True(response.Headers.Contains("Strict-Transport-Security"), "no HSTS over HTTPS");

        var plain = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        plain.Headers.Host = "desk.provider.example";
        plain.Headers.Add("X-Forwarded-Proto", "https");
        Assert.False((await untrusted.Anonymous().SendAsync(plain)).Headers.Contains("Strict-Transport-Security"), "an unknown proxy's word made it HTTPS");
    }
}

public sealed class ForwardedHeadersStartTests
{
    [Fact]
    public async Task AMalformedKnownProxy_StopsTheStart_NamingIt()
    {
        var exit = await SportelloProcess.RunToExitAsync(
        [
            "--urls", "http://127.0.0.1:0",
            "--Sportello:DataDir", Directory.CreateTempSubdirectory("sportello-proxies-").FullName,
            "--Sportello:ForwardedHeaders:KnownProxies:0", "balancer.internal",
            "--Sportello:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/33",
        ], TimeSpan.FromSeconds(90));
        Assert.NotEqual(0, exit.Code);
        Assert.Contains("'balancer.internal' is not an IP address", exit.Error + exit.Output, StringComparison.Ordinal);
        Assert.Contains("'10.0.0.0/33' is not a CIDR range", exit.Error + exit.Output, StringComparison.Ordinal);
    }
}

/// <summary>Session and antiforgery cookies: HttpOnly and SameSite always, Secure whenever the client is on HTTPS (at a known balancer too).</summary>
public sealed class CookieFlagsTests(TrustedProxyApp trusted) : IClassFixture<TrustedProxyApp>
{
    private HttpClient Client(bool https)
    {
        var client = trusted.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.77");
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", https ? "https" : "http");
        return client;
    }

    private static string Cookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.FirstOrDefault(c => c.StartsWith(name + "=", StringComparison.Ordinal)) ?? "" : "";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TheSessionCookie_IsHttpOnlyAndSameSite_AndSecureOverHttps(bool https)
    {
        var client = Client(https);
        var page = await client.GetAsync("/signin");
        var antiforgery = Cookie(page, "sportello.af");
        Assert.NotEqual("", antiforgery);
        var html = await page.Content.ReadAsStringAsync();
        var post = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = SportelloApp.AdminEmail,
                ["Input.Password"] = SportelloApp.AdminPassword,
                ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(html),
            }),
        };
        post.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        var signedIn = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = Cookie(signedIn, "sportello");
        foreach (var cookie in new[] { antiforgery, session })
        {
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(https, cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
        }
        Assert.Contains("samesite=lax", session, StringComparison.OrdinalIgnoreCase);
    }
}
