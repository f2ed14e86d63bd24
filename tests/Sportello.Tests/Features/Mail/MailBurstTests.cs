using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Two intake workers, as two nodes would run, and a customer allowed twelve tickets a minute.</summary>
public sealed class BurstMailApp : MailApp
{
    public const int TicketsPerMinute = 12;

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:RateLimits:TicketCreation:PermitLimit"] = TicketsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sportello:RateLimits:TicketCreation:WindowSeconds"] = "60",
        ["Sportello:Sla:OnCallEmail"] = "",
        ["Sportello:Mail:Intake:Workers"] = "2",
    };
}

[Trait("Category", "Data")]
public sealed class MailBurstTests(BurstMailApp app) : IClassFixture<BurstMailApp>
{
    [Fact]
    public async Task AFloodSentAllAtOnce_OpensExactlyTheLimit_AndEveryMailIsHandled_WithoutTheClockMoving()
    {
        var (customer, email) = await app.CustomerAsync("burst");
        var admin = await app.AdminAsync();
        var tag = $"burst-{Unique.Next()}";
        const int Connections = 8, MailsEach = 4;

        // Eight connections at once (under the listener's ten per address): the two intake workers race for the same
        // customer's slots again and again. A lost race is retried against what the winner committed; it must never
        // park a mail until the clock moves, and the clock here does not.
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async c =>
        {
            for (var m = 0; m < MailsEach; m++)
            {
                await app.SendAsync(MailApp.Mail(email, $"{tag} {c}.{m}", "Same autoresponder, many times."));
            }
        }));

        var handled = await admin.HandledAsync(tag, Connections * MailsEach);
        Assert.Equal(Connections * MailsEach, handled.Length);
        Assert.Equal(BurstMailApp.TicketsPerMinute, (await customer.TicketsAsync()).Length);
        Assert.Equal(BurstMailApp.TicketsPerMinute, handled.Count(m => m.GetProperty("outcome").GetString() == "ticket-opened"));
        Assert.Equal(Connections * MailsEach - BurstMailApp.TicketsPerMinute, handled.Count(m => m.GetProperty("reason").GetString() == "rate-limited"));
    }
}
