using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Sportello.Data;
using Sportello.Features.Sla;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Sla;

/// <summary>The report read from the roll-up's days and hours gives the same figures as the same report computed from the tickets alone.</summary>
[Trait("Category", "Data")]
public sealed class SlaRollupTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static readonly string[] Zones = ["UTC", "Europe/Rome", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"];

    [Fact]
    public async Task Report_FromTheRollup_EqualsTheLiveReport_AsTicketsAreAnsweredMergedAndMovedLater()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("rollup@example.com", "920101", "192.0.2.221");
        var agent = await app.AgentAsync("rollup-agent@sportello.example", "technical", "financial");
        var admin = await app.AdminAsync();
        var start = app.Clock.GetUtcNow().UtcDateTime;
        var opened = new List<string>();
        async Task<string> OpenAsync(string department, string priority)
        {
            var id = (await customer.OpenTicketAsync(SlaTickets.Body(department, priority, $"Rollup {opened.Count}", priority == "high" ? "920101" : null))).GetProperty("id").GetString()!;
            opened.Add(id);
            return id;
        }
        Task ReplyAsync(string id) => agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "On it." })
            .ContinueWith(r => r.Result.JsonAsync(HttpStatusCode.Created)).Unwrap();

        // A week of tickets at uneven times: answered in time, late, the next day, never; one merged into another.
        var steps = new[] { 7, 23, 41, 59, 95, 130, 181, 240, 333, 410, 555, 720 };
        for (var i = 0; i < 36; i++)
        {
            var id = await OpenAsync(i % 3 == 0 ? "financial" : "technical", i % 4 == 0 ? "high" : "normal");
            app.Clock.Advance(TimeSpan.FromMinutes(i % 5 + 1) + TimeSpan.FromSeconds(i * 7 % 60));
            if (i % 6 != 5)
            {
                await ReplyAsync(id);
            }
            app.Clock.Advance(TimeSpan.FromMinutes(steps[i % steps.Length]));
        }
        await ReplyAsync(opened[5]);
        await Merge(agent, opened[11], opened[10]);
        // A long target (a ticket still in time when its hour is rolled up), then the usual one again.
        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/high", new { firstResponseMinutes = 600, nextResponseMinutes = 30 })).JsonAsync(HttpStatusCode.OK);
        await OpenAsync("technical", "high");
        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/high", new { firstResponseMinutes = 10, nextResponseMinutes = 30 })).JsonAsync(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.True(await RollUpAsync() > 0);
        await AssertSameAsLiveAsync(start);

        // Changes to tickets whose hours are rolled up already: read live until the next roll-up counts them again.
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await ReplyAsync(opened[17]);
        await ReplyAsync(opened[29]);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{opened[1]}/priority", new { priority = "high" })).JsonAsync(HttpStatusCode.OK);
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{opened[2]}/department", new { department = "financial" })).JsonAsync(HttpStatusCode.OK);
        await Merge(agent, opened[23], opened[22]);
        await OpenAsync("technical", "normal");
        await AssertSameAsLiveAsync(start);

        app.Clock.Advance(TimeSpan.FromMinutes(7));
        Assert.True(await RollUpAsync() > 0);
        await AssertSameAsLiveAsync(start);

        // The patient ticket's target passes: its hour now comes from the roll-up, with the ticket counted as missed.
        app.Clock.Advance(TimeSpan.FromHours(9));
        await RollUpAsync();
        await AssertSameAsLiveAsync(start);

        // A patient ticket opened at 23:40 UTC, still in time once its whole day is rolled up: that day is read by the hour.
        var clock = app.Clock.GetUtcNow().UtcDateTime;
        app.Clock.Advance(clock.Date.AddDays(clock.Hour == 23 ? 2 : 1).AddMinutes(-20) - clock);
        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/high", new { firstResponseMinutes = 600, nextResponseMinutes = 30 })).JsonAsync(HttpStatusCode.OK);
        await OpenAsync("technical", "high");
        await (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/high", new { firstResponseMinutes = 10, nextResponseMinutes = 30 })).JsonAsync(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromHours(1));
        await RollUpAsync();
        await AssertSameAsLiveAsync(start);
        app.Clock.Advance(TimeSpan.FromHours(10));
        await RollUpAsync();
        await AssertSameAsLiveAsync(start);
    }

    private static async Task Merge(HttpClient agent, string duplicate, string into)
    {
        var number = (await (await agent.GetAsync($"/api/v1/desk/tickets/{into}")).JsonAsync(HttpStatusCode.OK)).GetProperty("number").GetString();
        await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{duplicate}/merge", new { into = number })).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ARollupStateLeftByTheVersionBefore_IsNotTakenForTheDays()
    {
        var (email, order, ip) = Unique.Customer("rollup-upgrade");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync($"rollup-upgrade-{Unique.Next()}@sportello.example", "technical");
        var start = app.Clock.GetUtcNow().UtcDateTime;
        for (var i = 0; i < 6; i++)
        {
            var id = (await customer.OpenTicketAsync(SlaTickets.Body("technical", "normal", $"Upgrade {i}", null))).GetProperty("id").GetString()!;
            app.Clock.Advance(TimeSpan.FromMinutes(i % 2 == 0 ? 4 : 25));
            if (i != 5)
            {
                // The last is never answered: a missed target in every report.
                await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "On it." })).JsonAsync(HttpStatusCode.Created);
            }
            app.Clock.Advance(TimeSpan.FromHours(10));
        }
        app.Clock.Advance(TimeSpan.FromHours(2));
        // A node of the version before (hours only, no days) rolled up under its own state row during a rolling upgrade:
        // everything counted, as far as it knows. The day level must count its days itself, not trust that watermark.
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await SlaRollup.ResetAsync(db);
            db.Add(new SlaRollupState
            {
                Id = 1, CoveredFrom = SlaRollup.FloorHour(start.AddDays(-40)), CoveredTo = SlaRollup.FloorHour(now), Watermark = now - SlaRollup.Lag,
                RolledAt = now, Version = Guid.NewGuid(),
            });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(await RollUpAsync() > 0);
        await AssertSameAsLiveAsync(start);
    }

    [Fact]
    public async Task HoursAndDaysCountedAgainByANodeOfTheVersionBefore_AreReadAgain_NotTakenFromWhatThisNodeKept()
    {
        var (email, order, ip) = Unique.Customer("rollup-revision");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var agent = await app.AgentAsync($"rollup-revision-{Unique.Next()}@sportello.example", "technical");
        var start = app.Clock.GetUtcNow().UtcDateTime;
        var opened = new List<string>();
        // Two tickets in one hour, then one every nine hours: over three days.
        for (var i = 0; i < 8; i++)
        {
            opened.Add((await customer.OpenTicketAsync(SlaTickets.Body("technical", "normal", $"Revision {i}", null))).GetProperty("id").GetString()!);
            app.Clock.Advance(i == 0 ? TimeSpan.FromMinutes(3) : TimeSpan.FromHours(9));
        }
        // Days later: every ticket has missed its target, and the days are settled.
        app.Clock.Advance(TimeSpan.FromDays(2));
        await RollUpAsync();
        await AssertSameAsLiveAsync(start);

        // A node of the version before answers in turn two tickets of the same hour and day and counts them again: its
        // rows carry no revision. Each time, the report must read them again, not what this node parsed before.
        foreach (var id in opened.Take(2))
        {
            await (await agent.PostAsJsonAsync($"/api/v1/desk/tickets/{id}/messages", new { body = "Late, sorry." })).JsonAsync(HttpStatusCode.Created);
            app.Clock.Advance(TimeSpan.FromMinutes(SlaRollup.Lag.TotalMinutes + 1));
            await RollUpAsync();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
                await db.Set<SlaHour>().ExecuteUpdateAsync(h => h.SetProperty(x => x.Revision, (Guid?)null), TestContext.Current.CancellationToken);
                await db.Set<SlaDay>().ExecuteUpdateAsync(d => d.SetProperty(x => x.Revision, (Guid?)null), TestContext.Current.CancellationToken);
            }
            await AssertSameAsLiveAsync(start);
        }
    }

    private async Task<int> RollUpAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await SlaRollup.RollUpAsync(scope.ServiceProvider.GetRequiredService<SportelloDb>(), app.Clock.GetUtcNow().UtcDateTime);
    }

    // Periods with edges inside hours, whole days in zones a half or three quarters of an hour off UTC, and the default 30 days.
    private async Task<List<string>> ReportsAsync(DateTime start)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var read = scope.ServiceProvider.GetRequiredService<ReadSlaReport>();
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var reports = new List<object>
        {
            (await read.BetweenAsync(null, null)).Value!,
            (await read.BetweenAsync(start.AddHours(-3), now)).Value!,
            (await read.BetweenAsync(start.AddMinutes(17), start.AddDays(2).AddMinutes(223))).Value!,
            (await read.BetweenAsync(start.AddHours(26).AddSeconds(13), now.AddMinutes(-1))).Value!,
            await read.LastDaysAsync(1),
            // Whole UTC days (read from the roll-up's days), and the same a minute wider (the edges' hours, then live minutes).
            (await read.BetweenAsync(start.Date.AddDays(1), start.Date.AddDays(5))).Value!,
            (await read.BetweenAsync(start.Date.AddDays(1).AddMinutes(-1), start.Date.AddDays(5).AddMinutes(1))).Value!,
        };
        var first = DateOnly.FromDateTime(start);
        foreach (var zone in Zones)
        {
            var tz = DateTimeZoneProviders.Tzdb[zone];
            reports.Add((await read.DaysAsync(first, first.AddDays(1), tz)).Report);
            reports.Add((await read.DaysAsync(first.AddDays(1), first.AddDays(4), tz)).Report);
            // A month of local days: whole UTC days inside, local midnights 5:45 or 3:30 off UTC at the edges.
            reports.Add((await read.DaysAsync(first.AddDays(-20), first.AddDays(9), tz)).Report);
        }
        return reports.Select(r => JsonSerializer.Serialize(r)).ToList();
    }

    // Reports from the roll-up, read twice (the second time from what the node kept), against the same reports read
    // live; then the roll-up counted again from scratch.
    private async Task AssertSameAsLiveAsync(DateTime start)
    {
        var now = app.Clock.GetUtcNow().UtcDateTime;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // The roll-up is what the report reads here: without its hours this test would compare the live report with itself.
            var reading = await SlaRollup.ReadAsync(
                scope.ServiceProvider.GetRequiredService<SportelloDb>(), app.Services.GetRequiredService<SlaRollupCache>(), start.AddHours(-3), now, now);
            Assert.NotEmpty(reading.Hours);
            Assert.NotNull(reading.Days);
        }
        var fromRollup = await ReportsAsync(start);
        Assert.Equal(fromRollup, await ReportsAsync(start));
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await SlaRollup.ResetAsync(scope.ServiceProvider.GetRequiredService<SportelloDb>());
        }
        var live = await ReportsAsync(start);
        Assert.Equal(live, fromRollup);
        using var month = JsonDocument.Parse(live[0]);
        Assert.True(month.RootElement.GetProperty("Overall").GetProperty("Missed").GetInt32() > 0);
        await RollUpAsync();
    }
}
