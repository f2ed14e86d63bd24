using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Notices;

/// <summary>A fresh address for each service these tests add (every service has one).</summary>
public static class NoticeIps
{
    public static string Next()
    {
        var n = Unique.Next();
        return $"100.80.{n / 250 % 250}.{n % 250 + 1}";
    }
}

/// <summary>Small batches, so every fan-out here takes several transactions.</summary>
public sealed class NoticeApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Notices:BatchSize"] = "2",
    };
}

/// <summary>Service notices through the API: whom they reach, what each customer gets, live and by mail.</summary>
[Trait("Category", "Data")]
public sealed class NoticesTests(NoticeApp app) : IClassFixture<NoticeApp>
{
    private const string Notices = "/api/v1/admin/notices";

    private sealed record Customer(string Id, string Email, HttpClient Client);

    private async Task<Customer> CustomerAsync(HttpClient admin, string language = "en")
    {
        var email = $"notice-{Unique.Next()}@example.com";
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Customer " + email.Split('@')[0], password = "customer passphrase 2026", country = "IT", language, timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created);
        return new Customer(created.GetProperty("id").GetString()!, email, await app.SignInAsync(email, "customer passphrase 2026"));
    }

    private static async Task<string> ServiceAsync(HttpClient admin, Customer customer, string name, string product, string location)
    {
        var order = (700000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var service = await (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customer.Id}/services", new
        {
            name, product, location, orderNumber = order, ipAddresses = new[] { NoticeIps.Next() },
        })).JsonAsync(HttpStatusCode.Created);
        return service.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> PublishAsync(HttpClient admin, object notice) =>
        await (await admin.PostAsJsonAsync(Notices, notice)).JsonAsync(HttpStatusCode.Created);

    /// <summary>Waits until the worker delivered every update of the notice (the test clock does not move: the worker needs no time to pass).</summary>
    private static async Task<JsonElement> DeliveredAsync(HttpClient admin, string noticeId, int updates = 1)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var detail = await (await admin.GetAsync($"{Notices}/{noticeId}")).JsonAsync(HttpStatusCode.OK);
            var all = detail.GetProperty("updates").EnumerateArray().ToList();
            if (all.Count >= updates && all.All(u => u.GetProperty("deliveredAt").ValueKind != JsonValueKind.Null))
            {
                return detail;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException("The notice was not delivered.");
    }

