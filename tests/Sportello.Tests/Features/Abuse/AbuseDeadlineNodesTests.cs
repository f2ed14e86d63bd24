using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Features.Abuse;
using Sportello.Tests.Features.Tickets;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Abuse;

/// <summary>
/// The abuse deadlines run on every node with no leader: two nodes sweeping the same database at the same moment
/// escalate each overdue case once, with one audit entry.
/// </summary>
[Trait("Category", "Data")]
public sealed class AbuseDeadlineNodesTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task TwoNodesSweepingAtOnce_EscalateEachOverdueCaseOnce()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var cases = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var n = Unique.Next();
            var ip = $"198.19.{200 + (n / 250 % 50)}.{n % 250 + 1}";
            await app.CustomerWithServiceAsync($"abuse-nodes-{n}@example.com", (930000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), ip);
            cases.Add((await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new
            {
                type = "malware", sourceIp = ip, evidence = $"Malware served from {ip}.", reporter = new { name = "Rita", email = $"rita-{n}@reporter.example" },
            })).JsonAsync(HttpStatusCode.Created)).GetProperty("caseId").GetString()!);
        }
        await using var other = new NextMailNode(app.Database, app.Clock);
        await other.InitializeAsync();
        // Both nodes running (each swept once at its start, before the deadline), then the deadline passes.
        var here = app.Services.GetRequiredService<AbuseDeadlines>();
        var there = other.Services.GetRequiredService<AbuseDeadlines>();
        app.Clock.Advance(TimeSpan.FromHours(25));
        other.Clock.Advance(TimeSpan.FromHours(25));

        var passes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => i % 2 == 0 ? here.SweepAsync() : there.SweepAsync()));

        // The nodes' own timers may take a case first; together they never escalate more than there is.
        Assert.InRange(passes.Sum(), 1, cases.Count);
        var agent = await app.AgentAsync($"abuse-nodes-{Unique.Next()}@sportello.test", "abuse");
        foreach (var id in cases)
        {
            var view = await (await agent.GetAsync($"/api/v1/desk/abuse-cases/{id}")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal("escalated", view.GetProperty("state").GetString());
            Assert.Single(view.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "escalated");
        }
    }
}
