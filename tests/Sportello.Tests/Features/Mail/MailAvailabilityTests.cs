using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Features.Mail.Outbound;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

/// <summary>Intake on hold, so inbound mail waits without being a stall.</summary>
public sealed class HeldIntakeApp : MailApp
{
    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:Intake:Hold"] = "true",
    };
}

[Trait("Category", "Data")]
public sealed class MailHealthTests(HeldIntakeApp app) : IClassFixture<HeldIntakeApp>
{
    [Fact]
    public async Task StalledOutbox_MakesHealthMail503_WhileTheNodeStaysReady()
    {
        await app.StartAsync();
        await app.SendAsync(MailApp.Mail("waiting@elsewhere.example", "Held", "Waits for the intake."));

        var healthy = await (await app.Anonymous().GetAsync("/health/mail")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, healthy.GetProperty("inboundWaiting").GetInt32());
        Assert.Equal("2026-11-24T13:30:00Z", healthy.GetProperty("oldestWaitingAt").GetString());
        Assert.Equal(0, healthy.GetProperty("outboxDue").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, healthy.GetProperty("oldestDueAt").ValueKind);
        Assert.False(healthy.TryGetProperty("certificateExpiresAt", out _));

        // A mail another node claimed and never sent: due, and nobody here may pick it up.
        await StuckOutgoingMailAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(3));

        var stalled = await app.Anonymous().GetAsync("/health/mail");
        var body = await stalled.JsonAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(1, body.GetProperty("inboundWaiting").GetInt32());
        Assert.Equal(1, body.GetProperty("outboxDue").GetInt32());
        Assert.Equal("2026-11-24T13:30:00Z", body.GetProperty("oldestDueAt").GetString());
        Assert.Contains("outbox is stalled", body.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync("/health/ready")).StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            var metrics = await app.Anonymous().GetStringAsync("/metrics");
            return Regex.IsMatch(metrics, @"^sportello_mail_stalled(\{[^}]*\})? 1\b", RegexOptions.Multiline)
                && Regex.IsMatch(metrics, @"^sportello_mail_outbox_due[a-z_]*(\{[^}]*\})? 1\b", RegexOptions.Multiline)
                && Regex.IsMatch(metrics, @"^sportello_mail_inbound_waiting[a-z_]*(\{[^}]*\})? 1\b", RegexOptions.Multiline);
        }, "the stall in /metrics");
        var openApi = await (await app.Anonymous().GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);
        Assert.True(openApi.GetProperty("paths").GetProperty("/health/mail").GetProperty("get").GetProperty("responses").TryGetProperty("503", out _));
        var page = await (await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword)).GetPageAsync("/admin/mail");
        Assert.Contains("Mail is stalled:", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Not ready:", page, StringComparison.Ordinal);
    }

    private async Task StuckOutgoingMailAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var now = app.Clock.GetUtcNow().UtcDateTime;
        db.OutboxMessages.Add(new OutboxMessage
        {
            Id = Guid.CreateVersion7(), MessageId = $"stuck-{Guid.NewGuid():N}@sportello.test", Kind = MailKinds.TicketOpened,
            ToAddress = "someone@elsewhere.example", Subject = "Stuck", Mime = Encoding.ASCII.GetBytes("Subject: Stuck\r\n\r\nx\r\n"),
            CreatedAt = now, NextAttemptAt = now, ClaimedUntil = now.AddDays(1), ClaimToken = Guid.NewGuid(),
        });
        await db.SaveChangesAsync();
    }
}

/// <summary>A relay that wants a login, and a password it no longer takes.</summary>
public sealed class LoginRelayApp : MailApp
{
    public SmtpSink Sink { get; } = new() { RequiresLogin = true, Password = "changed-by-the-provider" };

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:Outbound:Host"] = "127.0.0.1",
        ["Sportello:Mail:Outbound:Port"] = Sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sportello:Mail:Outbound:Tls"] = "none",
        ["Sportello:Mail:Outbound:User"] = "sportello",
        ["Sportello:Mail:Outbound:Password"] = "our-password",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Sink.DisposeAsync();
    }
}

[Trait("Category", "Data")]
public sealed class RelayLoginTests(LoginRelayApp app) : IClassFixture<LoginRelayApp>
{
    [Fact]
    public async Task RefusedRelayLogin_DefersEveryMail_NoneFails_AndTheyAllGoOutOnceTheLoginWorks()
    {
        await app.StartAsync();
        var recipients = Enumerable.Range(0, 5).Select(i => $"login-{i}-{Unique.Next()}@elsewhere.example").ToList();
        await OutgoingMailAsync(recipients);

        // Two refused logins: the second comes from a later pass, after the first pass has dealt with the whole batch.
        await Eventually.TrueAsync(() =>
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
            return Task.FromResult(app.Sink.LoginsRefused >= 2);
        }, "two refused logins");
        var admin = await app.AdminAsync();
        var outbox = await admin.OutboxAsync();
        Assert.All(outbox, m => Assert.Equal("pending", m.GetProperty("state").GetString()));
        // A relay that is down costs the mail no attempt, so a long outage never gives it up.
        Assert.All(outbox, m => Assert.Equal(0, m.GetProperty("attempts").GetInt32()));
        Assert.Contains(outbox, m => m.GetProperty("lastError").GetString() is { } error && error.Contains("refused our login", StringComparison.Ordinal));
        Assert.Empty(app.Sink.Received);
        var page = await (await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword)).GetPageAsync("/admin/mail");
        Assert.Contains("Relay down since", page, StringComparison.Ordinal);
        Assert.Contains("The relay refused our login", page, StringComparison.Ordinal);

        app.Sink.Password = "our-password";
        app.Clock.Advance(TimeSpan.FromHours(3));

        await Eventually.TrueAsync(() => Task.FromResult(app.Sink.Received.Count >= recipients.Count), "every mail once the login works");
        foreach (var recipient in recipients)
        {
            Assert.Single(app.Sink.Received, m => m.To.Mailboxes.Single().Address == recipient);
        }
        Assert.All(await admin.OutboxAsync(), m => Assert.Equal("sent", m.GetProperty("state").GetString()));
        var after = await (await app.SignInWebAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword)).GetPageAsync("/admin/mail");
        Assert.DoesNotContain("Relay down since", after, StringComparison.Ordinal);
    }

    /// <summary>Several mails committed together, so one delivery pass finds them all (as after a notice or a backlog).</summary>
    private async Task OutgoingMailAsync(List<string> recipients)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        foreach (var recipient in recipients)
        {
            db.OutboxMessages.Add(await outbox.ComposeAsync(new OutgoingMail(MailKinds.StatusChanged, new Recipient(recipient, null, "en"),
                "Relay login", ["A mail for the relay."], $"relay-login-{recipient}")));
        }
        await db.SaveChangesAsync();
    }
}

