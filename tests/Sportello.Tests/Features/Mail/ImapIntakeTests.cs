using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Mail;

[Trait("Category", "Data")]
public sealed class ImapIntakeTests(ImapApp app) : IClassFixture<ImapApp>
{
    private async Task<(HttpClient Admin, HttpClient Customer, string Email)> CustomerAsync(string prefix)
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var (email, _, _) = Unique.Customer(prefix);
        await admin.CreateCustomerAsync(email);
        return (admin, await app.SignInAsync(email, "customer passphrase 2026"), email);
    }

    [Fact]
    public async Task ImapIntake_MessagesBecomeTickets_ThenAreMarkedTaken()
    {
        var (admin, customer, email) = await CustomerAsync("imap-reg");
        var stranger = $"stranger-{Unique.Next()}@elsewhere.example";

        // To billing@: the recipients read from the headers route it, as the envelope would over SMTP.
        var fromCustomer = await app.Imap.AppendAsync(MailApp.Mail(email, "Fattura via IMAP", "La fattura è doppia.", to: MailApp.Billing));
        var fromStranger = await app.Imap.AppendAsync(MailApp.Mail(stranger, "Hello over IMAP", "Do you sell servers?"));

        System.Text.Json.JsonElement ticket = default;
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()) is [var only] && (ticket = only).ValueKind != default, "the customer's ticket");
        Assert.Equal("email", ticket.GetProperty("channel").GetString());
        Assert.Equal("financial", ticket.GetProperty("department").GetString());
        var ours = (await admin.HandledAsync(2)).Where(m => m.GetProperty("from").GetString() is { } from && (from == email || from == stranger)).ToList();
        Assert.Equal(2, ours.Count);
        Assert.All(ours, m => Assert.Equal($"imap:{ImapApp.MailboxName}", m.GetProperty("source").GetString()));
        Assert.All(ours, m => Assert.Equal("ticket-opened", m.GetProperty("outcome").GetString()));
        await Eventually.TrueAsync(async () => await app.Imap.TakenAsync(fromCustomer) && await app.Imap.TakenAsync(fromStranger), "both messages to be marked taken");
        Assert.True((await app.Imap.FlagsAsync(fromCustomer)).HasFlag(MessageFlags.Seen));
        // \Flagged is the people's: the intake leaves it alone.
        Assert.False((await app.Imap.FlagsAsync(fromCustomer)).HasFlag(MessageFlags.Flagged));
    }

    [Fact]
    public async Task ImapIntake_FlagLostAfterCommit_IsTakenAgain_WithoutASecondTicket()
    {
        var (admin, customer, email) = await CustomerAsync("imap-crash");
        var subject = $"Una volta sola {Unique.Next()}";
        var uid = await app.Imap.AppendAsync(MailApp.Mail(email, subject, "Questa mail va presa una volta."));
        await Eventually.TrueAsync(async () => (await customer.TicketsAsync()).Length == 1, "the ticket");
        await Eventually.TrueAsync(() => app.Imap.TakenAsync(uid), "the message to be marked taken");

        // As if Sportello had stopped after the commit and before the mark: the message is ours to take again.
        await app.Imap.RemoveFlagsAsync(uid, MessageFlags.Seen, Sportello.Features.Mail.Inbound.ImapIntake.TakenKeyword);

        // Only the intake marks, so the mark coming back means it fetched and stored the message again.
        await Eventually.TrueAsync(() => app.Imap.TakenAsync(uid), "the message to be marked taken again");
        await admin.HandledAsync(1);
        Assert.Single(await admin.InboundAsync(), m => m.GetProperty("subject").GetString() == subject);
        Assert.Single(await customer.TicketsAsync());
    }
}

[Trait("Category", "Data")]
public sealed class ImapSizeLimitTests(ImapApp app) : IClassFixture<ImapApp>
{
    [Fact]
    public async Task ImapIntake_MailOverTheSizeLimit_StaysInTheMailboxFlagged_AndIsNotStored()
    {
        await app.StartAsync();
        var admin = await app.AdminAsync();
        var subject = $"Too big {Unique.Next()}";
        var big = await app.Imap.AppendAsync(MailApp.Mail($"big-{Unique.Next()}@elsewhere.example", subject, new string('x', 1_500_000)));
        var small = await app.Imap.AppendAsync(MailApp.Mail($"small-{Unique.Next()}@elsewhere.example", $"Small {subject}", "fine"));

        await Eventually.TrueAsync(async () => await app.Imap.TakenAsync(big) && await app.Imap.TakenAsync(small), "both messages to be marked taken");
        Assert.True((await app.Imap.FlagsAsync(big)).HasFlag(MessageFlags.Flagged));

        var inbound = await admin.HandledAsync(1);
        Assert.DoesNotContain(inbound, m => m.GetProperty("subject").GetString() == subject);
        Assert.Contains(inbound, m => m.GetProperty("subject").GetString() == $"Small {subject}");
        Assert.False((await app.Imap.FlagsAsync(big)).HasFlag(MessageFlags.Seen));
    }
}

