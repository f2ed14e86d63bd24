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
    public static Task<JsonElement[]> HandledAsync(this HttpClient admin, int count) =>
        admin.HandledAsync(_ => true, count, $"{count} inbound mail(s) to be handled");

    /// <summary>Waits until <paramref name="count"/> stored mails whose subject holds <paramref name="subjectPart"/> are handled.</summary>
    public static Task<JsonElement[]> HandledAsync(this HttpClient admin, string subjectPart, int count) =>
        admin.HandledAsync(m => m.GetProperty("subject").GetString()?.Contains(subjectPart, StringComparison.Ordinal) == true,
            count, $"{count} handled mail(s) about {subjectPart}");

    private static async Task<JsonElement[]> HandledAsync(this HttpClient admin, Func<JsonElement, bool> which, int count, string what)
    {
        JsonElement[] found = [];
        await Eventually.TrueAsync(async () =>
        {
            found = (await admin.InboundAsync()).Where(which).ToArray();
            return found.Length >= count && found.All(m => m.GetProperty("state").GetString() != "received");
        }, what);
        return found;
    }

    public static async Task<JsonElement> DeskTicketAsync(this HttpClient agent, string ticketId) =>
        await (await agent.GetAsync($"/api/v1/desk/tickets/{ticketId}")).JsonAsync(HttpStatusCode.OK);

    public static async Task<JsonElement[]> TicketsAsync(this HttpClient customer) =>
        (await (await customer.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK)).EnumerateArray().ToArray();
}
