using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>A Sportello whose support address is its own and whose relay is another Sportello's listener.</summary>
public sealed class PeerApp(string support, Func<int> relayPort) : MailApp
{
    public string SupportAddress { get; } = support;

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:SupportAddress"] = SupportAddress,
        ["Sportello:Mail:Outbound:Host"] = "127.0.0.1",
        ["Sportello:Mail:Outbound:Port"] = relayPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sportello:Mail:Outbound:Tls"] = "none",
    };
}

[Trait("Category", "Data")]
public sealed class PeerLoopTests
{
    [Fact]
    public async Task TwoSportellosMailingEachOther_StopAfterOneExchange()
    {
        PeerApp? b = null;
        await using var a = new PeerApp("support@a.test", () => b!.SmtpPort);
        b = new PeerApp("support@b.test", () => a.SmtpPort);
        await using var _ = b;
        await a.InitializeAsync();
        await b.InitializeAsync();
        await a.StartAsync();
        await b.StartAsync();

        // B's support address writes to A (say, a misdirected notification): A answers once, automatically.
        await a.SendAsync(MailApp.Mail(b.SupportAddress, "Hello from B", "First mail.", to: a.SupportAddress));

        var adminA = await a.AdminAsync();
        var adminB = await b.AdminAsync();
        await Eventually.TrueAsync(async () => (await adminB.InboundAsync()).Any(m => m.GetProperty("state").GetString() != "received"),
            "A's automatic answer to reach B and be handled");
        // B's handling and its outbox commit together: with nothing in B's outbox, B has nothing to send, ever, and
        // A's one mail is all A wrote, so the exchange is over (no waiting for a loop that might start).
        var inboundA = await adminA.InboundAsync();
        var inboundB = await adminB.InboundAsync();
        Assert.Single(inboundA);
        Assert.Single(inboundB);
        Assert.StartsWith("No acknowledgement: Auto-Submitted", inboundB[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(await adminA.OutboxAsync());
        Assert.Empty(await adminB.OutboxAsync());
    }
}
