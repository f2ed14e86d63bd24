using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// Session fixation (osTicket PR #6171): an attacker who plants a session cookie in a victim's browser before the victim
/// signs in must not share the session afterwards. The cookies are sent by hand, as a browser with a planted cookie would.
/// </summary>
[Trait("Category", "Data")]
public sealed class SessionFixationAdvisoryTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string Session = "sportello";

    private HttpClient Browser() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static async Task<HttpResponseMessage> SendAsync(HttpClient browser, HttpMethod method, string url, Dictionary<string, string> cookies,
        Dictionary<string, string>? form = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = form is null ? null : new FormUrlEncodedContent(form) };
        request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await browser.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';')[0];
            var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (value.Length == 0)
            {
                cookies.Remove(name);
            }
            else
            {
                cookies[name] = value;
            }
        }
        return response;
    }

    [Fact]
    public async Task ASessionCookiePlantedBeforeSignIn_IsNeverTheSessionAfterIt_NorItsFormTokens()
    {
        var (email, _, _) = Unique.Customer("fixation");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        var browser = Browser();
        const string planted = "CfDJ8-planted-by-the-attacker";
        var cookies = new Dictionary<string, string> { [Session] = planted };

        var signInPage = await SendAsync(browser, HttpMethod.Get, "/signin", cookies);
        var anonymousToken = WebForms.AntiforgeryToken(await signInPage.Content.ReadAsStringAsync());
        Assert.Equal(planted, cookies[Session]);

        var signedIn = await SendAsync(browser, HttpMethod.Post, "/signin", cookies, new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "customer passphrase 2026",
            ["__RequestVerificationToken"] = anonymousToken,
        });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        // A new session cookie, sharing nothing with the planted one; the planted one is still nobody.
        var session = cookies[Session];
        Assert.NotEqual(planted, session);
        Assert.DoesNotContain(planted, session, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(browser, HttpMethod.Get, "/account", new() { [Session] = session })).StatusCode);
        var stale = await SendAsync(browser, HttpMethod.Get, "/account", new() { [Session] = planted });
        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        Assert.Equal("/signin", stale.Headers.Location!.AbsolutePath);

        // A form token handed out before sign-in (which the attacker could have read) acts for nobody after it.
        var withOldToken = await SendAsync(browser, HttpMethod.Post, "/account?handler=SignOutEverywhere", cookies,
            new Dictionary<string, string> { ["__RequestVerificationToken"] = anonymousToken });
        Assert.Equal(HttpStatusCode.BadRequest, withOldToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(browser, HttpMethod.Get, "/account", new() { [Session] = session })).StatusCode);

        // The same post with the account page's own token works: the refusal above was the token's doing.
        var accountPage = await SendAsync(browser, HttpMethod.Get, "/account", cookies);
        var accountToken = WebForms.AntiforgeryToken(await accountPage.Content.ReadAsStringAsync());
        var withItsToken = await SendAsync(browser, HttpMethod.Post, "/account?handler=SignOutEverywhere", cookies,
            new Dictionary<string, string> { ["__RequestVerificationToken"] = accountToken });
        Assert.Equal(HttpStatusCode.Redirect, withItsToken.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SendAsync(browser, HttpMethod.Get, "/account", new() { [Session] = session })).StatusCode);
    }
}
