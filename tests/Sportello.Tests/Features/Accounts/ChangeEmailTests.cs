using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Accounts;

[Trait("Category", "Data")]
public sealed partial class ChangeEmailTests(MailApp app) : IClassFixture<MailApp>
{
    private async Task<HttpStatusCode> SignInStatusAsync(string email) =>
        (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/token", new { email, password = "customer passphrase 2026" })).StatusCode;

    private async Task<HttpResponseMessage> ConfirmAsync(string link) =>
        await app.Anonymous().SubmitAsync(link, link, new Dictionary<string, string>());

    [Fact]
    public async Task ChangingTheRegisteredAddress_NeedsBothAddressesToConfirm_AndEachLinkWorksOnce()
    {
        var (customer, oldEmail) = await app.CustomerAsync("move-from");
        var newEmail = $"moved-{Unique.Next()}@example.net";

        var accepted = await customer.PostAsJsonAsync("/api/v1/account/email", new { newEmail, password = "customer passphrase 2026" });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var toOld = Path(await app.MailOut.WaitForAsync(oldEmail, m => m.Subject!.Contains("registered address", StringComparison.Ordinal)));
        var toNew = Path(await app.MailOut.WaitForAsync(newEmail));

        var first = await ConfirmAsync(toNew);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("other address", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await SignInStatusAsync(oldEmail));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInStatusAsync(newEmail));

        var second = await ConfirmAsync(toOld);
        Assert.Contains("has changed", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await SignInStatusAsync(newEmail));
        Assert.Equal(HttpStatusCode.Unauthorized, await SignInStatusAsync(oldEmail));
        Assert.Equal(HttpStatusCode.NotFound, (await ConfirmAsync(toOld)).StatusCode);

        // Mail from the old address is now a stranger's; from the new one, the customer's.
        var fresh = await app.SignInAsync(newEmail, "customer passphrase 2026");
        await app.SendAsync(MailApp.Mail(oldEmail, "Dal vecchio indirizzo", "Chi sono?"));
        await app.SendAsync(MailApp.Mail(newEmail, "Dal nuovo indirizzo", "Sono io."));
        await Eventually.TrueAsync(async () => (await fresh.TicketsAsync()).Length == 1, "the ticket from the new address");
        await (await app.AdminAsync()).HandledAsync(2);
        Assert.Equal("Dal nuovo indirizzo", (await fresh.TicketsAsync()).Single().GetProperty("subject").GetString());
    }

    [Fact]
    public async Task WrongPassword_OrAnAddressInUse_IsRefusedNamingTheField()
    {
        var (customer, _) = await app.CustomerAsync("move-bad");
        var (other, _, _) = Unique.Customer("move-taken");
        await (await app.AdminAsync()).CreateCustomerAsync(other);

        await (await customer.PostAsJsonAsync("/api/v1/account/email", new { newEmail = "fine@example.net", password = "wrong password 123" }))
            .AssertNamesFieldAsync("password");
        await (await customer.PostAsJsonAsync("/api/v1/account/email", new { newEmail = other, password = "customer passphrase 2026" }))
            .AssertNamesFieldAsync("newEmail");
        Assert.Empty(app.MailOut.To("fine@example.net"));
    }

    private static string Path(MimeKit.MimeMessage mail) => new Uri(Link().Match(mail.TextBody!).Value).PathAndQuery;

    [GeneratedRegex(@"https://\S+/confirm-email-change/[A-Za-z0-9_\-]+")]
    private static partial Regex Link();
}
