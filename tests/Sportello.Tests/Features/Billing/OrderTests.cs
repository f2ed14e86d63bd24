using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>Orders: one number, one customer; the services named are theirs; invoices may bill them.</summary>
[Trait("Category", "Data")]
public sealed class OrderTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static string Number() => (300000 + Unique.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task AnOrder_TakesItsNumberOnce_OnlyFromItsOwnCustomersServices_AndAnInvoiceMayBillIt()
    {
        var admin = await app.AdminAsync();
        var (email, order, ip) = Unique.Customer("order");
        var customerId = (await admin.CreateCustomerAsync(email)).GetProperty("id").GetString()!;
        var service = (await admin.AddServiceAsync(customerId, order, ip)).GetProperty("id").GetString()!;
        var customer = await app.SignInAsync(email, "customer passphrase 2026");
        var (otherEmail, otherOrder, otherIp) = Unique.Customer("order-other");
        var otherId = (await admin.CreateCustomerAsync(otherEmail)).GetProperty("id").GetString()!;
        var otherService = (await admin.AddServiceAsync(otherId, otherOrder, otherIp)).GetProperty("id").GetString()!;
        var other = await app.SignInAsync(otherEmail, "customer passphrase 2026");

        async Task RefusedAsync(object body, string field) => await (await admin.PostAsJsonAsync("/api/v1/admin/orders", body)).AssertNamesFieldAsync(field);
        var line = new[] { new { description = "VPS M, 12 months", netCents = 12000L, serviceId = (string?)service } };
        // The service's own number, for its customer: fine. Another customer's service number: refused.
        await RefusedAsync(new { customerId, orderNumber = "#" + otherOrder, lines = line }, "orderNumber");
        await RefusedAsync(new { customerId, orderNumber = "12345", lines = line }, "orderNumber");
        await RefusedAsync(new { customerId, orderNumber = Number(), lines = new[] { new { description = "x", netCents = 1L, serviceId = (string?)otherService } } }, "lines");
        await RefusedAsync(new { customerId = otherId, orderNumber = Number() }, "lines");
        var placed = await (await admin.PostAsJsonAsync("/api/v1/admin/orders", new { customerId, orderNumber = "#" + order, lines = line })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(order, placed.GetProperty("number").GetString());
        Assert.Equal(12000, placed.GetProperty("netCents").GetInt64());
        await RefusedAsync(new { customerId, orderNumber = order, lines = line }, "orderNumber");

        var id = placed.GetProperty("id").GetString()!;
        Assert.Equal(id, Assert.Single((await (await customer.GetAsync("/api/v1/orders")).JsonAsync(HttpStatusCode.OK)).EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/orders/{id}")).StatusCode);
        Assert.Empty((await (await other.GetAsync("/api/v1/orders")).JsonAsync(HttpStatusCode.OK)).EnumerateArray());

        await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new { customerId = otherId, orderId = id, lines = new[] { new { description = "x", netCents = 1 } } }))
            .AssertNamesFieldAsync("orderId");
        var invoice = await (await admin.PostAsJsonAsync("/api/v1/admin/invoices", new { customerId, orderId = id, lines = new[] { new { description = "VPS M, 12 months", netCents = 12000 } } }))
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(id, invoice.GetProperty("orderId").GetString());
    }
}