    private static async Task<JsonElement[]> InboxAsync(Customer customer) =>
        (await (await customer.Client.GetAsync("/api/v1/notifications")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();

    private static string[] Names(JsonElement notification) =>
        [.. notification.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Order()];

    [Fact]
    public async Task ALocationNotice_ReachesEachCustomerThereOnce_NamingTheirServices_AndNobodyElse()
    {
        var admin = await app.AdminAsync();
        var place = $"Milan-{Unique.Next()}";
        var three = await CustomerAsync(admin);
        foreach (var name in new[] { "web-1", "web-2", "db-1" })
        {
            await ServiceAsync(admin, three, name, "VPS M", place);
        }
        var one = await CustomerAsync(admin);
        await ServiceAsync(admin, one, "mail", "Dedicated", place);
        await ServiceAsync(admin, one, "elsewhere", "Dedicated", "Rome-" + place);
        var outside = await CustomerAsync(admin);
        await ServiceAsync(admin, outside, "rome-only", "VPS M", "Rome-" + place);

        var published = await PublishAsync(admin, new
        {
            kind = "maintenance", title = new { en = "Network upgrade", it = "Aggiornamento della rete" }, body = "Switches are replaced.",
            startsAt = "2026-12-10T22:00", endsAt = "2026-12-11T02:00", timeZone = "Europe/Rome", affects = new { locations = new[] { place } },
        });
        Assert.Equal(2, published.GetProperty("recipients").GetInt32());
        var detail = await DeliveredAsync(admin, published.GetProperty("id").GetString()!);
        Assert.Equal(2, detail.GetProperty("delivery").GetProperty("inboxRows").GetInt32());

        var mine = Assert.Single(await InboxAsync(three));
        Assert.Equal(["db-1", "web-1", "web-2"], Names(mine));
        Assert.Equal("maintenance", mine.GetProperty("kind").GetString());
        Assert.Equal("Scheduled maintenance: Network upgrade", mine.GetProperty("title").GetString());
        // Entered in Rome's winter time (UTC+1), shown in the customer's zone: the same wall clock.
        Assert.Contains("2026-12-10 22:00 CET", mine.GetProperty("body").GetString());
        Assert.Equal(["mail"], Names(Assert.Single(await InboxAsync(one))));
        Assert.Empty(await InboxAsync(outside));
    }

    [Fact]
    public async Task TheAdminSeesWhoWasNotified_ByWhichChannel_APageAtATime()
    {
        var admin = await app.AdminAsync();
        var place = $"Bari-{Unique.Next()}";
        var first = await CustomerAsync(admin);
        var second = await CustomerAsync(admin);
        await ServiceAsync(admin, first, "one", "VPS M", place);
        await ServiceAsync(admin, second, "two", "VPS M", place);
        var published = await PublishAsync(admin, new { kind = "incident", title = "Fibre cut", body = "Cut.", affects = new { locations = new[] { place } } });
        var id = published.GetProperty("id").GetString()!;
        await DeliveredAsync(admin, id);
        await first.Client.PostAsync("/api/v1/notifications/read-all", null, TestContext.Current.CancellationToken);

        var page = await admin.GetAsync($"{Notices}/{id}/recipients?limit=1");
        var one = Assert.Single((await page.JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        var next = page.Headers.GetValues("Link").Single().Split('<', '>')[1];
        var other = Assert.Single((await (await admin.GetAsync(next)).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        var both = new[] { one, other };
        Assert.Equal(new[] { first.Email, second.Email }.Order(StringComparer.Ordinal), both.Select(r => r.GetProperty("email").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(both, r => Assert.Equal(1, r.GetProperty("notifications").GetInt32()));
        // Each got the mail copy too (waiting or sent, by now).
        Assert.All(both, r => Assert.Equal(1, r.GetProperty("mailsSent").GetInt32() + r.GetProperty("mailsPending").GetInt32()));
        Assert.Equal(1, both.Single(r => r.GetProperty("email").GetString() == first.Email).GetProperty("read").GetInt32());
        Assert.Equal(0, both.Single(r => r.GetProperty("email").GetString() == second.Email).GetProperty("read").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"{Notices}/{Guid.NewGuid()}/recipients")).StatusCode);
        await (await admin.GetAsync($"{Notices}/{id}/recipients?limit=0")).AssertNamesFieldAsync("limit");
        Assert.Equal(HttpStatusCode.Forbidden, (await first.Client.GetAsync($"{Notices}/{id}/recipients")).StatusCode);
    }

    [Fact]
    public async Task LocationsAndProducts_NarrowEachOther_AndNamedServicesAreAdded()
    {
        var admin = await app.AdminAsync();
        var place = $"Paris-{Unique.Next()}";
        var vpsThere = await CustomerAsync(admin);
        await ServiceAsync(admin, vpsThere, "vps-paris", "VPS S", place);
        var dedicatedThere = await CustomerAsync(admin);
        await ServiceAsync(admin, dedicatedThere, "box-paris", "Dedicated " + place, place);
        var named = await CustomerAsync(admin);
        var namedService = await ServiceAsync(admin, named, "named-elsewhere", "Dedicated " + place, "Lyon-" + place);

        var preview = await (await admin.PostAsJsonAsync($"{Notices}/preview", new
        {
            kind = "incident", title = "VPS outage", body = "Hosts are down.",
            affects = new { locations = new[] { place }, products = new[] { "VPS S" }, serviceIds = new[] { namedService } },
        })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, preview.GetProperty("customers").GetInt32());
        Assert.Equal(["named-elsewhere", "vps-paris"], preview.GetProperty("sample").EnumerateArray()
            .SelectMany(c => c.GetProperty("services").EnumerateArray().Select(s => s.GetString()!)).Order());

        var published = await PublishAsync(admin, new
        {
            kind = "incident", title = "VPS outage", body = "Hosts are down.",
            affects = new { locations = new[] { place }, products = new[] { "VPS S" }, serviceIds = new[] { namedService } },
        });
        Assert.Equal(2, published.GetProperty("recipients").GetInt32());
        await DeliveredAsync(admin, published.GetProperty("id").GetString()!);
        Assert.Single(await InboxAsync(vpsThere));
        Assert.Single(await InboxAsync(named));
        Assert.Empty(await InboxAsync(dedicatedThere));
    }

    [Fact]
    public async Task AnIncidentsUpdates_ReachTheSameCustomers_NotOnesWhoCameLater_AndAreNotifiedLiveAndByMailInTheirLanguage()
    {
        var admin = await app.AdminAsync();
        var place = $"Turin-{Unique.Next()}";
        var italian = await CustomerAsync(admin, "it");
        await ServiceAsync(admin, italian, "sito", "Hosting", place);
        var heard = new List<JsonElement>();
        await using var hub = await Hubs.ConnectAsync(app, italian.Client, c => c.On<JsonElement>("notification", n => { lock (heard) { heard.Add(n); } }));

        var published = await PublishAsync(admin, new
        {
            kind = "incident", title = new { en = "Storage outage", it = "Guasto allo storage" }, body = new { en = "Disks fail.", it = "I dischi non rispondono." },
            affects = new { locations = new[] { place } },
        });
        var id = published.GetProperty("id").GetString()!;
        Assert.Equal("investigating", published.GetProperty("status").GetString());
        await DeliveredAsync(admin, id);

        // A customer who gets a service there after publication is not among this incident's customers.
        var later = await CustomerAsync(admin);
        await ServiceAsync(admin, later, "late", "Hosting", place);
        var update = await admin.PostAsJsonAsync($"{Notices}/{id}/updates", new { status = "resolved", body = new { en = "Fixed.", it = "Risolto." } });
        Assert.Equal(HttpStatusCode.Created, update.StatusCode);
        await DeliveredAsync(admin, id, updates: 2);

        var inbox = await InboxAsync(italian);
        Assert.Equal(["Guasto allo storage", "Guasto allo storage"], inbox.Select(n => n.GetProperty("title").GetString()!.Split(": ", 2)[1]));
        Assert.StartsWith("Risolto", inbox[0].GetProperty("body").GetString());
        Assert.Empty(await InboxAsync(later));
        for (var i = 0; i < 100 && heard.Count < 2; i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        Assert.Equal(2, heard.Count);
        Assert.All(heard, n => Assert.Equal(id, n.GetProperty("noticeId").GetString()));

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var mails = await db.OutboxMessages.AsNoTracking().Where(m => m.ToAddress == italian.Email && m.Kind == MailKinds.ServiceNotice)
            .Select(m => m.Subject).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, mails.Count);
        Assert.Contains("Incidente: Guasto allo storage", mails);
        Assert.Contains("Risolto: Guasto allo storage", mails);
        Assert.Equal(0, await db.OutboxMessages.CountAsync(m => m.ToAddress == later.Email && m.Kind == MailKinds.ServiceNotice, TestContext.Current.CancellationToken));

        // A resolved incident takes no more updates.
        await (await admin.PostAsJsonAsync($"{Notices}/{id}/updates", new { status = "monitoring", body = "Again?" })).AssertNamesFieldAsync("status");
    }

    [Fact]
    public async Task AMaintenance_IsCancelledAndNotified_AndItsRemindersComeFromTheClock()
    {
        var admin = await app.AdminAsync();
        var place = $"Genoa-{Unique.Next()}";
        var customer = await CustomerAsync(admin);
        await ServiceAsync(admin, customer, "shop", "Hosting", place);
        var starts = app.Clock.GetUtcNow().AddDays(3);
        var published = await PublishAsync(admin, new
        {
            kind = "maintenance", title = "Power work", body = "The UPS is serviced.", startsAt = starts.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            endsAt = starts.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), affects = new { locations = new[] { place } },
        });
        var id = published.GetProperty("id").GetString()!;
        await DeliveredAsync(admin, id);

        // Moved a week later: notified, with the new window.
        var moved = starts.AddDays(7);
        var rescheduled = await admin.PostAsJsonAsync($"{Notices}/{id}/updates", new
        {
            status = "rescheduled", startsAt = moved.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), endsAt = moved.AddHours(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
        });
        Assert.Equal(HttpStatusCode.Created, rescheduled.StatusCode);
        await DeliveredAsync(admin, id, updates: 2);

        // 24 hours before the new start, Sportello reminds by itself.
        app.Clock.Advance(moved - app.Clock.GetUtcNow() - TimeSpan.FromHours(23));
        var detail = await DeliveredAsync(admin, id, updates: 3);
        Assert.Equal("reminder", detail.GetProperty("updates")[2].GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"{Notices}/{id}/updates", new { status = "cancelled" })).StatusCode);
        await DeliveredAsync(admin, id, updates: 4);
        var titles = (await InboxAsync(customer)).Select(n => n.GetProperty("title").GetString()).ToList();
        Assert.Equal(["Cancelled: Power work", "Reminder: Power work", "Rescheduled: Power work", "Scheduled maintenance: Power work"], titles);
        Assert.Contains(moved.ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-dd HH:mm") + " CET", (await InboxAsync(customer))[2].GetProperty("body").GetString());
    }

    [Fact]
    public async Task BadInput_Answers400NamingTheField_AndANoticeForNobodyReachesZero()
    {
        var admin = await app.AdminAsync();
        var good = new Dictionary<string, object?>
        {
            ["kind"] = "incident", ["title"] = "Down", ["body"] = "Looking.", ["affects"] = new { locations = new[] { "Nowhere-" + Unique.Next() } },
        };
        async Task RefusedAsync(string field, string key, object? value)
        {
            var body = new Dictionary<string, object?>(good) { [key] = value };
            await (await admin.PostAsJsonAsync(Notices, body)).AssertNamesFieldAsync(field);
        }
        await RefusedAsync("kind", "kind", "outage");
        await RefusedAsync("affects", "affects", new { });
        await RefusedAsync("title", "title", new { en = "", it = " " });
        await RefusedAsync("title.fr", "title", new { en = "Down", fr = "En panne" });
        await RefusedAsync("endsAt", "endsAt", "2026-11-24T10:00:00Z");
        await RefusedAsync("startsAt", "startsAt", "tomorrow");
        await RefusedAsync("timeZone", "timeZone", "Mars/Olympus");
        await RefusedAsync("affects.orderNumbers", "affects", new { orderNumbers = new[] { "12345x" } });
        var withStart = new Dictionary<string, object?>(good) { ["startsAt"] = "2026-11-24T12:00:00Z", ["endsAt"] = "2026-11-24T11:00:00Z" };
        await (await admin.PostAsJsonAsync(Notices, withStart)).AssertNamesFieldAsync("endsAt");
        // A local time the clocks skip in Rome (the spring change) is not guessed.
        var skipped = new Dictionary<string, object?>(good) { ["startsAt"] = "2027-03-28T02:30", ["timeZone"] = "Europe/Rome" };
        await (await admin.PostAsJsonAsync(Notices, skipped)).AssertNamesFieldAsync("startsAt");

        var nobody = await PublishAsync(admin, good);
        Assert.Equal(0, nobody.GetProperty("recipients").GetInt32());
        var id = nobody.GetProperty("id").GetString()!;
        await (await admin.PostAsJsonAsync($"{Notices}/{id}/updates", new { status = "cancelled" })).AssertNamesFieldAsync("status");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync($"{Notices}/{Guid.NewGuid()}/updates", new { status = "resolved", body = "x" })).StatusCode);
    }

    [Fact]
    public async Task ACustomerReadsTheirOwnNotifications_AndNobodyElses()
    {
        var admin = await app.AdminAsync();
        var place = $"Bari-{Unique.Next()}";
        var first = await CustomerAsync(admin);
        await ServiceAsync(admin, first, "a", "Hosting", place);
        var second = await CustomerAsync(admin);
        await ServiceAsync(admin, second, "b", "Hosting", place);
        var published = await PublishAsync(admin, new { kind = "change", title = "PHP 8.4", body = "Default version changes.", startsAt = "2026-12-01T00:00:00Z", affects = new { locations = new[] { place } } });
        await DeliveredAsync(admin, published.GetProperty("id").GetString()!);

        var mine = Assert.Single(await InboxAsync(first));
        var theirs = Assert.Single(await InboxAsync(second));
        Assert.Equal(1, (await (await first.Client.GetAsync("/api/v1/notifications/unread")).JsonAsync(HttpStatusCode.OK)).GetProperty("unread").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await first.Client.PostAsync($"/api/v1/notifications/{theirs.GetProperty("id").GetString()}/read", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await first.Client.PostAsync($"/api/v1/notifications/{mine.GetProperty("id").GetString()}/read", null)).StatusCode);
        Assert.Equal(0, (await (await first.Client.GetAsync("/api/v1/notifications/unread")).JsonAsync(HttpStatusCode.OK)).GetProperty("unread").GetInt32());
        Assert.Equal(JsonValueKind.Null, Assert.Single(await InboxAsync(second)).GetProperty("readAt").ValueKind);
        Assert.Equal(1, (await (await second.Client.PostAsync("/api/v1/notifications/read-all", null)).JsonAsync(HttpStatusCode.OK)).GetProperty("marked").GetInt32());
        // Agents and admins have no inbox here: customers only.
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/v1/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await first.Client.GetAsync(Notices)).StatusCode);
    }

