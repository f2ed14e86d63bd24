using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Notices;

/// <summary>Tickets meet incidents: the form shows what we know, a ticket opened anyway is linked, and resolving answers it.</summary>
[Trait("Category", "Data")]
public sealed class TicketsMeetIncidentsTests(NoticeApp app) : IClassFixture<NoticeApp>
{
    private const string Notices = "/api/v1/admin/notices";

    private sealed record Customer(string Id, string Email, HttpClient Client, string ServiceId);

    private async Task<Customer> CustomerAsync(HttpClient admin, string location, string language = "en")
    {
        var email = $"incident-{Unique.Next()}@example.com";
        var id = (await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Customer " + email.Split('@')[0], password = "customer passphrase 2026", country = "IT", language, timeZone = "Europe/Rome",
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var service = await (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{id}/services", new
        {
            name = $"web-{Unique.Next()}", product = "VPS M", location,
            orderNumber = (600000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture), ipAddresses = new[] { NoticeIps.Next() },
        })).JsonAsync(HttpStatusCode.Created);
        return new Customer(id, email, await app.SignInAsync(email, "customer passphrase 2026"), service.GetProperty("id").GetString()!);
    }

    private static async Task<JsonElement> TicketAsync(Customer customer, string? serviceId) =>
        await customer.Client.OpenTicketAsync(new
        {
            department = "technical", priority = "normal", subject = "The site is down", description = "Nothing loads since this morning.", serviceId,
        });

