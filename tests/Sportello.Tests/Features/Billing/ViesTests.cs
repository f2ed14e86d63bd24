using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Billing;

/// <summary>
/// A stand-in for the European Commission's VIES REST service, on a real loopback port: it knows some numbers as
/// registered and others as not, and fails for the numbers told to.
/// </summary>
public sealed class FakeVies : IAsyncDisposable
{
    private readonly WebApplication app;
    public ConcurrentDictionary<string, bool> Registered { get; } = new(StringComparer.Ordinal);
    public ConcurrentBag<string> Asked { get; } = [];
    public int Port { get; } = MailApp.FreePort();

    public FakeVies()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/check-vat-number", async (HttpContext context) =>
        {
            var body = await JsonDocument.ParseAsync(context.Request.Body);
            var number = body.RootElement.GetProperty("countryCode").GetString() + body.RootElement.GetProperty("vatNumber").GetString();
            Asked.Add(number);
            return Registered.TryGetValue(number, out var valid)
                ? Results.Json(new { countryCode = number[..2], vatNumber = number[2..], valid })
                : Results.StatusCode(503);
        });
        app.StartAsync().GetAwaiter().GetResult();
    }

    public string Url => $"http://127.0.0.1:{Port}/check-vat-number";

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

public sealed class ViesApp : SportelloApp
{
    public FakeVies Vies { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Sportello:Billing:Vies:Url"] = Vies.Url };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Vies.DisposeAsync();
    }
}

/// <summary>The reverse charge asks VIES when it is configured, and the invoice says what it answered.</summary>
[Trait("Category", "Data")]
public sealed class ViesTests(ViesApp app) : IClassFixture<ViesApp>
{
    private async Task<(string Id, HttpClient Client)> BusinessAsync(HttpClient admin, string country, string vatId)
    {
        var (email, _, _) = Unique.Customer("vies");
        var id = (await admin.CreateCustomerAsync(email, country)).GetProperty("id").GetString()!;
        var client = await app.SignInAsync(email, "customer passphrase 2026");
        await (await client.PutAsJsonAsync("/api/v1/account/billing", new { company = "Schneider IT GmbH", address = "Hauptstraße 1, Berlin", country, vatId }))
            .JsonAsync(HttpStatusCode.OK);
        return (id, client);
    }

    private static int Sequence(JsonElement invoice) => int.Parse(invoice.GetProperty("number").GetString()![5..], System.Globalization.CultureInfo.InvariantCulture);

    private static Task<HttpResponseMessage> IssueAsync(HttpClient admin, string customerId) =>
        admin.PostAsJsonAsync("/api/v1/admin/invoices", new { customerId, lines = new[] { new { description = "Dedicated server, December", netCents = 12000L } } });

    [Fact]
    public async Task ARegisteredId_GetsTheReverseCharge_AndTheInvoiceRecordsTheCheck()
    {
        var admin = await app.AdminAsync();
        app.Vies.Registered["DE136695976"] = true;
        var (customer, _) = await BusinessAsync(admin, "DE", "DE 136 695 976");
        var invoice = await (await IssueAsync(admin, customer)).JsonAsync(HttpStatusCode.Created);
        Assert.True(invoice.GetProperty("reverseCharge").GetBoolean());
        Assert.Equal(0, invoice.GetProperty("vatCents").GetInt64());
        Assert.Equal("valid", invoice.GetProperty("viesCheck").GetString());
        Assert.Contains("DE136695976", app.Vies.Asked);
    }

    [Fact]
    public async Task AnIdVIESDoesNotKnow_StopsTheInvoice_WithA422NamingTheCustomer_AndNoNumberIsTaken()
    {
        var admin = await app.AdminAsync();
        app.Vies.Registered["DE123456788"] = false;
        app.Vies.Registered["DE136695976"] = true;
        var (registered, _) = await BusinessAsync(admin, "DE", "DE136695976");
        var previous = Sequence(await (await IssueAsync(admin, registered)).JsonAsync(HttpStatusCode.Created));
        var (customer, client) = await BusinessAsync(admin, "DE", "DE123456788");
        var refused = await IssueAsync(admin, customer);
        var problem = await refused.JsonAsync(HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("customerId", out _), problem.ToString());
        Assert.Equal(0, (await (await client.GetAsync("/api/v1/invoices")).JsonAsync(HttpStatusCode.OK)).GetArrayLength());

        // The admin removes the id: the customer is a consumer in Germany and pays German VAT, under the next number.
        await (await client.PutAsJsonAsync("/api/v1/account/billing", new { company = "Schneider IT GmbH", address = "Hauptstraße 1, Berlin", country = "DE", vatId = (string?)null }))
            .JsonAsync(HttpStatusCode.OK);
        var invoice = await (await IssueAsync(admin, customer)).JsonAsync(HttpStatusCode.Created);
        Assert.False(invoice.GetProperty("reverseCharge").GetBoolean());
        Assert.Equal(2280, invoice.GetProperty("vatCents").GetInt64());
        Assert.Equal(previous + 1, Sequence(invoice));
    }

    [Fact]
    public async Task VIESDown_TheInvoiceIsIssuedOnTheOfflineCheck_AndSaysNoOnlineCheckWasMade()
    {
        var admin = await app.AdminAsync();
        // Not in the fake's register: it answers 503, as VIES does when a member state's service is down.
        var (customer, _) = await BusinessAsync(admin, "FR", "FR40303265045");
        var invoice = await (await IssueAsync(admin, customer)).JsonAsync(HttpStatusCode.Created);
        Assert.True(invoice.GetProperty("reverseCharge").GetBoolean());
        Assert.Equal("not-made", invoice.GetProperty("viesCheck").GetString());
        Assert.Contains("FR40303265045", app.Vies.Asked);
    }
}

/// <summary>A VIES address Sportello could not call stops the start, naming the setting.</summary>
public sealed class ViesSettingTests
{
    [Theory]
    [InlineData("", true)]
    [InlineData("https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number", true)]
    [InlineData("check-vat-number", false)]
    [InlineData("ftp://vies.example/check", false)]
    [InlineData("file:///etc/passwd", false)]
    public void TheViesUrl_MustBeAbsoluteHttp(string url, bool valid) => Assert.Equal(valid, Sportello.Features.Billing.ViesOptions.IsValidUrl(url));

    [Fact]
    public async Task ANodeWithABadViesUrl_DoesNotStart()
    {
        await using var app = new BadViesApp();
        await app.InitializeAsync();
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => Task.Run(() => app.Server));
        Assert.Contains("Sportello:Billing:Vies:Url", refused.ToString(), StringComparison.Ordinal);
    }

    private sealed class BadViesApp : SportelloApp
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Sportello:Billing:Vies:Url"] = "not a url" };
    }
}