/// <summary>Room for three sessions, two from one address.</summary>
public sealed class SessionLimitApp : MailApp
{
    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:MaxSessions"] = "3",
        ["Sportello:Mail:MaxSessionsPerIp"] = "2",
    };
}

[Trait("Category", "Data")]
public sealed class SmtpSessionLimitTests(SessionLimitApp app) : IClassFixture<SessionLimitApp>
{
    [Fact]
    public async Task SessionsOverTheLimits_Get421AtTheGreeting_AndAClosedConnection_UntilASessionEnds()
    {
        await app.StartAsync();
        // Sessions of earlier probes end shortly after their clients leave: until then a session may be refused.
        using var first = await SessionAsync("127.0.0.1");
        using var second = await SessionAsync("127.0.0.1");

        using var thirdFromTheSameAddress = await ConnectAsync("127.0.0.1");
        Assert.StartsWith("421 4.7.0 ", await LineAsync(thirdFromTheSameAddress));
        Assert.True(await ClosedAsync(thirdFromTheSameAddress));

        using var other = await SessionAsync("127.0.0.2");
        using var overTheTotal = await ConnectAsync("127.0.0.3");
        Assert.StartsWith("421 ", await LineAsync(overTheTotal));
        Assert.True(await ClosedAsync(overTheTotal));

        // A session that ends makes room (once SmtpServer has closed it).
        await SayAsync(first, "QUIT");
        Assert.StartsWith("221", await LineAsync(first));
        using var again = await SessionAsync("127.0.0.1");
    }

    private async Task<TcpClient> ConnectAsync(string from)
    {
        var client = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        await client.ConnectAsync(IPAddress.Loopback, app.SmtpPort);
        return client;
    }

    /// <summary>A connection that got the greeting (220), trying again while it gets 421.</summary>
    private async Task<TcpClient> SessionAsync(string from)
    {
        TcpClient? session = null;
        await Eventually.TrueAsync(async () =>
        {
            var client = await ConnectAsync(from);
            if ((await LineAsync(client)).StartsWith("220 ", StringComparison.Ordinal))
            {
                session = client;
                return true;
            }
            client.Dispose();
            return false;
        }, $"a greeting for {from}");
        return session!;
    }

    private static async Task<string> LineAsync(TcpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var line = new StringBuilder();
        var one = new byte[1];
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            if (await client.GetStream().ReadAsync(one, timeout.Token) == 0)
            {
                break;
            }
            line.Append((char)one[0]);
        }
        return line.ToString();
    }

    private static async Task<bool> ClosedAsync(TcpClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await client.GetStream().ReadAsync(new byte[16], timeout.Token) == 0;
    }

    private static async Task SayAsync(TcpClient client, string command) =>
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
}

[Trait("Category", "Data")]
public sealed class SmtpStoreTests(MailApp app) : IClassFixture<MailApp>
{
    [Fact]
    public async Task MailWithoutMessageId_SentTwice_IsStoredOnce_ExactlyAsSent_AfterOurReceivedLine()
    {
        await app.StartAsync();
        var raw = Encoding.ASCII.GetBytes($"From: no-id-{Unique.Next()}@elsewhere.example\r\nTo: {MailApp.Support}\r\nSubject: No Message-ID\r\n\r\nSame bytes twice.\r\n");
        Assert.Equal(0, (await Swaks.SendRawAsync(app.SmtpPort, "no-id@elsewhere.example", MailApp.Support, raw)).ExitCode);
        Assert.Equal(0, (await Swaks.SendRawAsync(app.SmtpPort, "no-id@elsewhere.example", MailApp.Support, raw)).ExitCode);

        var admin = await app.AdminAsync();
        var stored = Assert.Single(await admin.HandledAsync(1));
        var original = await (await admin.GetAsync($"/api/v1/desk/mail/{stored.GetProperty("id").GetString()}/original")).Content.ReadAsByteArrayAsync();
        Assert.StartsWith("Received: from ", Encoding.ASCII.GetString(original), StringComparison.Ordinal);
        Assert.EndsWith(Encoding.ASCII.GetString(raw), Encoding.ASCII.GetString(original), StringComparison.Ordinal);
    }
}