/// <summary>Sportello with one IMAP mailbox: a folder of its own on the test Dovecot, polled every second at most.</summary>
public sealed class ImapApp : MailApp
{
    public const string MailboxName = "dovecot";

    public TestImap Imap { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Imap = await TestImap.CreateFolderAsync();
    }

    protected override IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>
    {
        ["Sportello:Mail:Imap:0:Name"] = MailboxName,
        ["Sportello:Mail:Imap:0:Host"] = Imap.Host,
        ["Sportello:Mail:Imap:0:Port"] = Imap.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Sportello:Mail:Imap:0:Tls"] = "none",
        ["Sportello:Mail:Imap:0:User"] = Imap.User,
        ["Sportello:Mail:Imap:0:Password"] = Imap.Password,
        ["Sportello:Mail:Imap:0:Folder"] = Imap.Folder,
        ["Sportello:Mail:Imap:0:PollSeconds"] = "1",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Imap is not null)
        {
            await Imap.DeleteFolderAsync();
        }
    }
}

/// <summary>
/// The test's own client of the Dovecot scripts/test starts (SPORTELLO_TEST_IMAP and friends). Test classes share
/// its account, so each works in a fresh folder.
/// </summary>
public sealed record TestImap(string Host, int Port, string User, string Password, string Folder)
{
    public static async Task<TestImap> CreateFolderAsync()
    {
        var server = Environment.GetEnvironmentVariable("SPORTELLO_TEST_IMAP");
        if (string.IsNullOrWhiteSpace(server) || server.LastIndexOf(':') is var colon && colon <= 0)
        {
            throw new InvalidOperationException(
                "SPORTELLO_TEST_IMAP (host:port of a test Dovecot) is not set: run the tests with scripts/test, or start one with " +
                "scripts/lib/dovecot.sh and export SPORTELLO_TEST_IMAP, SPORTELLO_TEST_IMAP_USER and SPORTELLO_TEST_IMAP_PASSWORD.");
        }
        var imap = new TestImap(server[..colon], int.Parse(server[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture),
            Environment.GetEnvironmentVariable("SPORTELLO_TEST_IMAP_USER") ?? "support",
            Environment.GetEnvironmentVariable("SPORTELLO_TEST_IMAP_PASSWORD") ?? "imap-test-pass", "");
        using var client = await imap.ConnectAsync();
        var personal = await client.GetFolderAsync(client.PersonalNamespaces[0].Path);
        var folder = await personal.CreateAsync($"sportello-{Guid.NewGuid():N}", isMessageFolder: true);
        await client.DisconnectAsync(true);
        return imap with { Folder = folder!.FullName };
    }

    public async Task<UniqueId> AppendAsync(MimeMessage message, MessageFlags flags = MessageFlags.None, params string[] keywords)
    {
        var (client, folder) = await OpenAsync();
        using (client)
        {
            var uid = await folder.AppendAsync(new AppendRequest(message, flags, keywords));
            await client.DisconnectAsync(true);
            return uid ?? throw new InvalidOperationException("Dovecot did not return the appended message's UID (UIDPLUS)");
        }
    }

    public async Task<MessageFlags> FlagsAsync(UniqueId uid)
    {
        var (client, folder) = await OpenAsync();
        using (client)
        {
            // While the intake marks the message, the server may answer with a second FETCH for it: the last is current.
            var summary = (await folder.FetchAsync([uid], MessageSummaryItems.Flags)).Last(s => s.UniqueId == uid);
            await client.DisconnectAsync(true);
            return summary.Flags ?? MessageFlags.None;
        }
    }

    /// <summary>Whether the intake has marked the message taken (its private keyword).</summary>
    public async Task<bool> TakenAsync(UniqueId uid)
    {
        var (client, folder) = await OpenAsync();
        using (client)
        {
            // The intake may mark it during the fetch (two FETCH answers for one message); the mark is never taken back.
            var summaries = await folder.FetchAsync([uid], MessageSummaryItems.Flags);
            await client.DisconnectAsync(true);
            return summaries.Any(s => s.UniqueId == uid && s.Keywords.Contains(Sportello.Features.Mail.Inbound.ImapIntake.TakenKeyword));
        }
    }

    public async Task RemoveFlagsAsync(UniqueId uid, MessageFlags flags, params string[] keywords)
    {
        var (client, folder) = await OpenAsync();
        using (client)
        {
            await folder.StoreAsync(uid, new StoreFlagsRequest(StoreAction.Remove, flags, keywords) { Silent = true });
            await client.DisconnectAsync(true);
        }
    }

    public async Task DeleteFolderAsync()
    {
        using var client = await ConnectAsync();
        await (await client.GetFolderAsync(Folder)).DeleteAsync();
        await client.DisconnectAsync(true);
    }

    private async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient();
        try
        {
            await client.ConnectAsync(Host, Port, SecureSocketOptions.None);
            await client.AuthenticateAsync(User, Password);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task<(ImapClient Client, IMailFolder Folder)> OpenAsync()
    {
        var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(Folder);
        await folder.OpenAsync(FolderAccess.ReadWrite);
        return (client, folder);
    }
}
