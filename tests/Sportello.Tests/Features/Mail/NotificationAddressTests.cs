using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

[Trait("Category", "Data")]
public sealed partial class NotificationAddressTests(MailApp app) : IClassFixture<MailApp>
{
    private static string ConfirmationLink(MimeKit.MimeMessage mail) => Link().Match(mail.TextBody!).Value;

    [Fact]
    public async Task UnconfirmedAddress_GetsOnlyItsLink_ConfirmedGetsTicketMail_AndTheLinkWorksOnce()
    {
        var (customer, email) = await app.CustomerAsync("notify");
        var colleague = $"colleague-{Unique.Next()}@example.com";
        var accounts = $"accounts-{Unique.Next()}@example.com";

        var put = await customer.PutAsJsonAsync("/api/v1/account/notification-addresses", new { support = new[] { colleague }, invoices = new[] { accounts } });
        var saved = await put.JsonAsync(HttpStatusCode.OK);
        Assert.False(saved.GetProperty("support")[0].GetProperty("confirmed").GetBoolean());
        var confirmation = await app.MailOut.WaitForAsync(colleague);

        // Unconfirmed: a new ticket is acknowledged to the registered address only.
        var first = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Prima", description = "Uno" });
        var firstNumber = first.GetProperty("number").GetString()!;
        await app.MailOut.WaitForAsync(email, m => m.Subject!.Contains(firstNumber, StringComparison.Ordinal));
        Assert.DoesNotContain(app.MailOut.To(colleague), m => m.Subject!.Contains(firstNumber, StringComparison.Ordinal));

        // The link opens a page with a button; the POST confirms, once.
        var link = new Uri(ConfirmationLink(confirmation)).PathAndQuery;
        var browser = app.Anonymous();
        await browser.GetPageAsync(link);
        var confirmed = await browser.SubmitAsync(link, link, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Contains(colleague, await confirmed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var again = await browser.SubmitAsync(link, link, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        var after = await (await customer.GetAsync("/api/v1/account/notification-addresses")).JsonAsync(HttpStatusCode.OK);
        Assert.True(after.GetProperty("support")[0].GetProperty("confirmed").GetBoolean());
        Assert.False(after.GetProperty("invoices")[0].GetProperty("confirmed").GetBoolean());

        // Confirmed support address: ticket mail reaches it; the invoices address (other type, unconfirmed) gets none.
        var second = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Seconda", description = "Due" });
        var secondNumber = second.GetProperty("number").GetString()!;
        await app.MailOut.WaitForAsync(colleague, m => m.Subject!.Contains(secondNumber, StringComparison.Ordinal));
        Assert.DoesNotContain(app.MailOut.To(accounts), m => m.Subject!.Contains(secondNumber, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConfirmedSupportAddress_MayReplyByMail()
    {
        var (customer, email) = await app.CustomerAsync("notify-reply");
        var colleague = $"colleague-{Unique.Next()}@example.com";
        await customer.PutAsJsonAsync("/api/v1/account/notification-addresses", new { support = new[] { colleague } });
        var link = new Uri(ConfirmationLink(await app.MailOut.WaitForAsync(colleague))).PathAndQuery;
        await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>());
        var ticket = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Disco pieno", description = "Il disco è pieno." });
        var ack = await app.MailOut.WaitForAsync(colleague, m => m.Subject!.Contains(ticket.GetProperty("number").GetString()!, StringComparison.Ordinal));

        var reply = MailApp.Mail(colleague, "Re: " + ack.Subject, "Ho liberato 10 GB.");
        reply.InReplyTo = ack.MessageId;
        await app.SendAsync(reply);

        await Eventually.TrueAsync(async () =>
            (await (await customer.GetAsync($"/api/v1/tickets/{ticket.GetProperty("id").GetString()}")).JsonAsync(HttpStatusCode.OK))
                .GetProperty("messages").GetArrayLength() == 2, "the colleague's reply on the ticket");
        Assert.NotNull(email);
    }

    [Fact]
    public async Task BadAddresses_AreRefusedNamingTheField()
    {
        var (customer, email) = await app.CustomerAsync("notify-bad");

        var response = await customer.PutAsJsonAsync("/api/v1/account/notification-addresses",
            new { support = new[] { "fine@example.com", "not an address" }, abuse = new[] { email } });

        var problem = await response.JsonAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("support[1]", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("abuse[0]", out _));
        var unchanged = await (await customer.GetAsync("/api/v1/account/notification-addresses")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, unchanged.GetProperty("support").GetArrayLength());
    }

    [Fact]
    public async Task AgentsAndStrangers_CannotUseTheCustomerEndpoint()
    {
        await app.StartAsync();
        var agent = await app.AgentAsync($"agent-{Unique.Next()}@sportello.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/api/v1/account/notification-addresses")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/api/v1/account/notification-addresses")).StatusCode);
    }

    [GeneratedRegex(@"https://desk\.sportello\.test/confirm-address/[A-Za-z0-9_\-]+")]
    private static partial Regex Link();
}
