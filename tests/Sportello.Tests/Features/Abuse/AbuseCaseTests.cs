using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Features.Abuse;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Abuse;

/// <summary>Reports through the API, the abuse desk's work on a case, its deadline, and who may see what.</summary>
[Trait("Category", "Data")]
public sealed class AbuseCaseTests(MailApp app) : IClassFixture<MailApp>
{
    private sealed record Customer(string Id, string Email, string ServiceId, string Ip, HttpClient Client);

    private async Task<Customer> CustomerAsync()
    {
        await app.StartAsync();
        var n = Unique.Next();
        var (email, order, ip) = ($"abuse-api-{n}@example.com", (910000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"198.19.{n / 250}.{n % 250 + 1}");
        var (client, serviceId) = await app.CustomerWithServiceAsync(email, order, ip);
        var id = (await (await client.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK)).GetProperty("id").GetString()!;
        return new Customer(id, email, serviceId, ip, client);
    }

    private Task<HttpClient> AbuseAgentAsync() => app.AgentAsync($"abuse-desk-{Unique.Next()}@sportello.test", "abuse");

    private async Task<JsonElement> ReportAsync(string ip, string type = "spam", string evidence = "Spam seen from this host.", object? reporter = null) =>
        await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type, sourceIp = ip, evidence, reporter = reporter ?? new { name = "Rita Reporter", email = $"rita-{Unique.Next()}@reporter.example" },
        })).JsonAsync(HttpStatusCode.Created);

    private static async Task<JsonElement> GetAsync(HttpClient client, string path) => await (await client.GetAsync(path)).JsonAsync(HttpStatusCode.OK);

    private Task<int> SweepAsync() => app.Services.GetRequiredService<AbuseDeadlines>().SweepAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task BadReports_AreRefusedNamingTheField()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        async Task Refused(object body, string field) =>
            await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", body)).AssertNamesFieldAsync(field);

        await Refused(new { type = "rudeness", sourceIp = "198.51.100.7", evidence = "x" }, "type");
        await Refused(new { type = "spam", sourceIp = "198.51.100.300", evidence = "x" }, "sourceIp");
        await Refused(new { type = "spam", sourceIp = "0x7f.1", evidence = "x" }, "sourceIp");
        await Refused(new { type = "spam", sourceIp = "10.0.0.8", evidence = "x" }, "sourceIp");
        await Refused(new { type = "spam", sourceIp = "::1", evidence = "x" }, "sourceIp");
        await Refused(new { type = "spam", sourceIp = "198.51.100.7", evidence = " " }, "evidence");
        await Refused(new { type = "spam", sourceIp = "198.51.100.7", evidence = "x", reporter = new { email = "not an address" } }, "reporter.email");
        await Refused(new { type = "spam", sourceIp = "198.51.100.7", evidence = "x", urls = new[] { "javascript:alert(1)" } }, "urls[0]");

        var customer = await CustomerAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.Client.PostAsJsonAsync("/api/v1/admin/abuse-reports",
            new { type = "spam", sourceIp = "198.51.100.7", evidence = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.Client.GetAsync("/api/v1/desk/abuse-cases")).StatusCode);
    }

    [Fact]
    public async Task OnlyTheAbuseDeskAndAdmins_SeeTheQueue_OthersGet404()
    {
        var customer = await CustomerAsync();
        var created = await ReportAsync(customer.Ip);
        var id = created.GetProperty("caseId").GetString()!;
        Assert.Matches(@"^ABU-\d{8}$", created.GetProperty("reference").GetString()!);

        var abuseAgent = await AbuseAgentAsync();
        var technical = await app.AgentAsync($"tech-{Unique.Next()}@sportello.test", "technical");
        var admin = await app.AdminAsync();
        Assert.Contains((await GetAsync(abuseAgent, "/api/v1/desk/abuse-cases?state=forwarded")).EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        Assert.DoesNotContain((await GetAsync(abuseAgent, "/api/v1/desk/abuse-cases?state=resolved")).EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        Assert.Equal(id, (await GetAsync(admin, $"/api/v1/desk/abuse-cases/{id}")).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await technical.GetAsync("/api/v1/desk/abuse-cases")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await technical.GetAsync($"/api/v1/desk/abuse-cases/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await technical.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/resolve", new { reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await technical.GetAsync("/api/v1/desk/abuse-statistics")).StatusCode);
        await (await abuseAgent.GetAsync("/api/v1/desk/abuse-cases?state=open")).AssertNamesFieldAsync("state");
        // Not even a bad filter tells another department the queue is there.
        Assert.Equal(HttpStatusCode.NotFound, (await technical.GetAsync("/api/v1/desk/abuse-cases?state=open&limit=0")).StatusCode);
        // An abuse case is not a ticket: the abuse agent's ticket queue stays empty of it.
        Assert.Equal(HttpStatusCode.NotFound, (await abuseAgent.GetAsync($"/api/v1/desk/tickets/{id}")).StatusCode);
    }

    [Fact]
    public async Task ADeadlineThatPassesWithoutAnAnswer_EscalatesTheCase_AnAnsweredOneStays()
    {
        var silent = await CustomerAsync();
        var diligent = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var silentCase = (await ReportAsync(silent.Ip, "malware")).GetProperty("caseId").GetString()!;
        var diligentCase = (await ReportAsync(diligent.Ip, "malware")).GetProperty("caseId").GetString()!;
        var respondBy = (await GetAsync(agent, $"/api/v1/desk/abuse-cases/{silentCase}")).GetProperty("respondBy").GetDateTime();
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime.AddHours(24), respondBy, TimeSpan.FromSeconds(1));

        await (await diligent.Client.PostAsJsonAsync($"/api/v1/abuse-cases/{diligentCase}/messages", new { body = "Cleaned the infected WordPress." }))
            .JsonAsync(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromHours(23));
        await SweepAsync();
        Assert.Equal("forwarded", (await GetAsync(agent, $"/api/v1/desk/abuse-cases/{silentCase}")).GetProperty("state").GetString());

        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.True(await SweepAsync() >= 1);
        var escalated = await GetAsync(agent, $"/api/v1/desk/abuse-cases/{silentCase}");
        Assert.Equal("escalated", escalated.GetProperty("state").GetString());
        Assert.Contains(escalated.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "escalated");
        Assert.Equal("customer-responded", (await GetAsync(agent, $"/api/v1/desk/abuse-cases/{diligentCase}")).GetProperty("state").GetString());
        Assert.Equal("escalated", (await GetAsync(silent.Client, $"/api/v1/abuse-cases/{silentCase}")).GetProperty("state").GetString());
        // Escalated once: a second sweep finds nothing more to do with it.
        await SweepAsync();
        Assert.Single((await GetAsync(agent, $"/api/v1/desk/abuse-cases/{silentCase}")).GetProperty("events").EnumerateArray(),
            e => e.GetProperty("kind").GetString() == "escalated");
    }

    [Fact]
    public async Task ReportsGroupWithinTheWindowOnly_AndPerType()
    {
        var customer = await CustomerAsync();
        var first = (await ReportAsync(customer.Ip)).GetProperty("caseId").GetString();
        var second = await ReportAsync(customer.Ip);
        Assert.Equal(first, second.GetProperty("caseId").GetString());
        Assert.Equal(2, second.GetProperty("reports").GetInt32());
        Assert.NotEqual(first, (await ReportAsync(customer.Ip, "phishing")).GetProperty("caseId").GetString());
        // The same address written as IPv4-mapped IPv6 is the same service.
        Assert.Equal(first, (await ReportAsync($"::ffff:{customer.Ip}")).GetProperty("caseId").GetString());

        app.Clock.Advance(TimeSpan.FromHours(25));
        Assert.NotEqual(first, (await ReportAsync(customer.Ip)).GetProperty("caseId").GetString());
    }

    [Fact]
    public async Task TheDeskWritesToTheCustomer_RecordsASuspensionRequest_AndResolves_AllInTheAuditTrail()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var id = (await ReportAsync(customer.Ip, "compromised")).GetProperty("caseId").GetString()!;

        await (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/messages", new { body = "Please send us the output of ps aux." }))
            .JsonAsync(HttpStatusCode.Created);
        var asked = await app.MailOut.WaitForAsync(customer.Email, m => (m.TextBody ?? "").Contains("ps aux", StringComparison.Ordinal));
        Assert.Contains("Re: [ABU-", asked.Subject, StringComparison.Ordinal);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/suspension-request", new { reason = "Still sending spam after 24 hours." }))
            .JsonAsync(HttpStatusCode.OK);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/resolve", new { reason = "" })).AssertNamesFieldAsync("reason");
        var resolved = await (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/resolve", new { reason = "Host reinstalled by the customer." }))
            .JsonAsync(HttpStatusCode.OK);

        Assert.Equal("resolved", resolved.GetProperty("state").GetString());
        Assert.Equal("Still sending spam after 24 hours.", resolved.GetProperty("suspensionReason").GetString());
        var kinds = resolved.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["created", "forwarded", "acknowledged", "agent-message", "suspension-requested", "resolved"], kinds);
        Assert.All(resolved.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("kind").GetString() is "agent-message" or "resolved"),
            e => Assert.StartsWith("Agent ", e.GetProperty("actorName").GetString(), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await agent.PostAsJsonAsync($"/api/v1/desk/abuse-cases/{id}/resolve", new { reason = "again" })).StatusCode);
        var mine = await GetAsync(customer.Client, $"/api/v1/abuse-cases/{id}");
        Assert.Equal("Host reinstalled by the customer.", mine.GetProperty("resolution").GetString());
    }

    [Fact]
    public async Task TheCustomerSeesNoUrlNamingTheReporter_AndATimeWithoutZoneIsUtc()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var id = (await (await (await app.AdminAsync()).PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type = "phishing", sourceIp = customer.Ip, evidence = "Phishing kit found.", occurredAt = "2026-11-20T08:15:00",
            reporter = new { name = "Rita Reporter", email = "rita@reporter.example" },
            urls = new[] { "https://www.reporter.example/contact?u=rita@reporter.example", "http://bank-login.customer.example/secure" },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("caseId").GetString()!;

        var mine = (await GetAsync(customer.Client, $"/api/v1/abuse-cases/{id}")).GetProperty("reportList")[0];
        Assert.Equal(["http://bank-login.customer.example/secure"], mine.GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(new DateTime(2026, 11, 20, 8, 15, 0, DateTimeKind.Utc), mine.GetProperty("occurredAt").GetDateTime().ToUniversalTime());
        Assert.Equal(2, (await GetAsync(agent, $"/api/v1/desk/abuse-cases/{id}")).GetProperty("reportList")[0].GetProperty("urls").GetArrayLength());
    }

    [Fact]
    public async Task TheCustomerAnswersOwnCasesOnly_AndNeverSeesTheReporter()
    {
        var customer = await CustomerAsync();
        var other = await CustomerAsync();
        var id = (await ReportAsync(customer.Ip, evidence: "Report by Rita Reporter <rita@reporter.example>: spam from the host.",
            reporter: new { name = "Rita Reporter", email = "rita@reporter.example" })).GetProperty("caseId").GetString()!;

        var raw = await (await customer.Client.GetAsync($"/api/v1/abuse-cases/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("spam from the host", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("Rita", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("reporter.example", raw, StringComparison.Ordinal);
        var list = await (await customer.Client.GetAsync("/api/v1/abuse-cases")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("reporter.example", list, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PostAsJsonAsync($"/api/v1/abuse-cases/{id}/messages", new { body = "mine?" })).StatusCode);
        await (await customer.Client.PostAsJsonAsync($"/api/v1/abuse-cases/{id}/messages", new { body = "  " })).AssertNamesFieldAsync("body");
        await (await customer.Client.PostAsJsonAsync($"/api/v1/abuse-cases/{id}/messages", new { body = "Fixed: the contact form was abused." }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal("customer-responded", (await GetAsync(customer.Client, $"/api/v1/abuse-cases/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task StatisticsShowTheRepeatOffenderFirst()
    {
        // A period of its own, after every other test's cases (tokens signed before it would have expired: sign in after).
        app.Clock.Advance(TimeSpan.FromDays(400));
        var repeat = await CustomerAsync();
        var once = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var from = app.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await ReportAsync(repeat.Ip, "spam");
        await ReportAsync(repeat.Ip, "spam");
        await ReportAsync(repeat.Ip, "phishing");
        await ReportAsync(once.Ip, "attack");

        var stats = await GetAsync(agent, $"/api/v1/desk/abuse-statistics?from={from}");
        Assert.Equal(3, stats.GetProperty("cases").GetInt32());
        Assert.Equal(4, stats.GetProperty("reports").GetInt32());
        var top = stats.GetProperty("byCustomer")[0];
        Assert.Equal(repeat.Id, top.GetProperty("key").GetString());
        Assert.Equal(2, top.GetProperty("cases").GetInt32());
        Assert.Equal(3, top.GetProperty("reports").GetInt32());
        Assert.Equal(repeat.ServiceId, stats.GetProperty("byService")[0].GetProperty("key").GetString());
        Assert.Equal(["attack", "phishing", "spam"], stats.GetProperty("byType").EnumerateArray().Select(t => t.GetProperty("key").GetString()).Order());
        await (await agent.GetAsync("/api/v1/desk/abuse-statistics?from=yesterday")).AssertNamesFieldAsync("from");
    }

    [Fact]
    public async Task AnAgentStartsASecurityNotification_ThatReachesTheCustomerLikeAReport()
    {
        var customer = await CustomerAsync();
        var agent = await AbuseAgentAsync();
        var created = await (await agent.PostAsJsonAsync("/api/v1/desk/abuse-cases",
            new { ip = customer.Ip, type = "compromised", evidence = "Your DNS server answers recursive queries from anyone (open resolver)." }))
            .JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("caseId").GetString()!;
        var detail = await GetAsync(agent, $"/api/v1/desk/abuse-cases/{id}");
        Assert.True(detail.GetProperty("securityNotice").GetBoolean());
        Assert.Equal("forwarded", detail.GetProperty("state").GetString());
        var mail = await app.MailOut.WaitForAsync(customer.Email, m => (m.Subject ?? "").Contains(created.GetProperty("reference").GetString()!, StringComparison.Ordinal));
        Assert.Contains("our abuse desk has found", mail.TextBody, StringComparison.Ordinal);

        await (await agent.PostAsJsonAsync("/api/v1/desk/abuse-cases", new { ip = "198.51.100.250", type = "compromised", evidence = "x" }))
            .AssertNamesFieldAsync("ip");
        var technical = await app.AgentAsync($"tech-{Unique.Next()}@sportello.test", "technical");
        Assert.Equal(HttpStatusCode.NotFound, (await technical.PostAsJsonAsync("/api/v1/desk/abuse-cases",
            new { ip = customer.Ip, type = "compromised", evidence = "x" })).StatusCode);
    }
}
