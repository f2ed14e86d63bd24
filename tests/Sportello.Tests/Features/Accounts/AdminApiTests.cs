using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Accounts;

[Trait("Category", "Data")]
public sealed class AdminApiTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task CreateCustomer_ThenSignIn_MeShowsTheProfile()
    {
        var admin = await app.AdminAsync();
        var created = await (await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email = "anna@bianchi.example", name = "Anna Bianchi", password = "correct horse battery",
            country = "it", language = "it", timeZone = "Europe/Rome", company = "Bianchi S.p.A.", vatId = "IT 12345670017",
        })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("anna@bianchi.example", created.GetProperty("email").GetString());
        Assert.Equal("IT", created.GetProperty("country").GetString());
        Assert.Equal("IT12345670017", created.GetProperty("vatId").GetString());
        Assert.False(string.IsNullOrEmpty(created.GetProperty("id").GetString()));

        var customer = await app.SignInAsync("anna@bianchi.example", "correct horse battery");
        var me = await (await customer.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("id").GetString(), me.GetProperty("id").GetString());
        Assert.Equal("Anna Bianchi", me.GetProperty("name").GetString());
        Assert.Equal("it", me.GetProperty("language").GetString());
        Assert.Equal("Europe/Rome", me.GetProperty("timeZone").GetString());
        Assert.Equal(["customer"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!));
    }

    [Theory]
    [InlineData("country", "XX")]
    [InlineData("country", "Italy")]
    [InlineData("timeZone", "Europe/Atlantis")]
    [InlineData("language", "de")]
    [InlineData("email", "not-an-address")]
    [InlineData("password", "short")]
    [InlineData("password", "123456789012")]
    [InlineData("name", "")]
    // The same VAT id rule as the account's billing details: a German customer's id is checked as a German one.
    [InlineData("vatId", "DE12345678")]
    [InlineData("vatId", "FR40303265045")]
    [InlineData("vatId", "<script>")]
    public async Task CreateCustomer_BadField_Returns400NamingItAndWritesNothing(string field, string value)
    {
        var admin = await app.AdminAsync();
        var before = await CountCustomersAsync(admin);
        var body = new Dictionary<string, object?>
        {
            ["email"] = $"bad-{field}-{value.Length}@example.com", ["name"] = "Someone", ["password"] = "a long enough passphrase",
            ["country"] = "DE", ["language"] = "en", ["timeZone"] = "Europe/Berlin",
        };
        body[field] = value;
        var response = await admin.PostAsJsonAsync("/api/v1/admin/customers", body);
        await response.AssertNamesFieldAsync(field);
        Assert.Equal(before, await CountCustomersAsync(admin));
    }

    [Fact]
    public async Task CreateCustomer_UnknownField_Returns400NamingIt()
    {
        var admin = await app.AdminAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email = "unknown-field@example.com", name = "X Y", password = "a long enough passphrase",
            country = "DE", language = "en", timeZone = "Europe/Berlin", isAdmin = true,
        });
        await response.AssertNamesFieldAsync("isAdmin");
        var login = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email = "unknown-field@example.com", password = "a long enough passphrase" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Fact]
    public async Task CreateCustomer_DuplicateEmail_Returns400NamingEmail()
    {
        var admin = await app.AdminAsync();
        await admin.CreateCustomerAsync("twice@example.com");
        var response = await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email = "twice@example.com", name = "Again", password = "another long passphrase", country = "FR", language = "en", timeZone = "Europe/Paris",
        });
        await response.AssertNamesFieldAsync("email");
    }

    [Fact]
    public async Task Customer_CallingAdminEndpoint_Returns403()
    {
        var admin = await app.AdminAsync();
        await admin.CreateCustomerAsync("nosy@example.com");
        var customer = await app.SignInAsync("nosy@example.com", "customer passphrase 2026");
        var response = await customer.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email = "sneaky@example.com", name = "Sneaky", password = "a long enough passphrase", country = "IT", language = "en", timeZone = "Europe/Rome",
        });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("/api/v1/admin/customers")).StatusCode);
    }

    [Fact]
    public async Task Api_WithoutToken_Returns401Problem()
    {
        var response = await app.Anonymous().GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.WithToken("spt_made-up").GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task CreateAgent_WithDepartments_MeListsThem()
    {
        var admin = await app.AdminAsync();
        var agent = await (await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email = "tech.agent@sportello.example", name = "Tech Agent", password = "agent passphrase 1", departments = new[] { "technical", "financial" },
        })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(2, agent.GetProperty("departments").GetArrayLength());
        var signedIn = await app.SignInAsync("tech.agent@sportello.example", "agent passphrase 1");
        var me = await (await signedIn.GetAsync("/api/v1/me")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["financial", "technical"], me.GetProperty("departments").EnumerateArray().Select(d => d.GetString()!));
        Assert.Equal(HttpStatusCode.Forbidden, (await signedIn.GetAsync("/api/v1/services")).StatusCode);
    }

    [Fact]
    public async Task ListAgents_ShowsEveryAgentWithDepartments_PagedForAdminsOnly()
    {
        var admin = await app.AdminAsync();
        var tag = Unique.Next();
        var first = await app.AgentAsync($"listed-a{tag}@sportello.test", "financial");
        await app.AgentAsync($"listed-b{tag}@sportello.test", "technical", "financial");
        await (await app.AdminAsync()).CreateCustomerAsync($"not-an-agent{tag}@example.com");

        var agents = new List<System.Text.Json.JsonElement>();
        string? next = "/api/v1/admin/agents?limit=1";
        while (next is not null)
        {
            var response = await admin.GetAsync(next);
            agents.AddRange((await response.JsonAsync(HttpStatusCode.OK)).EnumerateArray());
            next = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('<', '>')[1] : null;
        }
        Assert.Equal(["financial"], agents.Single(a => a.GetProperty("email").GetString() == $"listed-a{tag}@sportello.test")
            .GetProperty("departments").EnumerateArray().Select(d => d.GetString()!));
        Assert.Equal(["financial", "technical"], agents.Single(a => a.GetProperty("email").GetString() == $"listed-b{tag}@sportello.test")
            .GetProperty("departments").EnumerateArray().Select(d => d.GetString()!));
        // Customers and the admin are not agents; every agent appears once across the pages.
        Assert.DoesNotContain(agents, a => a.GetProperty("email").GetString()!.StartsWith("not-an-agent", StringComparison.Ordinal));
        Assert.DoesNotContain(agents, a => a.GetProperty("email").GetString() == SportelloApp.AdminEmail);
        Assert.Equal(agents.Count, agents.Select(a => a.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(HttpStatusCode.Forbidden, (await first.GetAsync("/api/v1/admin/agents")).StatusCode);
    }

    [Fact]
    public async Task CreateAgent_UnknownDepartment_Returns400NamingDepartments()
    {
        var admin = await app.AdminAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email = "sales.agent@sportello.example", name = "Sales", password = "agent passphrase 2", departments = new[] { "sales" },
        });
        await response.AssertNamesFieldAsync("departments");
    }

    [Fact]
    public async Task ListCustomers_PagesWithLinkHeader()
    {
        var admin = await app.AdminAsync();
        for (var i = 0; i < 3; i++)
        {
            await admin.CreateCustomerAsync($"paged{i}@example.com");
        }
        var first = await admin.GetAsync("/api/v1/admin/customers?limit=2");
        var page = await first.JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, page.GetArrayLength());
        var link = first.Headers.GetValues("Link").Single();
        Assert.Contains("rel=\"next\"", link, StringComparison.Ordinal);
        var next = link[(link.IndexOf('<', StringComparison.Ordinal) + 1)..link.IndexOf('>', StringComparison.Ordinal)];
        var second = await (await admin.GetAsync(next)).JsonAsync(HttpStatusCode.OK);
        var firstIds = page.EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToHashSet();
        Assert.DoesNotContain(second.EnumerateArray(), c => firstIds.Contains(c.GetProperty("id").GetString()));
        await (await admin.GetAsync("/api/v1/admin/customers?limit=500")).AssertNamesFieldAsync("limit");
    }

    private static async Task<int> CountCustomersAsync(HttpClient admin)
    {
        var all = await (await admin.GetAsync("/api/v1/admin/customers?limit=200")).JsonAsync(HttpStatusCode.OK);
        return all.GetArrayLength();
    }
}
