using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Accounts;

/// <summary>
/// UVdesk CVE-2026-92805: a setup wizard that could be run again made anyone an administrator. Sportello's only setup
/// is <c>Sportello:Bootstrap</c>, which creates the first admin of an empty database and never a second; no route
/// creates an admin, and none looks like a setup step.
/// </summary>
[Trait("Category", "Data")]
public sealed class BootstrapTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private const string IntruderEmail = "intruder@attacker.example";
    private const string IntruderPassword = "a very strong passphrase 2026";

    /// <summary>A second start of Sportello on the same database, configured to bootstrap someone else.</summary>
    private sealed class SecondStart(TestDatabase database) : SportelloApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Sportello:Bootstrap:AdminEmail"] = IntruderEmail,
            ["Sportello:Bootstrap:AdminPassword"] = IntruderPassword,
        };

        public override ValueTask InitializeAsync()
        {
            ShareDatabase(database);
            return ValueTask.CompletedTask;
        }
    }

    private async Task<int> AdminsAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var role = await db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleAsync();
        return await db.UserRoles.CountAsync(r => r.RoleId == role);
    }

    [Fact]
    public async Task StartingAgainWithOtherBootstrapSettings_NeverCreatesASecondAdmin()
    {
        await app.AdminAsync();
        Assert.Equal(1, await AdminsAsync());

        await using var second = new SecondStart(app.Database);
        await second.InitializeAsync();
        var anonymous = second.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);

        Assert.Equal(1, await AdminsAsync());
        var signIn = await anonymous.PostAsJsonAsync("/api/v1/auth/token", new { email = IntruderEmail, password = IntruderPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
    }

    [Fact]
    public async Task NoRouteCreatesAnAdmin_OrLooksLikeASetupStep()
    {
        var admin = await app.AdminAsync();
        await (await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email = $"wannabe-{Unique.Next()}@sportello.test", name = "Wannabe", password = "agent passphrase 2026", departments = new[] { "technical" },
            role = "admin",
        })).AssertNamesFieldAsync("role");
        await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email = $"wannabe-{Unique.Next()}@example.com", name = "Wannabe", password = "customer passphrase 2026", country = "IT", roles = new[] { "admin" },
        })).AssertNamesFieldAsync("roles");
        var agentEmail = $"plain-agent-{Unique.Next()}@sportello.test";
        var agent = await app.AgentAsync(agentEmail, "technical");
        var me = await (await agent.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["agent"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(1, await AdminsAsync());

        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "").ToList();
        Assert.NotEmpty(routes);
        Assert.DoesNotContain(routes, r => new[] { "setup", "install", "bootstrap", "wizard", "first-admin" }
            .Any(word => r.Contains(word, StringComparison.OrdinalIgnoreCase)));
    }
}
