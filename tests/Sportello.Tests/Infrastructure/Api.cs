using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sportello.Tests.Infrastructure;

/// <summary>Small helpers for talking to the JSON API the way an integrator would.</summary>
public static class Api
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a 400 problem whose <c>errors</c> name <paramref name="field"/>.</summary>
    public static async Task AssertNamesFieldAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors should name '{field}': {errors}");
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body);

    public static async Task<JsonElement> CreateCustomerAsync(this HttpClient admin, string email, string country = "IT",
        string password = "customer passphrase 2026")
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/customers", new
        {
            email, name = "Customer " + email.Split('@')[0], password, country, language = "en", timeZone = "Europe/Rome",
        });
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    public static async Task<JsonElement> AddServiceAsync(this HttpClient admin, string customerId, string orderNumber, params string[] ips)
    {
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customerId}/services", new
        {
            name = "Server " + orderNumber, product = "VPS M", location = "Milan MIL1", orderNumber, ipAddresses = ips,
        });
        return await response.JsonAsync(HttpStatusCode.Created);
    }
}

public static class TicketApi
{
    public static async Task<JsonElement> OpenTicketAsync(this HttpClient customer, object body)
    {
        var response = await customer.PostAsJsonAsync("/api/v1/tickets", body);
        return await response.JsonAsync(HttpStatusCode.Created);
    }

    /// <summary>A customer with one service, signed in: the usual start of a ticket test.</summary>
    public static async Task<(HttpClient Customer, string ServiceId)> CustomerWithServiceAsync(
        this SportelloApp app, string email, string orderNumber, string ip)
    {
        var admin = await app.AdminAsync();
        var id = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        var service = await admin.AddServiceAsync(id, orderNumber, ip);
        return (await app.SignInAsync(email, "customer passphrase 2026"), service.GetProperty("id").GetString()!);
    }

    public static async Task<HttpClient> AgentAsync(this SportelloApp app, string email, params string[] departments)
    {
        var admin = await app.AdminAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email, name = "Agent " + email.Split('@')[0], password = "agent passphrase 2026",
            departments = departments.Length > 0 ? departments : ["technical", "financial"],
        });
        await response.JsonAsync(HttpStatusCode.Created);
        return await app.SignInAsync(email, "agent passphrase 2026");
    }
}

/// <summary>Values unique within a test run, for tests that need fresh order numbers, addresses or emails.</summary>
public static class Unique
{
    private static int next;

    public static int Next() => Interlocked.Increment(ref next);

    /// <summary>A fresh customer with one service: (email, order number, IP address).</summary>
    public static (string Email, string OrderNumber, string Ip) Customer(string prefix)
    {
        var n = Next();
        return ($"{prefix}-{n}@example.com", (950000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), $"100.64.{n / 250}.{n % 250 + 1}");
    }
}
