using System.Net;
using System.Net.Sockets;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Sportello told to listen on a port another program holds.</summary>
public sealed class BusyPortApp : SportelloApp
{
    private readonly TcpListener squatter = new(IPAddress.Loopback, 0);

    public BusyPortApp() => squatter.Start();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:SmtpListen"] = $"127.0.0.1:{((IPEndPoint)squatter.LocalEndpoint).Port}",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        squatter.Dispose();
    }
}

public sealed class MailReadinessTests(BusyPortApp app) : IClassFixture<BusyPortApp>
{
    [Fact]
    public async Task ListenerThatCannotBind_MakesTheNodeNotReady()
    {
        var ready = await app.Anonymous().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/live")).StatusCode);
    }
}

public sealed class MailStallRulesTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);

    private static MailPipelineSummary Summary(
        DateTime? oldestWaiting = null, DateTime? oldestDue = null, bool held = false, bool bound = true, DateTime? certificateUntil = null) =>
        new(true, bound, held, oldestWaiting is null ? 0 : 1, oldestWaiting, null, oldestDue is null ? 0 : 1, oldestDue, 0, 0, 0, [],
            new SmtpTlsSummary(certificateUntil is not null, false,
                certificateUntil is { } until ? new CertificateSummary("CN=mx.sportello.test", until, "AB12") : null));

    [Fact]
    public void NoStall_WhileMailWaitsLessThanTwoMinutes() =>
        Assert.Null(Summary(oldestWaiting: Now.AddSeconds(-100), oldestDue: Now.AddSeconds(-100)).Stall(Now));

    [Fact]
    public void InboundMailWaitingLongerThanTwoMinutes_IsAStall_NotUnreadiness()
    {
        var summary = Summary(oldestWaiting: Now.AddMinutes(-3));
        Assert.Contains("intake is stalled", summary.Stall(Now), StringComparison.Ordinal);
        Assert.Null(summary.NotReady());
    }

    [Fact]
    public void HeldIntake_IsNotAStall() =>
        Assert.Null(Summary(oldestWaiting: Now.AddMinutes(-30), held: true).Stall(Now));

    [Fact]
    public void DueMailNotSentForTwoMinutes_IsAStall_NamingTheRelayWhenItIsDown()
    {
        var summary = Summary(oldestDue: Now.AddMinutes(-3));
        Assert.Contains("outbox is stalled", summary.Stall(Now), StringComparison.Ordinal);
        Assert.Null(summary.NotReady());
        var relayDown = summary with { Relay = new RelayDown(Now.AddMinutes(-5), "The relay refused our login: 535") };
        Assert.Contains("the relay is down since 2026-11-24T11:55:00.0000000Z: The relay refused our login", relayDown.Stall(Now), StringComparison.Ordinal);
    }

    [Fact]
    public void NotReady_WhenTheListenerIsNotBound() =>
        Assert.Contains("SMTP", Summary(bound: false).NotReady(), StringComparison.Ordinal);

    [Fact]
    public void ExpiredCertificate_IsAStall_NotUnreadiness()
    {
        Assert.Null(Summary(certificateUntil: Now.AddDays(3)).Stall(Now));
        var expired = Summary(certificateUntil: Now.AddMinutes(-1));
        Assert.Contains("certificate expired", expired.Stall(Now), StringComparison.Ordinal);
        Assert.Null(expired.NotReady());
    }
}

[Trait("Category", "Data")]
public sealed class MailAdminPageTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task AdminMailPage_ShowsQuarantineReasons_AndRecentMail()
    {
        await app.StartAsync();
        var tag = Unique.Next();
        var bomb = HostileCorpus.All(tag.ToString(System.Globalization.CultureInfo.InvariantCulture)).Single(s => s.Name == "zip-bomb");
        await Swaks.SendRawAsync(app.SmtpPort, "mallory@hostile.example", MailApp.Support, bomb.Raw);
        await app.SendAsync(MailApp.Mail("friend@elsewhere.example", $"Friendly {tag}", "Ciao"));
        await (await app.AdminAsync()).HandledAsync(2);

        var admin = await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        var page = await admin.GetPageAsync("/admin/mail");

        Assert.Contains("zip bomb", page, StringComparison.Ordinal);
        Assert.Contains($"Friendly {tag}", page, StringComparison.Ordinal);
        var customer = await app.SignInWebAsync((await CustomerAsync()).Email, "customer passphrase 2026");
        var refused = await customer.GetAsync("/admin/mail");
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Contains("forbidden", refused.Headers.Location!.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private async Task<(string Email, string Id)> CustomerAsync()
    {
        var (email, _, _) = Unique.Customer("mail-admin");
        var created = await (await app.AdminAsync()).CreateCustomerAsync(email);
        return (email, created.GetProperty("id").GetString()!);
    }
}
