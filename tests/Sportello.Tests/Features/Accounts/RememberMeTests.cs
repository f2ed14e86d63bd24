using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Accounts;

/// <summary>
/// "Keep me signed in on this device" (a checkbox drawn by hand since "RememberMe=yes" made the drawn one throw): ticked,
/// the session outlives the browser; unticked, or with a value that is not a boolean, it ends with it.
/// </summary>
[Trait("Category", "Data")]
public sealed class RememberMeTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private async Task<HttpResponseMessage> SignInAsync(string email, string? rememberMe)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var html = await client.GetPageAsync("/signin");
        Assert.Contains("name=\"Input.RememberMe\" type=\"checkbox\" value=\"true\"", html, StringComparison.Ordinal);
        var form = new Dictionary<string, string>
        {
            ["Input.Email"] = email, ["Input.Password"] = "agent passphrase 2026", ["__RequestVerificationToken"] = WebForms.AntiforgeryToken(html),
        };
        if (rememberMe is not null)
        {
            form["Input.RememberMe"] = rememberMe;
        }
        return await client.PostAsync("/signin", new FormUrlEncodedContent(form));
    }

    private static string? SessionCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.FirstOrDefault(c => c.StartsWith("sportello=", StringComparison.Ordinal)) : null;

    [Fact]
    public async Task Ticked_TheSessionOutlivesTheBrowser_UntickedOrNonsense_ItDoesNot()
    {
        var email = $"remember{Unique.Next()}@sportello.test";
        await app.AgentAsync(email, "technical");

        var ticked = await SignInAsync(email, "true");
        Assert.Equal(HttpStatusCode.Redirect, ticked.StatusCode);
        Assert.Contains("expires=", SessionCookie(ticked)!, StringComparison.OrdinalIgnoreCase);

        var unticked = await SignInAsync(email, null);
        Assert.Equal(HttpStatusCode.Redirect, unticked.StatusCode);
        Assert.DoesNotContain("expires=", SessionCookie(unticked)!, StringComparison.OrdinalIgnoreCase);

        // Not a yes: signed in, for this browser only (it was a 500).
        var nonsense = await SignInAsync(email, "yes");
        Assert.Equal(HttpStatusCode.Redirect, nonsense.StatusCode);
        Assert.DoesNotContain("expires=", SessionCookie(nonsense)!, StringComparison.OrdinalIgnoreCase);
    }
}
