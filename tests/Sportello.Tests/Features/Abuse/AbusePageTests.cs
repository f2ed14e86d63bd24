using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Abuse;

/// <summary>
/// The abuse desk's pages and the customer's, as a browser without JavaScript sees them: the same use cases as the API.
/// (A mail app: a report nobody can read an address from only comes by mail.)
/// </summary>
[Trait("Category", "Data")]
public sealed class AbusePageTests(MailApp app) : IClassFixture<MailApp>
{
    private const string CustomerPassword = "customer passphrase 2026";
    private const string AgentPassword = "agent passphrase 2026";

    private sealed record Customer(string Email, string OrderNumber, string Ip, HttpClient Api);

    private static string Address(int n) => $"198.19.{n / 250}.{n % 250 + 1}";

    private async Task<Customer> CustomerAsync()
    {
        var n = Unique.Next();
        var (email, order, ip) = ($"abuse-pages-{n}@example.com", (930000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), Address(n));
        var (api, _) = await app.CustomerWithServiceAsync(email, order, ip);
        return new Customer(email, order, ip, api);
    }

    private async Task<HttpClient> AgentWebAsync(params string[] departments)
    {
        var email = $"abuse-pages-agent-{Unique.Next()}@sportello.test";
        await app.AgentAsync(email, departments);
        return await app.SignInWebAsync(email, AgentPassword);
    }