    private static async Task<JsonElement> ViewAsync(Customer customer, string ticketId) =>
        await (await customer.Client.GetAsync($"/api/v1/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task TheFormShowsTheIncident_ATicketOpenedAnywayIsLinked_AndTheResolutionAnswersItInTheCustomersLanguage()
    {
        var admin = await app.AdminAsync();
        var place = $"Genoa-{Unique.Next()}";
        var italian = await CustomerAsync(admin, place, "it");
        var english = await CustomerAsync(admin, place);
        var elsewhere = await CustomerAsync(admin, "Elsewhere-" + place);
        var incident = (await (await admin.PostAsJsonAsync(Notices, new
        {
            kind = "incident", title = new { en = $"Storage outage {place}", it = $"Guasto storage {place}" }, body = "Disks fail.",
            affects = new { locations = new[] { place } },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        // Maintenance still to come is not under way: not shown, not linked.
        await (await admin.PostAsJsonAsync(Notices, new
        {
            kind = "maintenance", title = $"Future works {place}", body = "Later.", startsAt = "2027-01-10T02:00", endsAt = "2027-01-10T04:00",
            timeZone = "Europe/Rome", affects = new { locations = new[] { place } },
        })).JsonAsync(HttpStatusCode.Created);

        // The form shows what we know first, in the customer's language; the API says which services it covers.
        var italianWeb = await app.SignInWebAsync(italian.Email, "customer passphrase 2026");
        var form = WebUtility.HtmlDecode(await italianWeb.GetPageAsync($"/tickets/new?serviceId={italian.ServiceId}"));
        Assert.Contains($"Guasto storage {place}", form, StringComparison.Ordinal);
        Assert.Contains("Lo sappiamo già", form, StringComparison.Ordinal);
        Assert.DoesNotContain($"Future works {place}", form, StringComparison.Ordinal);
        var active = (await (await english.Client.GetAsync("/api/v1/notices/active")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();
        var known = Assert.Single(active, n => n.GetProperty("id").GetString() == incident);
        Assert.Equal([english.ServiceId], known.GetProperty("serviceIds").EnumerateArray().Select(s => s.GetString()!));
        Assert.DoesNotContain(active, n => n.GetProperty("title").GetString()!.Contains("Future works", StringComparison.Ordinal));
        Assert.Empty((await (await elsewhere.Client.GetAsync("/api/v1/notices/active")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());
        var elsewhereWeb = await app.SignInWebAsync(elsewhere.Email, "customer passphrase 2026");
        Assert.DoesNotContain($"Storage outage {place}", await elsewhereWeb.GetPageAsync("/tickets/new"), StringComparison.Ordinal);

        // Opened anyway: linked. Without the service, or about another one: not linked.
        var linkedIt = await TicketAsync(italian, italian.ServiceId);
        Assert.Equal(incident, linkedIt.GetProperty("noticeId").GetString());
        var linkedEn = await TicketAsync(english, english.ServiceId);
        var closedOne = await TicketAsync(english, english.ServiceId);
        await (await english.Client.PostAsJsonAsync($"/api/v1/tickets/{closedOne.GetProperty("id").GetString()}/status", new { status = "closed" })).JsonAsync(HttpStatusCode.OK);
        Assert.False((await TicketAsync(english, null)).TryGetProperty("noticeId", out _));
        Assert.False((await TicketAsync(elsewhere, elsewhere.ServiceId)).TryGetProperty("noticeId", out _));

        // The Desk shows the link and the count; the notice lists its tickets.
        var agentEmail = $"incident-agent{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(agentEmail, "technical");
        var ticketId = linkedIt.GetProperty("id").GetString()!;
        Assert.Equal(incident, (await (await agent.GetAsync($"/api/v1/desk/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK)).GetProperty("noticeId").GetString());
        var agentWeb = await app.SignInWebAsync(agentEmail, "agent passphrase 2026");
        var deskPage = WebUtility.HtmlDecode(await agentWeb.GetPageAsync($"/desk/tickets/{ticketId}"));
        Assert.Contains($"Storage outage {place}", deskPage, StringComparison.Ordinal);
        Assert.Contains("3 linked tickets", deskPage, StringComparison.Ordinal);
        var detail = await (await admin.GetAsync($"{Notices}/{incident}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, detail.GetProperty("linkedTickets").GetInt32());
        Assert.Contains(detail.GetProperty("tickets").EnumerateArray(), t => t.GetProperty("id").GetString() == ticketId);

        // A reply to the tickets only goes with a resolution.
        await (await admin.PostAsJsonAsync($"{Notices}/{incident}/updates", new { status = "identified", body = "Found it.", ticketReply = "Hi" }))
            .AssertNamesFieldAsync("ticketReply");
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await (await admin.PostAsJsonAsync($"{Notices}/{incident}/updates", new { status = "resolved", body = "Disks replaced." })).JsonAsync(HttpStatusCode.Created);

        // The default text, in each customer's language, by the resolving admin: answered, and the first response.
        var it = await ViewAsync(italian, ticketId);
        Assert.Equal("answered", it.GetProperty("status").GetString());
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime, it.GetProperty("firstRespondedAt").GetDateTime());
        var reply = it.GetProperty("messages").EnumerateArray().Last();
        Assert.Equal("agent", reply.GetProperty("author").GetProperty("kind").GetString());
        Assert.Equal("Administrator", reply.GetProperty("author").GetProperty("name").GetString());
        Assert.StartsWith($"Il disservizio \"Guasto storage {place}\" è risolto", reply.GetProperty("body").GetString(), StringComparison.Ordinal);
        var en = await ViewAsync(english, linkedEn.GetProperty("id").GetString()!);
        Assert.Equal("answered", en.GetProperty("status").GetString());
        Assert.StartsWith($"The incident \"Storage outage {place}\" is resolved", en.GetProperty("messages").EnumerateArray().Last().GetProperty("body").GetString(), StringComparison.Ordinal);
        // A ticket the customer had closed is left alone.
        var closed = await ViewAsync(english, closedOne.GetProperty("id").GetString()!);
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Single(closed.GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task TheAdminEditsTheReplyOnTheNoticePage_OrSendsNone()
    {
        var admin = await app.AdminAsync();
        var place = $"Pisa-{Unique.Next()}";
        var customer = await CustomerAsync(admin, place);
        async Task<string> IncidentAsync(string title) => (await (await admin.PostAsJsonAsync(Notices, new
        {
            kind = "incident", title, body = "Down.", affects = new { locations = new[] { place } },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var edited = await IncidentAsync($"Router fault {place}");
        var ticket = (await TicketAsync(customer, customer.ServiceId)).GetProperty("id").GetString()!;
        var page = $"/admin/notices/{edited}";
        var adminWeb = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        var form = WebUtility.HtmlDecode(await adminWeb.GetPageAsync(page));
        // The template is in the form, ready to edit.
        Assert.Contains($"The incident \"Router fault {place}\" is resolved", form, StringComparison.Ordinal);
        var posted = await adminWeb.SubmitAsync(page, page, new Dictionary<string, string>
        {
            ["Input.Status"] = "resolved", ["Input.BodyEn"] = "Router replaced.", ["Input.BodyIt"] = "",
            ["Input.ReplyEn"] = "Fixed: we replaced the router. Sorry for the trouble.", ["Input.ReplyIt"] = "",
        });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var view = await ViewAsync(customer, ticket);
        Assert.Equal("Fixed: we replaced the router. Sorry for the trouble.", view.GetProperty("messages").EnumerateArray().Last().GetProperty("body").GetString());

        // Emptied: the incident is resolved and the ticket is not answered.
        var silent = await IncidentAsync($"Switch fault {place}");
        var waiting = (await TicketAsync(customer, customer.ServiceId)).GetProperty("id").GetString()!;
        await (await admin.PostAsJsonAsync($"{Notices}/{silent}/updates", new { status = "resolved", body = "Switch replaced.", ticketReply = "" }))
            .JsonAsync(HttpStatusCode.Created);
        var untouched = await ViewAsync(customer, waiting);
        Assert.Equal("open", untouched.GetProperty("status").GetString());
        Assert.Single(untouched.GetProperty("messages").EnumerateArray());
    }
}
