using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Tickets;

public sealed class TicketLimitApp : SportelloApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:RateLimits:TicketCreation:PermitLimit"] = "2",
    };
}

/// <summary>The API and the Client Area page share one limit on new tickets per customer.</summary>
[Trait("Category", "Data")]
public sealed class TicketLimitTests(TicketLimitApp app) : IClassFixture<TicketLimitApp>
{
    [Fact]
    public async Task NewTickets_BeyondTheLimit_Answer429_OnTheApiAndThePage()
    {
        var (email, order, ip) = Unique.Customer("limit");
        var (api, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var body = new { department = "technical", priority = "normal", subject = "Again", description = "And again" };
        await api.OpenTicketAsync(body);
        var web = await app.SignInWebAsync(email, "customer passphrase 2026");
        var viaPage = await web.SubmitAsync("/tickets/new", "/tickets/new", new Dictionary<string, string>
        {
            ["Input.Department"] = "technical", ["Input.Priority"] = "normal", ["Input.Subject"] = "From the page", ["Input.Description"] = "x",
        });
        Assert.Equal(HttpStatusCode.Redirect, viaPage.StatusCode);

        var refused = await api.PostAsJsonAsync("/api/v1/tickets", body);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var refusedPage = await web.SubmitAsync("/tickets/new", "/tickets/new", new Dictionary<string, string>
        {
            ["Input.Department"] = "technical", ["Input.Priority"] = "normal", ["Input.Subject"] = "Too many", ["Input.Description"] = "x",
        });
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedPage.StatusCode);
        var tickets = await (await api.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, tickets.GetArrayLength());
    }

    [Fact]
    public async Task WebReply_WithAnOversizeFile_IsRefusedBeforeTheMessageIsWritten()
    {
        var (email, order, ip) = Unique.Customer("bigreply");
        var (api, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var id = (await api.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Logs", description = "Here" }))
            .GetProperty("id").GetString();
        var web = await app.SignInWebAsync(email, "customer passphrase 2026");
        var page = await web.GetPageAsync($"/tickets/{id}");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebForms.AntiforgeryToken(page)), "__RequestVerificationToken" },
            { new StringContent("See the attached dump"), "Body" },
            { new ByteArrayContent(new byte[20 * 1024 * 1024 + 1]), "Files", "dump.bin" },
        };
        var response = await web.PostAsync($"/tickets/{id}?handler=Reply", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("dump.bin is 20 MB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var ticket = await (await api.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, ticket.GetProperty("messages").GetArrayLength());
    }
}
