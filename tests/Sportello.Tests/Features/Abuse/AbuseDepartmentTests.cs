using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Abuse;

/// <summary>The abuse desk is a department agents belong to, not one tickets are in.</summary>
[Trait("Category", "Data")]
public sealed class AbuseDepartmentTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task AnAgentJoinsTheAbuseDesk_AndSeesNoTicketOfOtherDepartments()
    {
        var (customer, _) = await app.CustomerWithServiceAsync($"abuse-dept-{Unique.Next()}@example.com", (810000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"198.51.100.{Unique.Next() % 200 + 1}");
        await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Disk full", description = "x" });

        var email = $"abuse-desk-{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(email, "abuse");
        var me = await (await agent.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["abuse"], me.GetProperty("departments").EnumerateArray().Select(d => d.GetString()!));
        var queue = await (await agent.GetAsync("/api/v1/desk/queue")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, queue.GetArrayLength());
    }

    [Fact]
    public async Task ACustomerCannotOpenATicketInTheAbuseDepartment()
    {
        var (customer, _) = await app.CustomerWithServiceAsync($"abuse-ticket-{Unique.Next()}@example.com", (820000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"198.51.100.{Unique.Next() % 200 + 1}");
        var response = await customer.PostAsJsonAsync("/api/v1/tickets", new { department = "abuse", priority = "normal", subject = "Report", description = "x" });
        await response.AssertNamesFieldAsync("department");
    }

    [Fact]
    public async Task AnUnknownDepartment_IsRefused_NamingTheThreeThereAre()
    {
        var admin = await app.AdminAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email = $"nobody-{Unique.Next()}@sportello.test", name = "Nobody", password = "agent passphrase 2026", departments = new[] { "legal" },
        });
        await response.AssertNamesFieldAsync("departments");
        Assert.Contains("technical, financial, abuse", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
