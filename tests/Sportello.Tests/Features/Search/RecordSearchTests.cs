using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Search;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Search;

/// <summary>Service notices and abuse cases are searchable from the Desk with the same words as tickets; abuse cases by the abuse desk only.</summary>
[Trait("Category", "Data")]
public sealed class RecordSearchTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static string Tag() => "w" + Guid.NewGuid().ToString("N")[..10] + "7";

    private static async Task<List<JsonElement>> SearchAsync(HttpClient client, string path, string q) =>
        (await (await client.GetAsync($"{path}?q={Uri.EscapeDataString(q)}")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToList();

    [Fact]
    public async Task ANotice_IsFoundByItsTextsAndUpdates_InEitherLanguage()
    {
        var admin = await app.AdminAsync();
        var tag = Tag();
        var notice = await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = new { en = $"Storage array degraded {tag}", it = $"Storage degradato {tag}" },
            body = new { en = "We are replacing a controller.", it = "Stiamo sostituendo i controller dei dischi." },
            affects = new { locations = new[] { $"Nowhere {tag}" } },
        })).JsonAsync(HttpStatusCode.Created);
        var id = notice.GetProperty("id").GetString()!;
        var agent = await app.AgentAsync($"notice-search{Unique.Next()}@sportello.test", "technical");

        var hit = Assert.Single(await SearchAsync(agent, "/api/v1/desk/search/notices", $"disco {tag}"));
        Assert.Equal(id, hit.GetProperty("noticeId").GetString());
        Assert.Contains("dischi", hit.GetProperty("snippet").GetString(), StringComparison.Ordinal);
        Assert.Single(await SearchAsync(agent, "/api/v1/desk/search/notices", $"replaced controllers {tag}"));
        Assert.Empty(await SearchAsync(agent, "/api/v1/desk/search/notices", $"elephant {tag}"));
        await (await agent.GetAsync("/api/v1/desk/search/notices?q=")).AssertNamesFieldAsync("q");
        var (customer, _, _) = Unique.Customer("notice-search");
        await admin.CreateCustomerAsync(customer);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.SignInAsync(customer, "customer passphrase 2026")).GetAsync($"/api/v1/desk/search/notices?q={tag}")).StatusCode);
    }

    [Fact]
    public async Task AnAbuseCase_IsFoundByItsEvidence_ByTheAbuseDeskOnly()
    {
        var (email, order, _) = Unique.Customer("abuse-search");
        var n = Unique.Next();
        // An address the abuse desk takes as someone's hosted service (the test range is "private or reserved").
        var ip = $"198.19.{200 + (n / 250 % 50)}.{n % 250 + 1}";
        await app.CustomerWithServiceAsync(email, order, ip);
        var admin = await app.AdminAsync();
        var tag = Tag();
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type = "spam", sourceIp = ip, evidence = $"Received: from mail.example ({ip})\nSubject: Cheap pills {tag}\n\nBuy now.",
            reporter = new { name = "Rita Reporter", email = "rita@reporter.example" },
        })).JsonAsync(HttpStatusCode.Created);
        var caseId = created.GetProperty("caseId").GetString()!;
        var abuseAgent = await app.AgentAsync($"abuse-search{Unique.Next()}@sportello.test", "abuse");
        var technical = await app.AgentAsync($"abuse-search-tech{Unique.Next()}@sportello.test", "technical");

        var hit = Assert.Single(await SearchAsync(abuseAgent, "/api/v1/desk/search/abuse-cases", $"pill {tag}"));
        Assert.Equal(caseId, hit.GetProperty("caseId").GetString());
        Assert.Single(await SearchAsync(abuseAgent, "/api/v1/desk/search/abuse-cases", $"{ip} {tag}"));
        Assert.Single(await SearchAsync(admin, "/api/v1/desk/search/abuse-cases", created.GetProperty("reference").GetString()!));
        // Anyone else: nothing is there, before any check of the query.
        Assert.Equal(HttpStatusCode.NotFound, (await technical.GetAsync($"/api/v1/desk/search/abuse-cases?q={tag}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await technical.GetAsync("/api/v1/desk/search/abuse-cases?q=")).StatusCode);
        await (await abuseAgent.GetAsync("/api/v1/desk/search/abuse-cases?q=")).AssertNamesFieldAsync("q");
    }

    [Fact]
    public async Task TheMigration_IndexesNoticesAndAbuseCasesThatExistedBeforeIt()
    {
        var admin = await app.AdminAsync();
        var tag = Tag();
        await (await admin.PostAsJsonAsync("/api/v1/admin/notices", new
        {
            kind = "incident", title = $"Router down {tag}", body = "We are on it.", affects = new { locations = new[] { $"Nowhere {tag}" } },
        })).JsonAsync(HttpStatusCode.Created);
        var (email, order, _) = Unique.Customer("abuse-backfill");
        var n = Unique.Next();
        var ip = $"198.19.{200 + (n / 250 % 50)}.{n % 250 + 1}";
        await app.CustomerWithServiceAsync(email, order, ip);
        await (await admin.PostAsJsonAsync("/api/v1/admin/abuse-reports", new
        {
            type = "spam", sourceIp = ip, evidence = $"Subject: offer {tag}", reporter = new { name = "Rita", email = "rita@reporter.example" },
        })).JsonAsync(HttpStatusCode.Created);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // As before the migration: no documents, and the marks it leaves.
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await db.SearchDocuments.ExecuteDeleteAsync(TestContext.Current.CancellationToken);
            db.SearchDocuments.AddRange(new[] { SearchKinds.Backfill, SearchKinds.ChatBackfill, SearchKinds.NoticeBackfill, SearchKinds.AbuseBackfill }
                .Select(kind => new SearchDocument { Kind = kind, TargetId = Guid.Empty }));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        Assert.Empty(await SearchAsync(admin, "/api/v1/desk/search/notices", tag));
        Assert.Empty(await SearchAsync(admin, "/api/v1/desk/search/abuse-cases", tag));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            Assert.True(await SearchBackfill.RunAsync(db, cancellationToken: TestContext.Current.CancellationToken) >= 2);
            Assert.Equal(0, await SearchBackfill.RunAsync(db, cancellationToken: TestContext.Current.CancellationToken));
        }
        Assert.Single(await SearchAsync(admin, "/api/v1/desk/search/notices", tag));
        Assert.Single(await SearchAsync(admin, "/api/v1/desk/search/abuse-cases", tag));
    }
}
