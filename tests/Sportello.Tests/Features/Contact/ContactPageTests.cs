using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Contact;

/// <summary>A provider that runs without live chat.</summary>
public sealed class ChatOffApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Chat:Enabled"] = "false",
        ["Sportello:Mail:SupportAddress"] = "help@provider.example",
    };
}

/// <summary>The public contact page says what the configuration says, at every request.</summary>
[Trait("Category", "Data")]
public sealed class ContactPageTests(ChatOffApp app) : IClassFixture<ChatOffApp>
{
    [Fact]
    public async Task WithChatOff_ThereIsNoChatRow_AndTheFiguresAndAddressesAreTheLiveOnes()
    {
        async Task<string> PageAsync()
        {
            var response = await app.Anonymous().GetAsync("/contact");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }
        var before = await PageAsync();
        Assert.Contains("id=\"method-tickets\"", before);
        Assert.DoesNotContain("id=\"method-chat\"", before);
        Assert.Contains("mailto:help@provider.example", before);
        Assert.Contains("Initial response within 10 min", before);

        var admin = await app.AdminAsync();
        (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/web/normal", new { firstResponseMinutes = 12, nextResponseMinutes = 120 })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/v1/admin/sla-policies/email/normal", new { firstResponseMinutes = 45, nextResponseMinutes = 120 })).EnsureSuccessStatusCode();
        var after = await PageAsync();
        Assert.Contains("Initial response within 12 min", after);
        // High differs from Normal now, so the page names it.
        Assert.Contains("10 min for High priority", after);
        Assert.Contains("Within 45 min", after);
    }
}
