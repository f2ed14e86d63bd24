using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Notices;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Notices;

/// <summary>Sportello with its outgoing mail in mail-out/, and fan-out batches of two.</summary>
public sealed class StatusMailApp : MailApp
{
    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Notices:BatchSize"] = "2",
        ["Sportello:RateLimits:StatusSubscribe:PermitLimit"] = "10000",
    };
}

/// <summary>Anyone follows the public status by email: double opt-in, only what they follow, a one-click unsubscribe in every mail.</summary>
[Trait("Category", "Data")]
public sealed partial class StatusSubscriptionTests(StatusMailApp app) : IClassFixture<StatusMailApp>
{
    private const string Subscribe = "/api/v1/status/subscriptions";

    /// <summary>A location (and a product) that exist: a customer has a service there.</summary>
    private static async Task<(string Location, string Product, string OrderNumber)> PlaceAsync(HttpClient admin)
    {
        var n = Unique.Next();
        var (email, _, _) = Unique.Customer("status-sub");
        var customer = await admin.CreateCustomerAsync(email);
        var order = (800000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (location, product) = ($"Bologna-{n}", $"Cloud-{n}");
        await (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customer.GetProperty("id").GetString()}/services", new
        {
            name = "shop", product, location, orderNumber = order, ipAddresses = new[] { NoticeIps.Next() },
        })).JsonAsync(HttpStatusCode.Created);
        return (location, product, order);
    }

    /// <summary>Publishes, then waits until the worker is done with the customers and the subscribers of every update.</summary>
    private async Task<string> PublishAsync(HttpClient admin, object notice)
    {
        var id = (await (await admin.PostAsJsonAsync("/api/v1/admin/notices", notice)).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        await DoneAsync(admin, id);
        return id;
    }

    /// <summary>Waits until the worker is done with the notice's subscribers and every mail left the outbox (so a count of mails is final).</summary>
    private async Task DoneAsync(HttpClient admin, string id)
    {
        await Eventually.TrueAsync(async () =>
        {
            var detail = await (await admin.GetAsync($"/api/v1/admin/notices/{id}")).JsonAsync(HttpStatusCode.OK);
            return detail.GetProperty("updates").EnumerateArray().All(u => u.GetProperty("subscribersAt").ValueKind != JsonValueKind.Null);
        }, "the notice mailed to its subscribers");
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            return !await db.OutboxMessages.AnyAsync(m => m.State == OutboxStates.Pending);
        }, "the outbox drained");
    }

    private static string LinkIn(MimeMessage mail, Regex pattern) => new Uri(pattern.Match(mail.TextBody!).Value).PathAndQuery;

    private async Task<HttpResponseMessage> PressAsync(string link) => await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>());

    [Fact]
    public async Task AFollower_GetsOnlyWhatTheyFollow_AfterConfirming_AndLeavesWithOneClick()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var (location, product, order) = await PlaceAsync(admin);
        var (elsewhere, _, _) = await PlaceAsync(admin);
        var follower = $"follower{Unique.Next()}@public.example";

        var asked = await (await app.Anonymous().PostAsJsonAsync(Subscribe, new { email = follower, location, language = "it" })).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("confirmation-sent", asked.GetProperty("status").GetString());
        var confirmation = await app.MailOut.WaitForAsync(follower);
        Assert.Contains("Conferma", confirmation.Subject, StringComparison.Ordinal);
        Assert.Contains(location, confirmation.TextBody, StringComparison.Ordinal);

        // Not confirmed yet: a notice there mails nothing.
        await PublishAsync(admin, new { kind = "incident", title = "Before confirming", body = "Nothing yet.", affects = new { locations = new[] { location } } });
        Assert.Single(app.MailOut.To(follower));

        // Opening the link shows a button and confirms nothing; pressing it confirms, once.
        var link = LinkIn(confirmation, ConfirmLink());
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PressAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PressAsync(link)).StatusCode);

        // Subscribing again changes nothing and mails nothing (and says the same as for a new address).
        var again = await (await app.Anonymous().PostAsJsonAsync(Subscribe, new { email = follower, location })).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("confirmation-sent", again.GetProperty("status").GetString());

        var incident = await PublishAsync(admin, new
        {
            kind = "incident", title = new { en = "Power loss", it = "Mancanza di corrente" }, body = new { en = "A feed failed.", it = "Una linea è caduta." },
            affects = new { locations = new[] { location } },
        });
        await PublishAsync(admin, new { kind = "incident", title = "Somewhere else", body = "Not here.", affects = new { locations = new[] { elsewhere } } });
        // About one customer's service only: not public, so not mailed to followers.
        await PublishAsync(admin, new { kind = "incident", title = "Private reboot", body = "One box.", affects = new { orderNumbers = new[] { order } } });

        var mails = app.MailOut.To(follower);
        Assert.Equal(2, mails.Count);
        var notice = mails.Single(m => m.Subject!.Contains("Mancanza di corrente", StringComparison.Ordinal));
        Assert.Equal("Incidente: Mancanza di corrente", notice.Subject);
        Assert.Contains("Una linea è caduta.", notice.TextBody, StringComparison.Ordinal);
        // RFC 8058: the unsubscribe link in the headers, one-click by POST, and the same link in the text.
        var header = notice.Headers[HeaderId.ListUnsubscribe]!;
        Assert.Matches(@"^<https://desk\.sportello\.test/status/unsubscribe/[A-Za-z0-9_\-]+>$", header);
        Assert.Equal("List-Unsubscribe=One-Click", notice.Headers[HeaderId.ListUnsubscribePost]);
        var unsubscribe = new Uri(header.Trim('<', '>')).PathAndQuery;
        Assert.Contains(header.Trim('<', '>'), notice.TextBody, StringComparison.Ordinal);

        // An update reaches the follower too.
        await (await admin.PostAsJsonAsync($"/api/v1/admin/notices/{incident}/updates", new { status = "identified", body = "Generator on." })).JsonAsync(HttpStatusCode.Created);
        await DoneAsync(admin, incident);
        Assert.Equal(3, app.MailOut.To(follower).Count);

        // The mail client's one-click POST: no page, no antiforgery token, just the RFC 8058 body.
        using var oneClick = await app.Anonymous().PostAsync(unsubscribe,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        await (await admin.PostAsJsonAsync($"/api/v1/admin/notices/{incident}/updates", new { status = "resolved", body = "Back on mains." })).JsonAsync(HttpStatusCode.Created);
        await DoneAsync(admin, incident);
        Assert.Equal(3, app.MailOut.To(follower).Count);
        using var twice = await app.Anonymous().PostAsync(unsubscribe, new FormUrlEncodedContent([]), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);

        // A product's follower, and one who follows everything, get a product's notice.
        var ofProduct = $"product{Unique.Next()}@public.example";
        var ofAll = $"all{Unique.Next()}@public.example";
        foreach (var (email, body) in new (string, object)[] { (ofProduct, new { email = ofProduct, product }), (ofAll, new { email = ofAll }) })
        {
            await (await app.Anonymous().PostAsJsonAsync(Subscribe, body)).JsonAsync(HttpStatusCode.Accepted);
            Assert.Equal(HttpStatusCode.OK, (await PressAsync(LinkIn(await app.MailOut.WaitForAsync(email), ConfirmLink()))).StatusCode);
        }
        await PublishAsync(admin, new
        {
            kind = "maintenance", title = "Kernel updates", body = "Reboots.", startsAt = "2026-12-20T02:00", endsAt = "2026-12-20T04:00",
            timeZone = "Europe/Rome", affects = new { products = new[] { product } },
        });
        var planned = await app.MailOut.WaitForAsync(ofProduct, m => m.Subject!.Contains("Kernel updates", StringComparison.Ordinal));
        // The public's times are the provider's zone.
        Assert.Contains("2026-12-20 02:00 CET", planned.TextBody, StringComparison.Ordinal);
        await app.MailOut.WaitForAsync(ofAll, m => m.Subject!.Contains("Kernel updates", StringComparison.Ordinal));
        Assert.DoesNotContain(app.MailOut.To(ofProduct), m => m.Subject!.Contains("Somewhere else", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadInput_Answers400NamingTheField_AndAnUnconfirmedLinkExpires()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var (location, product, _) = await PlaceAsync(admin);
        var anonymous = app.Anonymous();
        await (await anonymous.PostAsJsonAsync(Subscribe, new { })).AssertNamesFieldAsync("email");
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = "not an address" })).AssertNamesFieldAsync("email");
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = "a@b.example", location = "Atlantis" })).AssertNamesFieldAsync("location");
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = "a@b.example", product = "Perpetual motion" })).AssertNamesFieldAsync("product");
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = "a@b.example", location, product })).AssertNamesFieldAsync("product");
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = "a@b.example", language = "fr" })).AssertNamesFieldAsync("language");
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = "a@b.example", role = "admin" })).AssertNamesFieldAsync("role");

        var late = $"late{Unique.Next()}@public.example";
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = late, location })).JsonAsync(HttpStatusCode.Accepted);
        var link = LinkIn(await app.MailOut.WaitForAsync(late), ConfirmLink());
        // Asking again at once is refused by the address's mail budget: the form cannot mail-bomb anyone.
        await (await anonymous.PostAsJsonAsync(Subscribe, new { email = late, location })).AssertNamesFieldAsync("email");
        app.Clock.Advance(StatusSubscriptions.LinkLifetime + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, (await PressAsync(link)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PressAsync("/status/subscriptions/confirm/made-up-token")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PressAsync("/status/unsubscribe/made-up-token")).StatusCode);
    }

    [Fact]
    public async Task TheStatusPageForm_SendsTheConfirmation_InThePagesLanguage()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var (location, _, _) = await PlaceAsync(admin);
        var email = $"page{Unique.Next()}@public.example";
        var client = app.Anonymous();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("it");
        var page = await client.SubmitAsync("/status", "/status", new Dictionary<string, string>
        {
            ["Subscribe.Email"] = email, ["Subscribe.Follow"] = $"location:{location}",
        });
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Controlla la tua casella", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var mail = await app.MailOut.WaitForAsync(email);
        Assert.Equal("Conferma: stato del servizio via email", mail.Subject);

        var refused = await client.SubmitAsync("/status", "/status", new Dictionary<string, string>
        {
            ["Subscribe.Email"] = "nobody", ["Subscribe.Follow"] = "location:Atlantis",
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("email non è un indirizzo email", html, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"https://\S+/status/subscriptions/confirm/[A-Za-z0-9_\-]+")]
    private static partial Regex ConfirmLink();
}
