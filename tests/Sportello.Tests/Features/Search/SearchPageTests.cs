using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Search;

/// <summary>Search through the pages: the Desk's (the box in every Desk page's header) and the Client Area's ticket list.</summary>
public sealed class SearchPageTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static string Tag() => "w" + Guid.NewGuid().ToString("N")[..10] + "7";

    private async Task<(HttpClient Api, HttpClient Web, string Email)> CustomerAsync()
    {
        var (email, _, _) = Unique.Customer("search-page");
        await (await app.AdminAsync()).CreateCustomerAsync(email);
        return (await app.SignInAsync(email, "customer passphrase 2026"), await app.SignInWebAsync(email, "customer passphrase 2026"), email);
    }

    [Fact]
    public async Task TheDesk_FindsTickets_HighlightsTheWords_AndNeverRunsTheirText()
    {
        var (customer, _, _) = await CustomerAsync();
        var tag = Tag();
        var ticket = await customer.OpenTicketAsync(new
        {
            department = "technical", priority = "normal", subject = $"<img src=x onerror=alert(1)> {tag}",
            description = $"The invoices <script>alert('x')</script> of {tag} are missing.",
        });
        var agentEmail = $"search-page{Unique.Next()}@sportello.test";
        await app.AgentAsync(agentEmail, "technical");
        var agent = await app.SignInWebAsync(agentEmail, "agent passphrase 2026");

        var desk = await agent.GetPageAsync("/desk");
        Assert.Contains("action=\"/desk/search\"", desk, StringComparison.Ordinal);
        var html = await agent.GetPageAsync($"/desk/search?q=invoice+{tag}");
        Assert.Contains($"href=\"/desk/tickets/{ticket.GetProperty("id").GetString()}\"", html, StringComparison.Ordinal);
        Assert.Contains("<mark>invoices</mark>", html, StringComparison.Ordinal);
        Assert.Contains($"<mark>{tag}</mark>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);

        // Nothing found says so; a bad filter is named on the form.
        Assert.Contains("No ticket matches.", await agent.GetPageAsync($"/desk/search?q=elephant+{tag}"), StringComparison.Ordinal);
        var bad = await agent.GetPageAsync("/desk/search?q=", HttpStatusCode.BadRequest);
        Assert.Contains("id=\"q-error\"", bad, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeskPage_SearchesNotices_AndTheAbuseDeskItsCases_WhichOthersCannotSeeOrReach()
    {
        var admin = await app.AdminAsync();
        var tag = Tag();
        await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = new { en = $"Storage <b>degraded</b> {tag}", it = $"Storage degradato {tag}" },
            body = new { en = "We are replacing a <script>alert(1)</script> controller.", it = "Stiamo sostituendo i controller." },
            affects = new { locations = new[] { $"Nowhere {tag}" } },
        })).JsonAsync(HttpStatusCode.Created);
        var (email, order, _) = Unique.Customer("abuse-page");
        var n = Unique.Next();
        var ip = $"198.19.{200 + (n / 250 % 50)}.{n % 250 + 1}";
        await app.CustomerWithServiceAsync(email, order, ip);
        var report = await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type = "spam", sourceIp = ip, evidence = $"Subject: Cheap pills {tag}\n\n<img src=x onerror=alert(1)>",
            reporter = new { name = "Rita Reporter", email = "rita@reporter.example" },
        })).JsonAsync(HttpStatusCode.Created);
        var technicalEmail = $"notice-page{Unique.Next()}@sportello.test";
        await app.AgentAsync(technicalEmail, "technical");
        var technical = await app.SignInWebAsync(technicalEmail, "agent passphrase 2026");
        var abuseEmail = $"abuse-page{Unique.Next()}@sportello.test";
        await app.AgentAsync(abuseEmail, "abuse");
        var abuseDesk = await app.SignInWebAsync(abuseEmail, "agent passphrase 2026");

        var notices = await technical.GetPageAsync($"/desk/search?in=notices&q=controllers+{tag}");
        Assert.Contains("<mark>controller</mark>", notices, StringComparison.Ordinal);
        Assert.Contains("Storage &lt;b&gt;degraded&lt;/b&gt;", notices, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", notices, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"abuse\"", notices, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await technical.GetAsync($"/desk/search?in=abuse&q={tag}")).StatusCode);

        var cases = await abuseDesk.GetPageAsync($"/desk/search?in=abuse&q=pill+{tag}");
        Assert.Contains($"href=\"/desk/abuse/{report.GetProperty("caseId").GetString()}\"", cases, StringComparison.Ordinal);
        Assert.Contains(report.GetProperty("reference").GetString()!, cases, StringComparison.Ordinal);
        Assert.Contains("<mark>pills</mark>", cases, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", cases, StringComparison.Ordinal);
        Assert.Contains("No abuse case matches.", await abuseDesk.GetPageAsync($"/desk/search?in=abuse&q=elephant+{tag}"), StringComparison.Ordinal);
        Assert.Contains("id=\"q-error\"", await abuseDesk.GetPageAsync("/desk/search?in=abuse&q=", HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDesk_OpensAnExactTicketNumberDirectly()
    {
        var (customer, _, _) = await CustomerAsync();
        var id = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Direct", description = "Open me." }))
            .GetProperty("id").GetString()!;
        var admin = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        var number = (await (await app.AdminAsync()).GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/desk/tickets/{id}", TestContext.Current.CancellationToken))
            .GetProperty("number").GetString()!;
        var response = await admin.GetAsync($"/desk/search?q=%23{number}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/desk/tickets/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task TheClientArea_SearchesTheCustomersOwnTicketsOnly()
    {
        var (alice, aliceWeb, _) = await CustomerAsync();
        var (bob, _, _) = await CustomerAsync();
        var tag = Tag();
        var mine = (await alice.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Mailbox full", description = $"Le caselle {tag} sono piene." }))
            .GetProperty("id").GetString()!;
        var theirs = (await bob.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Mailbox full", description = $"Le caselle {tag} sono piene." }))
            .GetProperty("id").GetString()!;

        var html = await aliceWeb.GetPageAsync($"/tickets?q=casella+{tag}");
        Assert.Contains($"href=\"/tickets/{mine}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(theirs, html, StringComparison.Ordinal);
        Assert.Contains("<mark>caselle</mark>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"search-q\"", await aliceWeb.GetPageAsync("/tickets"), StringComparison.Ordinal);
        Assert.Contains("id=\"q-error\"", await aliceWeb.GetPageAsync("/tickets?q=", HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }
}
