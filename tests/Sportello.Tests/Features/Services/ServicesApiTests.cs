using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Services;

[Trait("Category", "Data")]
public sealed class ServicesApiTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task GetServices_ShowsOnlyTheCallersServices()
    {
        var admin = await app.AdminAsync();
        var mine = (await admin.CreateCustomerAsync("owner@example.com")).GetProperty("id").GetString()!;
        var theirs = (await admin.CreateCustomerAsync("other@example.com")).GetProperty("id").GetString()!;
        var added = await admin.AddServiceAsync(mine, "#200001", "192.0.2.1", "2001:DB8:0:0::1");
        await admin.AddServiceAsync(theirs, "200002", "192.0.2.2");
        Assert.Equal("200001", added.GetProperty("orderNumber").GetString());
        Assert.Equal(["192.0.2.1", "2001:db8::1"], added.GetProperty("ipAddresses").EnumerateArray().Select(a => a.GetString()!));

        var customer = await app.SignInAsync("owner@example.com", "customer passphrase 2026");
        var services = await (await customer.GetAsync("/api/v1/services")).JsonAsync(HttpStatusCode.OK);
        var only = Assert.Single(services.EnumerateArray());
        Assert.Equal("200001", only.GetProperty("orderNumber").GetString());
        Assert.Equal("Milan MIL1", only.GetProperty("location").GetString());
    }

    [Fact]
    public async Task ServiceLists_ComeAPageAtATime_WithLimitAndCursor()
    {
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer($"pages{Unique.Next()}");
        var id = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        var services = Enumerable.Range(0, 3).Select(_ => Unique.Customer("o")).ToList();
        foreach (var (_, order, ip) in services)
        {
            await admin.AddServiceAsync(id, order, ip);
        }
        var orders = services.Select(s => s.OrderNumber).ToList();
        var customer = await app.SignInAsync(email, "customer passphrase 2026");

        var first = await customer.GetAsync("/api/v1/services?limit=2");
        var firstPage = await first.JsonAsync(HttpStatusCode.OK);
        var next = first.Headers.GetValues("Link").Single();
        var url = next[(next.IndexOf('<', StringComparison.Ordinal) + 1)..next.IndexOf('>', StringComparison.Ordinal)];
        var second = await (await customer.GetAsync(url)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(2, firstPage.GetArrayLength());
        Assert.Equal(orders, firstPage.EnumerateArray().Concat(second.EnumerateArray()).Select(s => s.GetProperty("orderNumber").GetString()));
        await (await customer.GetAsync("/api/v1/services?limit=201")).AssertNamesFieldAsync("limit");
        var admins = await (await admin.GetAsync($"/api/v1/admin/customers/{id}/services?limit=1")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(admins.EnumerateArray());
    }

    [Theory]
    [InlineData("1.2.3", "ipAddresses[0]")]
    [InlineData("256.1.1.1", "ipAddresses[0]")]
    [InlineData("010.1.1.1", "ipAddresses[0]")]
    [InlineData("fe80::1%eth0", "ipAddresses[0]")]
    [InlineData("server.example.com", "ipAddresses[0]")]
    public async Task AddService_BadIp_Returns400NamingTheAddress(string ip, string field)
    {
        var admin = await app.AdminAsync();
        var customer = (await admin.CreateCustomerAsync(Unique.Customer("ip").Email)).GetProperty("id").GetString()!;
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customer}/services", new
        {
            name = "Box", product = "VPS", location = "Milan", orderNumber = "300001", ipAddresses = new[] { ip },
        });
        await response.AssertNamesFieldAsync(field);
        var services = await (await admin.GetAsync($"/api/v1/admin/customers/{customer}/services")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, services.GetArrayLength());
    }

    [Fact]
    public async Task AddService_DuplicateOrderNumber_Returns400NamingOrderNumberAndWritesNothing()
    {
        var admin = await app.AdminAsync();
        var a = (await admin.CreateCustomerAsync("dup-a@example.com")).GetProperty("id").GetString()!;
        var b = (await admin.CreateCustomerAsync("dup-b@example.com")).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(a, "400001", "198.51.100.1");
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/customers/{b}/services", new
        {
            name = "Copy", product = "VPS", location = "Milan", orderNumber = "#400001", ipAddresses = new[] { "198.51.100.2" },
        });
        await response.AssertNamesFieldAsync("orderNumber");
        var services = await (await admin.GetAsync($"/api/v1/admin/customers/{b}/services")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, services.GetArrayLength());
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    public async Task AddService_OrderNumberNotSixDigits_Returns400(string orderNumber)
    {
        var admin = await app.AdminAsync();
        var customer = (await admin.CreateCustomerAsync($"order{orderNumber}@example.com")).GetProperty("id").GetString()!;
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customer}/services", new
        {
            name = "Box", product = "VPS", location = "Milan", orderNumber, ipAddresses = new[] { "203.0.113.50" },
        });
        await response.AssertNamesFieldAsync("orderNumber");
    }

    [Fact]
    public async Task AddService_IpAlreadyUsed_Returns400()
    {
        var admin = await app.AdminAsync();
        var customer = (await admin.CreateCustomerAsync("ipused@example.com")).GetProperty("id").GetString()!;
        await admin.AddServiceAsync(customer, "500001", "203.0.113.9");
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/customers/{customer}/services", new
        {
            name = "Second", product = "VPS", location = "Milan", orderNumber = "500002", ipAddresses = new[] { "203.0.113.10", "203.0.113.9" },
        });
        await response.AssertNamesFieldAsync("ipAddresses[1]");
    }

    [Fact]
    public async Task AddService_UnknownCustomer_Returns404()
    {
        var admin = await app.AdminAsync();
        var response = await admin.PostAsJsonAsync($"/api/v1/admin/customers/{Guid.NewGuid()}/services", new
        {
            name = "Ghost", product = "VPS", location = "Milan", orderNumber = "600001", ipAddresses = new[] { "203.0.113.60" },
        });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