    [Fact]
    public async Task TheStatusPage_ShowsPublicNoticesOnly_WithNoCustomerData_AndTheAtomFeedParses()
    {
        var admin = await app.AdminAsync();
        var n = Unique.Next();
        var place = $"Florence-{n}";
        var customer = await CustomerAsync(admin);
        await ServiceAsync(admin, customer, $"secret-shop-{n}", "Hosting", place);
        var order = (500000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customer.Id}/services", new
        {
            name = $"private-box-{n}", product = "Dedicated", location = place, orderNumber = order, ipAddresses = new[] { NoticeIps.Next() },
        })).JsonAsync(HttpStatusCode.Created);
        var incident = await PublishAsync(admin, new { kind = "incident", title = $"Fibre cut {n}", body = "A digger found our fibre.", affects = new { locations = new[] { place } } });
        await PublishAsync(admin, new { kind = "incident", title = $"Private reboot {n}", body = "Your box reboots.", affects = new { orderNumbers = new[] { order } } });
        await DeliveredAsync(admin, incident.GetProperty("id").GetString()!);
        await admin.PostAsJsonAsync($"{Notices}/{incident.GetProperty("id").GetString()}/updates", new { status = "identified", body = "Splicing now." });

        var page = await app.Anonymous().GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains($"Fibre cut {n}", html);
        Assert.Contains("Splicing now.", html);
        Assert.DoesNotContain($"Private reboot {n}", html);
        Assert.DoesNotContain($"secret-shop-{n}", html);
        Assert.DoesNotContain($"private-box-{n}", html);
        Assert.DoesNotContain(customer.Email, html);
        Assert.DoesNotContain(customer.Email.Split('@')[0], html);

        var feed = await app.Anonymous().GetAsync("/status/feed.atom?lang=en");
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.Equal("application/atom+xml", feed.Content.Headers.ContentType!.MediaType);
        var xml = System.Xml.Linq.XDocument.Parse(await feed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(System.Xml.Linq.XName.Get("feed", "http://www.w3.org/2005/Atom"), xml.Root!.Name);
        using var reader = System.Xml.XmlReader.Create(new StringReader(xml.ToString()));
        var parsed = System.ServiceModel.Syndication.SyndicationFeed.Load(reader);
        var titles = parsed.Items.Select(i => i.Title.Text).ToList();
        // One entry per notice and per update.
        Assert.Contains($"Incident: Fibre cut {n}", titles);
        Assert.Contains($"Identified: Fibre cut {n}", titles);
        Assert.DoesNotContain(titles, t => t.Contains($"Private reboot {n}", StringComparison.Ordinal));
        Assert.All(parsed.Items, i => Assert.StartsWith("urn:uuid:", i.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThePrivateCalendar_HoldsOnlyThatCustomersMaintenance_AndARevokedLinkAnswers404()
    {
        var admin = await app.AdminAsync();
        var n = Unique.Next();
        var mine = await CustomerAsync(admin, "it");
        await ServiceAsync(admin, mine, $"my-vps-{n}", "VPS", $"Naples-{n}");
        var other = await CustomerAsync(admin);
        await ServiceAsync(admin, other, $"their-vps-{n}", "VPS", $"Venice-{n}");
        var ours = await PublishAsync(admin, new
        {
            kind = "maintenance", title = new { en = $"Kernel update {n}", it = $"Aggiornamento del kernel {n}" }, body = "Reboots.",
            startsAt = "2026-12-20T01:00:00Z", endsAt = "2026-12-20T02:00:00Z", affects = new { locations = new[] { $"Naples-{n}" } },
        });
        var theirs = await PublishAsync(admin, new
        {
            kind = "maintenance", title = $"Disk swap {n}", body = "Disks.", startsAt = "2026-12-21T01:00:00Z", endsAt = "2026-12-21T02:00:00Z",
            affects = new { locations = new[] { $"Venice-{n}" } },
        });
        await DeliveredAsync(admin, ours.GetProperty("id").GetString()!);
        await DeliveredAsync(admin, theirs.GetProperty("id").GetString()!);
        await (await admin.PostAsJsonAsync($"{Notices}/{ours.GetProperty("id").GetString()}/updates", new
        {
            status = "rescheduled", startsAt = "2026-12-22T01:00:00Z", endsAt = "2026-12-22T03:00:00Z",
        })).JsonAsync(HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.NotFound, (await mine.Client.GetAsync("/api/v1/account/calendar")).StatusCode);
        var link = await (await mine.Client.PostAsync("/api/v1/account/calendar", null)).JsonAsync(HttpStatusCode.Created);
        var path = new Uri(link.GetProperty("url").GetString()!).AbsolutePath;
        var feed = await app.Anonymous().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, feed.StatusCode);
        Assert.Equal("text/calendar", feed.Content.Headers.ContentType!.MediaType);
        var calendar = Ical.Net.Calendar.Load(await feed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var only = Assert.Single(calendar.Events);
        Assert.Equal($"Aggiornamento del kernel {n}", only.Summary);
        Assert.Equal(new DateTime(2026, 12, 22, 1, 0, 0, DateTimeKind.Utc), only.DtStart!.AsUtc);
        Assert.Equal(new DateTime(2026, 12, 22, 3, 0, 0, DateTimeKind.Utc), only.DtEnd!.AsUtc);
        Assert.Contains($"my-vps-{n}", only.Description);
        Assert.Equal(1, only.Sequence);

        // A new link retires the old one; a revoked link answers 404 like one that never existed.
        var renewed = new Uri((await (await mine.Client.PostAsync("/api/v1/account/calendar", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("url").GetString()!).AbsolutePath;
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync(renewed)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await mine.Client.DeleteAsync("/api/v1/account/calendar")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync(renewed)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync("/calendar/not-a-real-secret-at-all-0000000.ics")).StatusCode);
    }
}
