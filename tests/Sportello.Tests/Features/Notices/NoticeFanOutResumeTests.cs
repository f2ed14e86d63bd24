using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Notices;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Notices;

/// <summary>A node whose fan-out stopped halfway: it wrote some batches, then ran no more (stopped, or died).</summary>
public sealed class StoppedFanOutNode : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Notices:FanOut"] = "false",
        ["Sportello:Notices:BatchSize"] = "2",
    };
}

/// <summary>
/// Another node on the same database: the one that starts next, its fan-out running, or a second one whose fan-out
/// the test drives step by step, like the first's.
/// </summary>
public sealed class OtherFanOutNode(TestDatabase database, ManualClock clock, bool fanOut) : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Notices:FanOut"] = fanOut ? "true" : "false",
        ["Sportello:Notices:BatchSize"] = "2",
    };

    public override ValueTask InitializeAsync()
    {
        ShareDatabase(database);
        Clock.Advance(clock.GetUtcNow() - Clock.GetUtcNow());
        return ValueTask.CompletedTask;
    }
}

[Trait("Category", "Data")]
public sealed class NoticeFanOutResumeTests(StoppedFanOutNode first) : IClassFixture<StoppedFanOutNode>
{
    [Fact]
    public async Task AFanOutStoppedHalfway_ResumesOnTheNextNode_AndNobodyIsNotifiedTwice()
    {
        var admin = await first.AdminAsync();
        var place = $"Resume-{Unique.Next()}";
        var emails = await CustomersAtAsync(admin, place, 7);
        var published = await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = "Hypervisor down", body = "We are on it.", affects = new { locations = new[] { place } },
        })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(7, published.GetProperty("recipients").GetInt32());
        var noticeId = Guid.Parse(published.GetProperty("id").GetString()!);

        // The first node resolves every recipient (four batches of two) and delivers one batch, then stops.
        var fanOut = first.Services.GetRequiredService<NoticeFanOut>();
        for (var step = 0; step < 5; step++)
        {
            Assert.True(await fanOut.StepAsync(TestContext.Current.CancellationToken));
        }
        Assert.Equal(2, await CountAsync(first, noticeId));

        await using var next = new OtherFanOutNode(first.Database, first.Clock, fanOut: true);
        await next.InitializeAsync();
        _ = next.Server;
        for (var attempt = 0; attempt < 200 && await CountAsync(next, noticeId) < 7; attempt++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        await using var scope = next.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var notified = await db.Notifications.AsNoTracking().Where(n => n.NoticeId == noticeId).Select(n => n.UserId).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(7, notified.Count);
        Assert.Equal(7, notified.Distinct().Count());
        var mailed = await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == MailKinds.ServiceNotice && emails.Contains(m.ToAddress))
            .Select(m => m.ToAddress).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(emails.Order(), mailed.Order());
        var update = await db.NoticeUpdates.AsNoTracking().SingleAsync(u => u.NoticeId == noticeId, TestContext.Current.CancellationToken);
        Assert.Equal(7, update.Notified);
        Assert.NotNull(update.DeliveredAt);
    }

    [Fact]
    public async Task TwoNodesFanningOutTheSameNoticeAtOnce_NeitherFails_AndEveryoneIsNotifiedAndMailedOnce()
    {
        var admin = await first.AdminAsync();
        var place = $"Twice-{Unique.Next()}";
        var emails = await CustomersAtAsync(admin, place, 12);
        await using var second = new OtherFanOutNode(first.Database, first.Clock, fanOut: false);
        await second.InitializeAsync();
        _ = second.Server;
        var published = await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = "Storage degraded", body = "We are on it.", affects = new { locations = new[] { place } },
        })).JsonAsync(HttpStatusCode.Created);
        var noticeId = Guid.Parse(published.GetProperty("id").GetString()!);

        // Both nodes step through the same batches at the same moment: each batch is claimed by one, and the other's
        // attempt on it must end quietly (before, the loser's insert hit the unique index and the step threw).
        static async Task<int> DrainAsync(NoticeFanOut fanOut)
        {
            var steps = 0;
            while (await fanOut.StepAsync(TestContext.Current.CancellationToken))
            {
                steps++;
            }
            return steps;
        }
        var steps = await Task.WhenAll(
            Task.Run(() => DrainAsync(first.Services.GetRequiredService<NoticeFanOut>())),
            Task.Run(() => DrainAsync(second.Services.GetRequiredService<NoticeFanOut>())));
        Assert.All(steps, s => Assert.True(s > 0));

        await using var scope = first.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var notified = await db.Notifications.AsNoTracking().Where(n => n.NoticeId == noticeId).Select(n => n.UserId).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(12, notified.Count);
        Assert.Equal(12, notified.Distinct().Count());
        var mailed = await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == MailKinds.ServiceNotice && emails.Contains(m.ToAddress))
            .Select(m => m.ToAddress).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(emails.Order(), mailed.Order());
        var update = await db.NoticeUpdates.AsNoTracking().SingleAsync(u => u.NoticeId == noticeId, TestContext.Current.CancellationToken);
        Assert.Equal(12, update.Notified);
        Assert.NotNull(update.MailedAt);
    }

    /// <summary>Customers with a VPS at <paramref name="place"/>, each its own; their addresses.</summary>
    private static async Task<List<string>> CustomersAtAsync(HttpClient admin, string place, int count)
    {
        var emails = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var email = $"fan-out-{Unique.Next()}@example.com";
            var customer = await admin.CreateCustomerAsync(email);
            await (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customer.GetProperty("id").GetString()}/services", new
            {
                name = "vps " + i, product = "VPS", location = place, orderNumber = (600000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ipAddresses = new[] { NoticeIps.Next() },
            })).JsonAsync(HttpStatusCode.Created);
            emails.Add(email);
        }
        return emails;
    }

    private static async Task<int> CountAsync(SportelloApp app, Guid noticeId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SportelloDb>().Notifications.CountAsync(n => n.NoticeId == noticeId, TestContext.Current.CancellationToken);
    }
}
