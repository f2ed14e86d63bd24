using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

[Trait("Category", "Data")]
public sealed class OpenTicketTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static object High(object? serviceReference = null, string? startedAt = "2026-11-24T10:00", string? zone = "Europe/Rome") => new
    {
        department = "technical", priority = "high", subject = "Server down", description = "The server does not answer ping.",
        serviceReference, problemStartedAt = startedAt, problemTimeZone = zone,
    };

    [Fact]
    public async Task OpenTicket_High_WithOwnService_IsCreatedWithTheContractShape()
    {
        var (customer, serviceId) = await app.CustomerWithServiceAsync("high-ok@example.com", "900001", "192.0.2.91");
        var ticket = await customer.OpenTicketAsync(new
        {
            department = "technical", priority = "high", subject = "Server down", description = "No ping since 14:00.",
            serviceReference = "#900001", problemStartedAt = "2026-11-24T14:30", problemTimeZone = "CET",
            diagnostics = "mtr output: 100% loss at hop 7",
        });
        Assert.Matches("^[A-Z]{3}-[0-9]{6}$", ticket.GetProperty("number").GetString());
        Assert.Equal("open", ticket.GetProperty("status").GetString());
        Assert.Equal("technical", ticket.GetProperty("department").GetString());
        Assert.Equal("high", ticket.GetProperty("priority").GetString());
        Assert.Equal("web", ticket.GetProperty("channel").GetString());
        Assert.Equal(serviceId, ticket.GetProperty("service").GetProperty("id").GetString());
        Assert.Equal("Server 900001", ticket.GetProperty("service").GetProperty("name").GetString());
        Assert.Equal("2026-11-24T13:30:00Z", ticket.GetProperty("problemStartedAtUtc").GetString());
        var created = ticket.GetProperty("createdAt").GetDateTime();
        Assert.Equal(created.AddMinutes(10), ticket.GetProperty("firstResponseDueAt").GetDateTime());
        Assert.Equal(app.Clock.GetUtcNow().UtcDateTime, created);
    }

    [Fact]
    public async Task OpenTicket_Cest_IsSummerTime()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("cest@example.com", "900002", "192.0.2.92");
        var ticket = await customer.OpenTicketAsync(High("192.0.2.92", "2026-07-15T14:30", "CEST"));
        Assert.Equal("2026-07-15T12:30:00Z", ticket.GetProperty("problemStartedAtUtc").GetString());
    }

    [Fact]
    public async Task OpenTicket_ZoneOmitted_UsesTheCustomersZone()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("defaultzone@example.com", "900003", "192.0.2.93");
        var ticket = await customer.OpenTicketAsync(High("900003", "2026-11-24T10:00", zone: null));
        Assert.Equal("2026-11-24T09:00:00Z", ticket.GetProperty("problemStartedAtUtc").GetString());
    }

    [Fact]
    public async Task OpenTicket_HighWithoutService_Returns400NamingServiceReference()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("noservice@example.com", "900004", "192.0.2.94");
        await (await customer.PostAsJsonAsync("/api/v1/tickets", High(serviceReference: null))).AssertNamesFieldAsync("serviceReference");
    }

    [Fact]
    public async Task OpenTicket_HighWithAnotherCustomersIp_Returns400LikeAnUnknownOne()
    {
        await app.CustomerWithServiceAsync("victim@example.com", "900005", "198.51.100.95");
        var (customer, _) = await app.CustomerWithServiceAsync("attacker@example.com", "900006", "198.51.100.96");
        var theirs = await customer.PostAsJsonAsync("/api/v1/tickets", High("198.51.100.95"));
        await theirs.AssertNamesFieldAsync("serviceReference");
        var nobodys = await customer.PostAsJsonAsync("/api/v1/tickets", High("198.51.100.250"));
        await nobodys.AssertNamesFieldAsync("serviceReference");
        var theirsText = await (await customer.PostAsJsonAsync("/api/v1/tickets", High("198.51.100.95"))).Content.ReadAsStringAsync();
        var nobodysText = await (await customer.PostAsJsonAsync("/api/v1/tickets", High("198.51.100.250"))).Content.ReadAsStringAsync();
        Assert.Equal(Errors(theirsText), Errors(nobodysText));
        await (await customer.PostAsJsonAsync("/api/v1/tickets", High("#900005"))).AssertNamesFieldAsync("serviceReference");
    }

    [Fact]
    public async Task OpenTicket_NonexistentOrderNumber_Returns400NamingServiceReference()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("noorder@example.com", "900007", "192.0.2.97");
        await (await customer.PostAsJsonAsync("/api/v1/tickets", High("#999999"))).AssertNamesFieldAsync("serviceReference");
    }

    [Fact]
    public async Task OpenTicket_AnotherCustomersServiceId_Returns400()
    {
        var (_, theirService) = await app.CustomerWithServiceAsync("owner2@example.com", "900008", "192.0.2.98");
        var (customer, _) = await app.CustomerWithServiceAsync("other2@example.com", "900009", "192.0.2.99");
        var response = await customer.PostAsJsonAsync("/api/v1/tickets", new
        {
            department = "technical", priority = "normal", subject = "Question", description = "About a server", serviceId = theirService,
        });
        await response.AssertNamesFieldAsync("serviceId");
    }

    [Theory]
    [InlineData("2026-03-29T02:30", "Europe/Rome", "does not exist")]
    [InlineData("2026-10-25T02:30", "Europe/Rome", "happened twice")]
    [InlineData("2026-11-25T09:00", "Europe/Rome", "future")]
    [InlineData("yesterday", "Europe/Rome", "date and time")]
    public async Task OpenTicket_StartThatCannotBeRead_Returns400NamingProblemStartedAt(string startedAt, string zone, string explanation)
    {
        var (email, order, ip) = Unique.Customer("start");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var response = await customer.PostAsJsonAsync("/api/v1/tickets", High(order, startedAt, zone));
        var body = await response.Content.ReadAsStringAsync();
        await response.AssertNamesFieldAsync("problemStartedAt");
        Assert.Contains(explanation, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenTicket_GapMessage_OffersTheValidReadings_AndAnOffsetIsAccepted()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("gap@example.com", "901001", "192.0.2.101");
        var refused = await customer.PostAsJsonAsync("/api/v1/tickets", High("901001", "2026-03-29T02:30", "Europe/Rome"));
        var text = await refused.Content.ReadAsStringAsync();
        Assert.Contains("2026-03-29T01:30+01:00", text, StringComparison.Ordinal);
        Assert.Contains("2026-03-29T03:30+02:00", text, StringComparison.Ordinal);
        var ticket = await customer.OpenTicketAsync(High("901001", "2026-10-25T02:30+01:00", "Europe/Rome"));
        Assert.Equal("2026-10-25T01:30:00Z", ticket.GetProperty("problemStartedAtUtc").GetString());
    }

    [Fact]
    public async Task OpenTicket_UnknownZone_Returns400NamingProblemTimeZone()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("badzone@example.com", "901002", "192.0.2.102");
        await (await customer.PostAsJsonAsync("/api/v1/tickets", High("901002", "2026-11-24T10:00", "Mars/Olympus")))
            .AssertNamesFieldAsync("problemTimeZone");
    }

    [Fact]
    public async Task OpenTicket_NormalWithoutService_IsFine_AndMissingFieldsAreNamed()
    {
        var (customer, _) = await app.CustomerWithServiceAsync("normal@example.com", "901003", "192.0.2.103");
        var ticket = await customer.OpenTicketAsync(new { department = "financial", priority = "normal", subject = "Invoice", description = "Wrong VAT?" });
        Assert.Equal(JsonValueKindNull, ticket.GetProperty("service").ValueKind);
        var bad = await customer.PostAsJsonAsync("/api/v1/tickets", new { department = "sales", priority = "urgent", subject = "", description = "" });
        var problem = await bad.JsonAsync(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "department", "priority", "subject", "description" })
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), field);
        }
        var list = await (await customer.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, list.GetArrayLength());
    }

    [Fact]
    public async Task Agent_CannotOpenCustomerTickets_AndCustomer_CannotUseTheDesk()
    {
        var agent = await app.AgentAsync("agent-open@sportello.example");
        var response = await agent.PostAsJsonAsync("/api/v1/tickets", new { department = "technical", priority = "normal", subject = "x", description = "y" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (customer, _) = await app.CustomerWithServiceAsync("deskless@example.com", "901004", "192.0.2.104");
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync("/api/v1/desk/queue")).StatusCode);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    private static string Errors(string problemJson) =>
        System.Text.Json.JsonDocument.Parse(problemJson).RootElement.GetProperty("errors").GetRawText();
}
