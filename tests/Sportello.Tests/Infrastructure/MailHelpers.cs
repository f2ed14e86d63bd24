using System.Net;
using System.Text.Json;

namespace Sportello.Tests.Infrastructure;

public static class MailHelpers
{
    public static async Task<JsonElement[]> InboundAsync(this HttpClient admin) =>
        (await (await admin.GetAsync("/api/v1/admin/mail/inbound?take=500")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();

    public static async Task<JsonElement[]> OutboxAsync(this HttpClient admin) =>
        (await (await admin.GetAsync("/api/v1/admin/mail/outbox?take=500")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();

    /// <summary>Waits until every stored mail has been handled, and returns them newest first.</summary>
    public static async Task<JsonElement[]> HandledAsync(this HttpClient admin, int count)
    {
        JsonElement[] inbound = [];
        await Eventually.TrueAsync(async () =>
        {
            inbound = await admin.InboundAsync();
            return inbound.Length >= count && inbound.All(m => m.GetProperty("state").GetString() != "received");
        }, $"{count} inbound mail(s) to be handled");
        return inbound;
    }

    public static async Task<JsonElement> DeskTicketAsync(this HttpClient agent, string ticketId) =>
        await (await agent.GetAsync($"/api/v1/desk/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK);

    public static async Task<JsonElement[]> TicketsAsync(this HttpClient customer) =>
        (await (await customer.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();
}
