using System.Net;
using Sportello.Features.Demo;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Demo;

/// <summary>What <c>dotnet run --project src/Sportello</c> starts with: the demo data, through the same rules as everyone's.</summary>
public sealed class DemoApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Sportello:Demo"] = "true" };
}

[Trait("Category", "Data")]
public sealed class DemoTests(DemoApp app) : IClassFixture<DemoApp>
{
    [Theory]
    [InlineData("giulia.rossi@example.it", "IT12345670017")]
    [InlineData("lukas@schneider-it.example", "DE123456788")]
    [InlineData("marie.dubois@example.fr", null)]
    public async Task TheDemoCustomers_SignIn_WithTheirBillingDetails_AndServices(string email, string? vatId)
    {
        var customer = await app.SignInAsync(email, DemoData.Password);
        var billing = await (await customer.GetAsync("/api/v1/account/billing")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(vatId, billing.GetProperty("vatId").GetString());
        var services = await (await customer.GetAsync("/api/v1/services")).JsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(0, services.GetArrayLength());
    }
}
