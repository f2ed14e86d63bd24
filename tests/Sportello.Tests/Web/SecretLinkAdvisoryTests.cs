using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Features.Accounts;
using Sportello.Features.Chat;
using Sportello.Features.Mail;
using Sportello.Features.Notices;
using Sportello.Tests.Features.Chat;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// FreeScout CVE-2026-41902 and CVE-2026-27637 (guessable, reusable and never-revoked secret links), against every secret
/// Sportello hands out: each is random (two in a row share nothing), expires, works once where it confirms something, and
/// dies with a password or address change where it opens the account. The list of secret routes is read from the app,
/// so a new one fails here until it is added with its own checks.
/// </summary>
[Trait("Category", "Data")]
public sealed partial class SecretLinkAdvisoryTests(ChatMailApp app) : IClassFixture<ChatMailApp>
{
    private const string Password = "customer passphrase 2026";

    /// <summary>Every route that takes a value which is not an id or a number, and what that value is.</summary>
    private static readonly Dictionary<string, string> SecretRoutes = new()
    {
        ["confirm-address/{token}"] = "notification address confirmation (48 h, once)",
        ["confirm-email-change/{token}"] = "registered address change, one link per address (48 h, once each)",
        ["chat/transcript/{token}"] = "chat transcript confirmation (24 h, once)",
        ["status/subscriptions/confirm/{token}"] = "status subscription confirmation (24 h, once)",
        ["status/unsubscribe/{token}"] = "unsubscribe from the status (until used: it is in every status mail, RFC 8058; it can only unsubscribe)",
        ["calendar/{file}"] = "private calendar feed (until renewed or revoked; read-only)",
    };

    /// <summary>Routes with such a value that carry no secret.</summary>
    private static readonly string[] NotSecret =
    [
        "chat/{file}", "error/{code}", "openapi/{documentName}.json", "api/v1/admin/sla-policies/{channel}/{priority}",
        "admin/invoices/{invoiceId}/{handler}", "invoices/{invoiceId}/{handler}",
    ];