    private async Task<string> ReportAsync(string ip, string evidence = "Spam seen from this host.", string type = "spam") =>
        (await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type, sourceIp = ip, evidence, reporter = new { name = "Rita Reporter", email = "rita@reporter.example" },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("caseId").GetString()!;

    private static async Task<string> TextAsync(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK) =>
        WebUtility.HtmlDecode(await client.GetPageAsync(url, expected));

    private async Task<JsonElement> DeskCaseAsync(string id) =>
        await (await (await app.AdminAsync()).GetAsync($"/api/v1/desk/abuse-cases/{id}")).JsonAsync(HttpStatusCode.OK);

    [Fact]
    public async Task TheAbuseDesk_SeesTheCaseInTheQueue_AndTheReporterOnTheCasePage()
    {
        var customer = await CustomerAsync();
        var id = await ReportAsync(customer.Ip);
        var reference = (await DeskCaseAsync(id)).GetProperty("reference").GetString()!;
        var agent = await AgentWebAsync("abuse");

        var queue = await TextAsync(agent, "/desk/abuse");
        Assert.Contains($"href=\"/desk/abuse/{id}\"", queue, StringComparison.Ordinal);
        Assert.Contains(reference, queue, StringComparison.Ordinal);
        Assert.Contains("Customer " + customer.Email.Split('@')[0], queue, StringComparison.Ordinal);
        // The nav leads there; the filter narrows it.
        Assert.Contains("href=\"/desk/abuse\"", queue, StringComparison.Ordinal);
        Assert.Contains(reference, await TextAsync(agent, "/desk/abuse?state=forwarded"), StringComparison.Ordinal);
        Assert.DoesNotContain(reference, await TextAsync(agent, "/desk/abuse?state=resolved"), StringComparison.Ordinal);
        Assert.Contains("state must be one of", await TextAsync(agent, "/desk/abuse?state=open", HttpStatusCode.BadRequest), StringComparison.Ordinal);

        var page = await TextAsync(agent, $"/desk/abuse/{id}");
        Assert.Contains("Rita Reporter", page, StringComparison.Ordinal);
        Assert.Contains("rita@reporter.example", page, StringComparison.Ordinal);
        Assert.Contains("Spam seen from this host.", page, StringComparison.Ordinal);
        Assert.Contains($"Server {customer.OrderNumber} #{customer.OrderNumber}", page, StringComparison.Ordinal);
        Assert.Contains(customer.Email, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAgentOutsideTheAbuseDesk_Gets404_AndNoAbuseLink()
    {
        var customer = await CustomerAsync();
        var id = await ReportAsync(customer.Ip);
        var technical = await AgentWebAsync("technical");

        foreach (var url in new[] { "/desk/abuse", $"/desk/abuse/{id}", "/desk/abuse/statistics", "/desk/abuse/new" })
        {
            await technical.GetPageAsync(url, HttpStatusCode.NotFound);
        }
        Assert.DoesNotContain("href=\"/desk/abuse\"", await technical.GetPageAsync("/desk/chats"), StringComparison.Ordinal);
        // Its forms are as closed as its page: the resolve form posted anyway changes nothing.
        var token = WebForms.AntiforgeryToken(await technical.GetPageAsync("/desk/chats"));
        var post = await technical.PostAsync($"/desk/abuse/{id}?handler=Resolve", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["ResolveReason"] = "Not mine to resolve", ["__RequestVerificationToken"] = token,
        }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal("forwarded", (await DeskCaseAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task TheCustomer_SeesTheirCaseWithoutTheReporter_AnotherCustomerGets404()
    {
        var customer = await CustomerAsync();
        var id = await ReportAsync(customer.Ip, "Spam from your host, reported by Rita Reporter <rita@reporter.example>.");
        var reference = (await DeskCaseAsync(id)).GetProperty("reference").GetString()!;
        var web = await app.SignInWebAsync(customer.Email, CustomerPassword);

        var list = await TextAsync(web, "/abuse-cases");
        Assert.Contains($"href=\"/abuse-cases/{id}\"", list, StringComparison.Ordinal);
        Assert.Contains(reference, list, StringComparison.Ordinal);
        Assert.Contains("href=\"/abuse-cases\"", list, StringComparison.Ordinal);

        var raw = await web.GetPageAsync($"/abuse-cases/{id}");
        var page = WebUtility.HtmlDecode(raw);
        Assert.Contains(reference, page, StringComparison.Ordinal);
        Assert.Contains(customer.Ip, page, StringComparison.Ordinal);
        Assert.Contains($"Server {customer.OrderNumber} #{customer.OrderNumber}", page, StringComparison.Ordinal);
        Assert.Contains("Spam from your host", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Rita Reporter", page, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("rita@reporter.example", page, StringComparison.OrdinalIgnoreCase);
        // The deadline, in the customer's zone (Europe/Rome, CET in November): 24 hours after the report.
        Assert.Contains($"Answer by</dt><dd><strong>{SportelloApp.Start.AddHours(25):yyyy-MM-dd HH:mm} CET", page, StringComparison.Ordinal);

        var stranger = await CustomerAsync();
        var theirs = await app.SignInWebAsync(stranger.Email, CustomerPassword);
        await theirs.GetPageAsync($"/abuse-cases/{id}", HttpStatusCode.NotFound);
        Assert.DoesNotContain(reference, await TextAsync(theirs, "/abuse-cases"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCustomersAnswerForm_SetsTheCaseToCustomerResponded_AnEmptyAnswerIsExplainedUnderTheField()
    {
        var customer = await CustomerAsync();
        var id = await ReportAsync(customer.Ip);
        var web = await app.SignInWebAsync(customer.Email, CustomerPassword);
        var url = $"/abuse-cases/{id}";

        var empty = await web.SubmitAsync(url, $"{url}?handler=Answer", new Dictionary<string, string> { ["Body"] = "  " });
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        var refused = await empty.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Matches("id=\"answer-error\">[^<]*body is required", refused);
        Assert.Equal("forwarded", (await (await customer.Api.GetAsync($"/api/v1/abuse-cases/{id}")).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString());

        var answered = await web.SubmitAsync(url, $"{url}?handler=Answer", new Dictionary<string, string> { ["Body"] = "The mailer was a hacked form: removed." });
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        Assert.Equal(url, answered.Headers.Location?.OriginalString);
        var state = await (await customer.Api.GetAsync($"/api/v1/abuse-cases/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("customer-responded", state.GetProperty("state").GetString());
        Assert.Contains("The mailer was a hacked form: removed.", await TextAsync(web, url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheAgentsForms_WriteRecordAndResolve_WithErrorsUnderTheirFields()
    {
        var customer = await CustomerAsync();
        var id = await ReportAsync(customer.Ip, type: "phishing");
        var agent = await AgentWebAsync("abuse");
        var url = $"/desk/abuse/{id}";

        var empty = await agent.SubmitAsync(url, $"{url}?handler=Resolve", new Dictionary<string, string> { ["ResolveReason"] = "" });
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Matches("id=\"resolve-error\">[^<]*reason is required", await empty.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Redirect, (await agent.SubmitAsync(url, $"{url}?handler=Message",
            new Dictionary<string, string> { ["MessageBody"] = "Please remove the phishing kit under /wp-content/." })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await agent.SubmitAsync(url, $"{url}?handler=Suspension",
            new Dictionary<string, string> { ["SuspensionReason"] = "Kit still online after the deadline." })).StatusCode);
        var resolved = await agent.SubmitAsync(url, $"{url}?handler=Resolve", new Dictionary<string, string> { ["ResolveReason"] = "Kit removed, password reset." });
        Assert.Equal(HttpStatusCode.Redirect, resolved.StatusCode);
        Assert.Equal(url, resolved.Headers.Location?.OriginalString);

        var detail = await DeskCaseAsync(id);
        Assert.Equal("resolved", detail.GetProperty("state").GetString());
        Assert.Equal("Kit removed, password reset.", detail.GetProperty("resolution").GetString());
        Assert.Equal("Kit still online after the deadline.", detail.GetProperty("suspensionReason").GetString());
        var page = await TextAsync(agent, url);
        Assert.Contains("Please remove the phishing kit under /wp-content/.", page, StringComparison.Ordinal);
        Assert.Contains("Suspension requested", page, StringComparison.Ordinal);
        // A resolved case offers no second resolve; a post of it anyway is explained, not a 500.
        Assert.DoesNotContain("handler=Resolve", page, StringComparison.Ordinal);
        var again = await agent.SubmitAsync(url, $"{url}?handler=Resolve", new Dictionary<string, string> { ["ResolveReason"] = "Twice" });
        Assert.Contains("This case is already resolved.", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)), StringComparison.Ordinal);
        // The customer sees the agent's message and the resolution, never the reporter.
        var customerPage = await TextAsync(await app.SignInWebAsync(customer.Email, CustomerPassword), $"/abuse-cases/{id}");
        Assert.Contains("Please remove the phishing kit", customerPage, StringComparison.Ordinal);
        Assert.Contains("Kit removed, password reset.", customerPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Kit still online after the deadline.", customerPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvidenceWithMarkup_IsShownAsText_OnBothSides()
    {
        var customer = await CustomerAsync();
        var id = await ReportAsync(customer.Ip, "Hosted page: <script>alert(1)</script><img src=x onerror=alert(2)>");
        var agent = await AgentWebAsync("abuse");
        var web = await app.SignInWebAsync(customer.Email, CustomerPassword);

        foreach (var raw in new[] { await agent.GetPageAsync($"/desk/abuse/{id}"), await web.GetPageAsync($"/abuse-cases/{id}") })
        {
            Assert.DoesNotContain("<script>alert(1)</script>", raw, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", raw, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnUnhostedAddress_IsAnsweredNotOurs_WithOneClick_Once()
    {
        var n = Unique.Next();
        var id = await ReportAsync($"198.18.{n / 250}.{n % 250 + 1}");
        var agent = await AgentWebAsync("abuse");
        var url = $"/desk/abuse/{id}";

        var page = await TextAsync(agent, url);
        Assert.Contains("Not ours", page, StringComparison.Ordinal);
        Assert.Contains("Reporters who will be told that the address is not ours: 1.", page, StringComparison.Ordinal);
        // No customer: nobody to write to, nothing to suspend.
        Assert.DoesNotContain("handler=Message", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Suspension", page, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await agent.SubmitAsync(url, $"{url}?handler=NotOurs", new Dictionary<string, string>())).StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await DeskCaseAsync(id)).GetProperty("notOursAnsweredAt").ValueKind);
        var after = await TextAsync(agent, url);
        Assert.DoesNotContain("handler=NotOurs", after, StringComparison.Ordinal);
        Assert.Contains("Reporters told it is not ours", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecurityNotice_OpensACaseForTheCustomer_ABadAddressIsExplainedUnderTheField()
    {
        var customer = await CustomerAsync();
        var agent = await AgentWebAsync("abuse");

        var bad = await agent.SubmitAsync("/desk/abuse/new", "/desk/abuse/new", new Dictionary<string, string>
        {
            ["Ip"] = "10.0.0.8", ["Type"] = "compromised", ["Evidence"] = "Open resolver.",
        });
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Matches("id=\"ip-error\">[^<]*private, loopback or reserved", await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var opened = await agent.SubmitAsync("/desk/abuse/new", "/desk/abuse/new", new Dictionary<string, string>
        {
            ["Ip"] = customer.Ip, ["Type"] = "compromised", ["Evidence"] = "Your server answers DNS queries from anyone (open resolver).",
        });
        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        var location = opened.Headers.Location!.OriginalString;
        Assert.StartsWith("/desk/abuse/", location, StringComparison.Ordinal);
        Assert.Contains("Security notice", await TextAsync(agent, location), StringComparison.Ordinal);
        var customerPage = await TextAsync(await app.SignInWebAsync(customer.Email, CustomerPassword), location.Replace("/desk/abuse/", "/abuse-cases/", StringComparison.Ordinal));
        Assert.Contains("Our security team found a problem on your service.", customerPage, StringComparison.Ordinal);
        Assert.Contains("open resolver", customerPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheStatistics_CountThePeriodsCases_ABadDateIsExplainedUnderTheField()
    {
        var customer = await CustomerAsync();
        await ReportAsync(customer.Ip, type: "malware");
        var agent = await AgentWebAsync("abuse");

        var page = await TextAsync(agent, "/desk/abuse/statistics");
        Assert.Contains("Per type", page, StringComparison.Ordinal);
        Assert.Matches("<th scope=\"row\">Malware</th><td class=\"count\">[1-9]", page);
        Assert.Contains($"Server {customer.OrderNumber} (#{customer.OrderNumber})", page, StringComparison.Ordinal);
        var before = await TextAsync(agent, "/desk/abuse/statistics?from=2020-01-01&to=2020-02-01");
        Assert.Contains("0 cases, 0 reports.", before, StringComparison.Ordinal);

        var bad = await agent.GetPageAsync("/desk/abuse/statistics?from=yesterday", HttpStatusCode.BadRequest);
        Assert.Matches("id=\"from-error\">[^<]*from must be a date written yyyy-MM-dd", bad);
        // A date the statistics do not count (thirty days before it would be before the calendar): explained, not a 500.
        Assert.Matches("id=\"to-error\">[^<]*between the years 2000 and 9000", await agent.GetPageAsync("/desk/abuse/statistics?to=0001-01-01", HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task ANewCaseWithoutAnAddress_GetsOneThroughTheAddressForm_AndGoesToTheCustomer()
    {
        await app.StartAsync();
        var customer = await CustomerAsync();
        var agent = await AgentWebAsync("abuse");
        var subject = $"Complaint unreadable-{Unique.Next()}";
        await app.SendAsync(MailApp.Mail($"someone-{Unique.Next()}@example.org", subject, "Your customer's shop keeps mailing me, make it stop.", to: MailApp.Abuse));
        var admin = await app.AdminAsync();
        string? id = null;
        await Eventually.TrueAsync(async () =>
        {
            foreach (var c in (await (await admin.GetAsync("/api/v1/desk/abuse-cases?state=new&limit=200")).JsonAsync(HttpStatusCode.OK)).EnumerateArray())
            {
                if ((await DeskCaseAsync(c.GetProperty("id").GetString()!)).GetProperty("reportList")[0].GetProperty("subject").GetString() == subject)
                {
                    id = c.GetProperty("id").GetString();
                }
            }
            return id is not null;
        }, "the unreadable report in the queue as new");
        var url = $"/desk/abuse/{id}";
        Assert.Contains($"href=\"/desk/abuse/{id}\"", await TextAsync(agent, "/desk/abuse?state=new"), StringComparison.Ordinal);
        Assert.Contains("handler=Address", await TextAsync(agent, url), StringComparison.Ordinal);

        var refused = await agent.SubmitAsync(url, $"{url}?handler=Address", new Dictionary<string, string> { ["AddressIp"] = "10.1.2.3" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Matches("id=\"address-error\">[^<]*private, loopback or reserved", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Redirect, (await agent.SubmitAsync(url, $"{url}?handler=Address", new Dictionary<string, string> { ["AddressIp"] = customer.Ip })).StatusCode);

        Assert.Equal("forwarded", (await DeskCaseAsync(id!)).GetProperty("state").GetString());
        var page = await TextAsync(agent, url);
        Assert.DoesNotContain("handler=Address", page, StringComparison.Ordinal);
        Assert.Contains("Address set", page, StringComparison.Ordinal);
        Assert.Contains("make it stop", await TextAsync(await app.SignInWebAsync(customer.Email, CustomerPassword), $"/abuse-cases/{id}"), StringComparison.Ordinal);
    }
}
