using System.Net;
using System.Net.Http.Json;
using Sportello.Features.Sla;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

public sealed class SlaReportRulesTests
{
    private static readonly DateTime T0 = new(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);

    private static SlaReport.Row Row(string priority, double? answeredAfterMinutes, int targetMinutes = 10, string department = "technical") =>
        new(department, priority, "web", T0, T0.AddMinutes(targetMinutes), answeredAfterMinutes is { } m ? T0.AddMinutes(m) : null);

    [Fact]
    public void Report_PercentilesAndShare_CountOverdueUnansweredAsMissed()
    {
        var rows = new List<SlaReport.Row>();
        rows.AddRange(Enumerable.Range(1, 18).Select(m => Row("normal", m * 0.5)));   // 0.5 .. 9 minutes: within
        rows.Add(Row("normal", 12));                                                   // late
        rows.Add(Row("normal", null));                                                 // unanswered, overdue at T0+1h
        var report = SlaReport.Build(T0, T0.AddDays(1), rows, now: T0.AddHours(1));
        var normal = Assert.Single(report.Groups);
        Assert.Equal(20, normal.Tickets);
        Assert.Equal(19, normal.Responded);
        Assert.Equal(18, normal.WithinTarget);
        Assert.Equal(2, normal.Missed);
        Assert.Equal(0.9, normal.ShareWithinTarget);
        Assert.Equal(5.0, normal.P50Minutes);
        Assert.Equal(12.0, normal.P95Minutes); // nearest rank: the 19th of 19
    }

    [Fact]
    public void Histograms_AddedTogether_CountEachResponseOnce_AscendingWhateverOrderTheyCameIn()
    {
        var random = new Random(16);
        var parts = Enumerable.Range(0, 37).Select(p => Enumerable.Range(0, random.Next(0, 60))
            .Select(_ => ((long)random.Next(0, 400), random.Next(1, 4))).ToList()).ToList();
        // Most come ascending, as the roll-up stores them; some not, with a tenth twice.
        var ascending = parts.Take(30).Select(p => (IReadOnlyList<(long, int)>)SlaReport.Tally.Ascending(p));
        var asCame = parts.Skip(30).Select(p => (IReadOnlyList<(long, int)>)[.. p, .. p.Take(1)]);
        var merged = SlaReport.Tally.Merge([.. ascending, .. asCame]);

        var expected = parts.SelectMany(p => p).Concat(parts.Skip(30).SelectMany(p => p.Take(1)))
            .GroupBy(r => r.Item1).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(r => r.Item2))).ToList();
        Assert.Equal(expected, merged);
        Assert.Empty(SlaReport.Tally.Merge([[], []]));
    }

    [Fact]
    public void Report_UnansweredStillInTime_IsNeitherMetNorMissed()
    {
        var report = SlaReport.Build(T0, T0.AddDays(1), [Row("high", null)], now: T0.AddMinutes(3));
        Assert.Equal(1, report.Overall.Waiting);
        Assert.Null(report.Overall.ShareWithinTarget);
        Assert.Null(report.Overall.P50Minutes);
    }
}

[Trait("Category", "Data")]
public sealed class SlaPolicyAndReportTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task Admin_ChangesATarget_NewTicketsUseIt_BadValuesAreNamed()
    {
        var admin = await app.AdminAsync();
        var policies = await (await admin.GetAsync("/api/v1/admin/sla-policies")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(policies.EnumerateArray(), p => p.GetProperty("channel").GetString() == "web"
            && p.GetProperty("priority").GetString() == "high" && p.GetProperty("firstResponseMinutes").GetInt32() == 10);
        Assert.Contains(policies.EnumerateArray(), p => p.GetProperty("channel").GetString() == "email"
            && p.GetProperty("firstResponseMinutes").GetInt32() == 30);

        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal", new { firstResponseMinutes = 0, nextResponseMinutes = 60 }))
            .AssertNamesFieldAsync("firstResponseMinutes");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/fax/normal",
            new { firstResponseMinutes = 5, nextResponseMinutes = 60 })).StatusCode);
        var agent = await app.AgentAsync("policy-agent@sportello.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal",
            new { firstResponseMinutes = 1, nextResponseMinutes = 1 })).StatusCode);

        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal", new { firstResponseMinutes = 5, nextResponseMinutes = 45 }))
            .JsonAsync(HttpStatusCode.OK);
        var (email, order, ip) = Unique.Customer("policy");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "x", description = "y" });
        Assert.Equal(ticket.GetProperty("createdAt").GetDateTime().AddMinutes(5), ticket.GetProperty("firstResponseDueAt").GetDateTime());
        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal", new { firstResponseMinutes = 10, nextResponseMinutes = 120 }))
            .JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Report_ShowsFirstResponseTimesByGroup()
    {
        var (email, order, ip) = Unique.Customer("report");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync("report-agent@sportello.example");
        var start = app.Clock.GetUtcNow().UtcDateTime;
        var fast = (await customer.OpenTicketAsync(new { department = "financial", priority = "normal", subject = "fast", description = "x" })).GetProperty("id").GetString();
        var slow = (await customer.OpenTicketAsync(new { department = "financial", priority = "normal", subject = "slow", description = "x" })).GetProperty("id").GetString();
        app.Clock.Advance(TimeSpan.FromMinutes(4));
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{fast}/messages", new { body = "ok" })).JsonAsync(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{slow}/messages", new { body = "sorry" })).JsonAsync(HttpStatusCode.Created);

        var report = await (await agent.GetAsync($"/api/v1/desk/sla?from={start:O}&to={start.AddMinutes(1):O}")).JsonAsync(HttpStatusCode.OK);
        var financial = report.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("department").GetString() == "financial");
        Assert.Equal(2, financial.GetProperty("tickets").GetInt32());
        Assert.Equal(0.5, financial.GetProperty("shareWithinTarget").GetDouble());
        Assert.Equal(4.0, financial.GetProperty("p50Minutes").GetDouble());
        Assert.Equal(14.0, financial.GetProperty("p95Minutes").GetDouble());
        var (c2, _) = await app.CustomerWithServiceAsync(Unique.Customer("report2").Email, Unique.Customer("r").OrderNumber, Unique.Customer("r").Ip);
        Assert.Equal(HttpStatusCode.Forbidden, (await c2.GetAsync("/api/v1/desk/sla")).StatusCode);
        await (await agent.GetAsync($"/api/v1/desk/sla?from={start:O}&to={start.AddDays(-1):O}")).AssertNamesFieldAsync("from");
    }
}