    [Fact]
    public void EverySecretRoute_IsKnown_AndNoOtherRouteTakesAnUnconstrainedValue()
    {
        var found = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern)
            .Where(p => p.Parameters.Any(IsFreeText))
            .Select(Shape)
            .Distinct()
            .Order()
            .ToList();
        var unknown = found.Where(r => !SecretRoutes.ContainsKey(r) && !NotSecret.Contains(r)).ToList();
        Assert.True(unknown.Count == 0,
            "A new route takes free text: if it is a secret link, add it to SecretRoutes with tests of its randomness, lifetime, "
            + "single use and revocation; otherwise to NotSecret. " + string.Join(", ", unknown));
        Assert.Equal(SecretRoutes.Keys.Order(), found.Where(SecretRoutes.ContainsKey));
    }

    private static bool IsFreeText(RoutePatternParameterPart parameter) =>
        !parameter.ParameterPolicies.Any(p => p.Content is "guid" or "int" or "long" or "bool" or "datetime");

    private static string Shape(RoutePattern pattern) =>
        string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => "",
        }))));

    /// <summary>Two values issued one after the other are long, random and unrelated: no counter, no clock, no shared stem.</summary>
    private static void AssertRandom(string first, string second, int prefix = 0)
    {
        foreach (var value in new[] { first, second })
        {
            // Base64url: 6 bits a character; 22 characters are 132 bits.
            Assert.Matches(@"^[A-Za-z0-9_\-]{22,}$", value[prefix..]);
        }
        Assert.NotEqual(first, second);
        var common = first.Zip(second).TakeWhile(p => p.First == p.Second).Count();
        Assert.True(common - prefix < 6, $"'{first}' and '{second}' share {common} leading characters");
    }

    private static string TokenOf(string link) => link[(link.LastIndexOf('/') + 1)..];

    private static string LinkIn(MimeKit.MimeMessage mail, string path) =>
        new Uri(Regex.Match(mail.TextBody!, $@"https://\S+/{Regex.Escape(path)}/[A-Za-z0-9_\-]+").Value).PathAndQuery;

    private async Task<HttpStatusCode> PressAsync(string link) =>
        (await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>())).StatusCode;

    /// <summary>A confirmation link, asked for three times: random, works once, dead after its lifetime.</summary>
    private async Task AssertConfirmationAsync(Func<Task<string>> ask, TimeSpan lifetime)
    {
        var (first, second, late) = (await ask(), await ask(), await ask());
        AssertRandom(TokenOf(first), TokenOf(second));

        Assert.Equal(HttpStatusCode.OK, await PressAsync(first));
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(first));

        app.Clock.Advance(lifetime + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(late));
    }

    private async Task<HttpStatusCode> OpenAsync(string link) => (await app.Anonymous().GetAsync(link)).StatusCode;

    private async Task<string[]> AddressLinksAsync(HttpClient customer, int count)
    {
        var addresses = Enumerable.Range(0, count).Select(_ => $"colleague-{Unique.Next()}@example.org").ToArray();
        await (await customer.PutAsJsonAsync("/api/v1/account/notification-addresses", new { support = addresses })).JsonAsync(HttpStatusCode.OK);
        return [.. await Task.WhenAll(addresses.Select(async a => LinkIn(await app.MailOut.WaitForAsync(a), "confirm-address")))];
    }

    [Fact]
    public async Task AddressConfirmation_IsRandom_WorksOnce_AndExpires()
    {
        var (customer, _) = await app.CustomerAsync("adv-address");
        var links = new Queue<string>(await AddressLinksAsync(customer, 3));
        await AssertConfirmationAsync(() => Task.FromResult(links.Dequeue()), NotificationAddresses.LinkLifetime);
    }

    private async Task<(string Old, string New, string NewEmail)> EmailChangeLinksAsync(HttpClient customer, string email)
    {
        var newEmail = $"moved-{Unique.Next()}@example.net";
        var accepted = await customer.PostAsJsonAsync("/api/v1/account/email", new { newEmail, password = Password });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var toOld = await app.MailOut.WaitForAsync(email, m => m.TextBody!.Contains(newEmail, StringComparison.Ordinal));
        return (LinkIn(toOld, "confirm-email-change"), LinkIn(await app.MailOut.WaitForAsync(newEmail), "confirm-email-change"), newEmail);
    }

    private async Task<HttpStatusCode> SignInStatusAsync(string email, string password = Password) =>
        (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password })).StatusCode;

    [Fact]
    public async Task EmailChangeLinks_AreRandom_WorkOnce_AndExpire()
    {
        var (customer, email) = await app.CustomerAsync("adv-move");
        var (old, fresh, _) = await EmailChangeLinksAsync(customer, email);
        AssertRandom(TokenOf(old), TokenOf(fresh));

        Assert.Equal(HttpStatusCode.OK, await PressAsync(old));
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(old));

        // A new request replaces the pending one; its links die after their lifetime, and the address stays.
        var (lateOld, lateNew, lateEmail) = await EmailChangeLinksAsync(customer, email);
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(fresh));
        app.Clock.Advance(ChangeEmail.LinkLifetime + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(lateOld));
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(lateNew));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInStatusAsync(lateEmail));
    }

    [Fact]
    public async Task APasswordChange_CancelsAPendingAddressChange()
    {
        var (customer, email) = await app.CustomerAsync("adv-pw-move");
        var (old, fresh, newEmail) = await EmailChangeLinksAsync(customer, email);
        var web = await app.SignInWebAsync(email, Password);
        var changed = await web.SubmitAsync("/account", "/account?handler=Password", new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = Password,
            ["Password.NewPassword"] = "lantern orchard quiver 7319",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        // Whoever asked for the change knew the old password: after the owner changes it, their links are dead.
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(fresh));
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(old));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInStatusAsync(newEmail, "lantern orchard quiver 7319"));
        Assert.Equal(HttpStatusCode.OK, await SignInStatusAsync(email, "lantern orchard quiver 7319"));
    }

    [Fact]
    public async Task AnAddressChange_RevokesEveryApiToken_AndEndsEverySession()
    {
        var (customer, email) = await app.CustomerAsync("adv-move-revoke");
        var browser = await app.SignInWebAsync(email, Password);
        var (old, fresh, newEmail) = await EmailChangeLinksAsync(customer, email);
        Assert.Equal(HttpStatusCode.OK, await PressAsync(fresh));
        Assert.Equal(HttpStatusCode.OK, await PressAsync(old));
        Assert.Equal(HttpStatusCode.OK, await SignInStatusAsync(newEmail));

        // The token and the browser were signed in under the old address: both are over.
        Assert.Equal(HttpStatusCode.Unauthorized, (await customer.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/account")).StatusCode);
    }

    [Fact]
    public async Task ApiTokens_AreRandom_AndExpire()
    {
        var (_, email) = await app.CustomerAsync("adv-api");
        async Task<string> IssueAsync() =>
            (await (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password = Password })).JsonAsync(HttpStatusCode.OK))
                .GetProperty("token").GetString()!;
        var (first, second) = (await IssueAsync(), await IssueAsync());
        Assert.StartsWith(ApiTokens.SecretPrefix, first, StringComparison.Ordinal);
        AssertRandom(first, second, ApiTokens.SecretPrefix.Length);

        Assert.Equal(HttpStatusCode.OK, (await app.WithToken(first).GetAsync("/api/v1/me")).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.WithToken(first).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task CalendarLinks_AreRandom_AndDieWhenRenewedOrRevoked()
    {
        var (customer, _) = await app.CustomerAsync("adv-calendar");
        async Task<string> RenewAsync() =>
            new Uri((await (await customer.PostAsync("/api/v1/account/calendar", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("url").GetString()!)
                .PathAndQuery;
        var first = await RenewAsync();
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(first));
        var second = await RenewAsync();
        AssertRandom(TokenOf(first)[..^".ics".Length], TokenOf(second)[..^".ics".Length]);

        Assert.Equal(HttpStatusCode.NotFound, await OpenAsync(first));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(second));
        Assert.Equal(HttpStatusCode.NoContent, (await customer.DeleteAsync("/api/v1/account/calendar")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await OpenAsync(second));
    }

    [Fact]
    public async Task StatusSubscriptionConfirmations_AreRandom_WorkOnce_AndExpire()
    {
        await app.StartAsync();
        async Task<string> AskAsync()
        {
            var email = $"follower-{Unique.Next()}@public.example";
            await (await app.Anonymous().PostAsJsonAsync("/api/v1/status/subscriptions", new { email })).JsonAsync(HttpStatusCode.Accepted);
            return LinkIn(await app.MailOut.WaitForAsync(email), "status/subscriptions/confirm");
        }
        await AssertConfirmationAsync(AskAsync, StatusSubscriptions.LinkLifetime);
    }

    [Fact]
    public async Task UnsubscribeLinks_AreRandom_AndWorkOnce()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var (email, order, ip) = Unique.Customer("adv-unsub");
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        var location = $"Trieste-{Unique.Next()}";
        await (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customerId}/services",
            new { name = "shop", product = "VPS S", location, orderNumber = order, ipAddresses = new[] { ip } })).JsonAsync(HttpStatusCode.Created);
        string[] followers = [$"f-{Unique.Next()}@public.example", $"f-{Unique.Next()}@public.example"];
        foreach (var follower in followers)
        {
            await (await app.Anonymous().PostAsJsonAsync("/api/v1/status/subscriptions", new { email = follower, location })).JsonAsync(HttpStatusCode.Accepted);
            Assert.Equal(HttpStatusCode.OK, await PressAsync(LinkIn(await app.MailOut.WaitForAsync(follower), "status/subscriptions/confirm")));
        }
        var title = $"Power loss {Unique.Next()}";
        await (await admin.PostAsJsonAsync("/api/v1/admin/notices",
            new { kind = "incident", title, body = "A feed failed.", affects = new { locations = new[] { location } } })).JsonAsync(HttpStatusCode.Created);
        var links = await Task.WhenAll(followers.Select(async f =>
            new Uri((await app.MailOut.WaitForAsync(f, m => m.Subject!.Contains(title, StringComparison.Ordinal))).Headers[MimeKit.HeaderId.ListUnsubscribe]!
                .Trim('<', '>')).PathAndQuery));
        AssertRandom(TokenOf(links[0]), TokenOf(links[1]));

        Assert.Equal(HttpStatusCode.OK, await PressAsync(links[0]));
        Assert.Equal(HttpStatusCode.NotFound, await PressAsync(links[0]));
    }

    [Fact]
    public async Task ChatTranscriptConfirmations_AreRandom_WorkOnce_AndExpire()
    {
        await app.StartAsync();
        var client = app.Anonymous();
        async Task<string> AskAsync()
        {
            var started = await (await client.PostAsJsonAsync("/api/v1/chat/conversations", new { name = "Ada", message = "Hello?" })).JsonAsync(HttpStatusCode.Created);
            var email = $"reader-{Unique.Next()}@visitor.example";
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/chat/conversations/{started.GetProperty("id").GetString()}/transcript")
            {
                Content = JsonContent.Create(new { email }),
            };
            request.Headers.Add("X-Chat-Token", started.GetProperty("visitorToken").GetString());
            await (await client.SendAsync(request)).JsonAsync(HttpStatusCode.Accepted);
            return LinkIn(await app.MailOut.WaitForAsync(email), "chat/transcript");
        }
        await AssertConfirmationAsync(AskAsync, EmailChatTranscript.LinkLifetime);
    }

    [Fact]
    public async Task ChatVisitorTokens_AreRandom()
    {
        var client = app.Anonymous();
        async Task<string> StartAsync() =>
            (await (await client.PostAsJsonAsync("/api/v1/chat/conversations", new { name = "Bo", message = "Hi" })).JsonAsync(HttpStatusCode.Created))
                .GetProperty("visitorToken").GetString()!;
        AssertRandom(await StartAsync(), await StartAsync(), "chv_".Length);
    }
}
