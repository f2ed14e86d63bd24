using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Notices;

/// <summary>
/// A notice fanned out in small batches (inbox rows first, then the mails) and delivered to a relay over several
/// connections at once.
/// </summary>
public sealed class NoticeRelayApp : MailApp
{
    public SmtpSink Sink { get; } = new();

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:Outbound:Host"] = "127.0.0.1",
        ["Sportello:Mail:Outbound:Port"] = Sink.Port.ToString(CultureInfo.InvariantCulture),
        ["Sportello:Mail:Outbound:Tls"] = "none",
        ["Sportello:Mail:Outbound:Connections"] = "4",
        ["Sportello:Notices:BatchSize"] = "5",
        ["Sportello:Notices:MailBatchSize"] = "7",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Sink.DisposeAsync();
    }
}

[Trait("Category", "Data")]
public sealed class NoticeDeliveryTests(NoticeRelayApp app) : IClassFixture<NoticeRelayApp>
{
    [Fact]
    public async Task EveryCustomer_GetsOneInboxRow_AndOneMailInTheirLanguage_ThroughSeveralConnections_EachMarkedSent()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var place = $"Relay-{Unique.Next()}";
        var customers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < 33; i++)
        {
            var email = $"relay-notice-{Unique.Next()}@example.com";
            var language = i % 3 == 0 ? "it" : "en";
            var created = await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new { email, name = $"Customer {i}", password = "customer passphrase 2026", country = "IT", language, timeZone = "Europe/Rome" }))
                .JsonAsync(HttpStatusCode.Created);
            await (await admin.PostAsJsonAsync($"/api/v1/admin/customers/{created.GetProperty("id").GetString()}/services", new
            {
                name = $"vps-{i}", product = "VPS", location = place, orderNumber = (700000 + Unique.Next()).ToString(CultureInfo.InvariantCulture),
                ipAddresses = new[] { NoticeIps.Next() },
            })).JsonAsync(HttpStatusCode.Created);
            customers[email] = language;
        }
        var published = await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = new { en = "Storage array degraded", it = "Storage degradato" },
            body = new { en = "We are replacing a controller.", it = "Stiamo sostituendo un controller." }, affects = new { locations = new[] { place } },
        })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(33, published.GetProperty("recipients").GetInt32());
        var noticeId = published.GetProperty("id").GetString()!;

        await Eventually.TrueAsync(() => Task.FromResult(app.Sink.Received.Count(m => customers.ContainsKey(m.To.Mailboxes.Single().Address)) >= 33),
            "a mail to each of the 33 customers at the relay", seconds: 60);
        await Eventually.TrueAsync(async () =>
        {
            var detail = await (await admin.GetAsync($"/api/v1/admin/notices/{noticeId}")).JsonAsync(HttpStatusCode.OK);
            return detail.GetProperty("delivery").GetProperty("mailsSent").GetInt32() == 33;
        }, "every mail marked sent");

        // Once each, in the customer's language, and each inbox row names the mail that went out.
        var received = app.Sink.Received.Where(m => customers.ContainsKey(m.To.Mailboxes.Single().Address)).ToList();
        Assert.Equal(33, received.Count);
        Assert.Equal(33, received.Select(m => m.To.Mailboxes.Single().Address.ToLowerInvariant()).Distinct().Count());
        Assert.All(received, m => Assert.EndsWith(customers[m.To.Mailboxes.Single().Address] == "it" ? ": Storage degradato" : ": Storage array degraded", m.Subject, StringComparison.Ordinal));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var id = Guid.Parse(noticeId);
        var rows = await (from n in db.Notifications.AsNoTracking()
                          where n.NoticeId == id
                          join m in db.OutboxMessages.AsNoTracking() on n.MailId equals m.Id
                          select new { m.State, m.SentAt, m.ClaimToken, m.ToAddress }).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(33, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(OutboxStates.Sent, r.State);
            Assert.NotNull(r.SentAt);
            Assert.Null(r.ClaimToken);
        });
        var recipients = await (await admin.GetAsync($"/api/v1/admin/notices/{noticeId}/recipients?limit=100")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(33, recipients.GetArrayLength());
        Assert.All(recipients.EnumerateArray(), r => Assert.Equal(1, r.GetProperty("mailsSent").GetInt32()));
    }
}
