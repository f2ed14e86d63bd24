using System.Net;
using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Sportello.Tests.Infrastructure;

/// <summary>Sportello with its real SMTP listener on a free loopback port, mail-out/ for outgoing mail.</summary>
public class MailApp : SportelloApp
{
    public const string Support = "support@sportello.test";
    public const string Abuse = "abuse@sportello.test";
    public const string Billing = "billing@sportello.test";

    public int SmtpPort { get; } = FreePort();

    protected virtual IReadOnlyDictionary<string, string?> MailSettings => new Dictionary<string, string?>();

    protected override IReadOnlyDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Sportello:Mail:SmtpListen"] = $"127.0.0.1:{SmtpPort}",
                ["Sportello:Mail:SupportAddress"] = Support,
                ["Sportello:Mail:AbuseAddress"] = Abuse,
                ["Sportello:Mail:Routes:0:Address"] = Billing,
                ["Sportello:Mail:Routes:0:Department"] = "financial",
                ["Sportello:PublicUrl"] = "https://desk.sportello.test",
                ["Sportello:Mail:MaxMessageBytes"] = "1000000",
            };
            foreach (var (key, value) in MailSettings)
            {
                settings[key] = value;
            }
            return settings;
        }
    }

    public MailOut MailOut => new(Path.Combine(Database.DataDir, "mail-out"));

    /// <summary>Starts the host (and with it the listener) and waits until the listener answers.</summary>
    public async Task StartAsync()
    {
        _ = Server;
        await WaitForSmtpAsync(SmtpPort);
    }

    public static Task WaitForSmtpAsync(int port, int seconds = 15) =>
        Eventually.TrueAsync(async () =>
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, $"an SMTP listener on port {port}", seconds);

    /// <summary>A new customer, signed in through the API, with the listener running: the start of most mail tests.</summary>
    public async Task<(HttpClient Customer, string Email)> CustomerAsync(string prefix)
    {
        await StartAsync();
        var (email, _, _) = Unique.Customer(prefix);
        await (await AdminAsync()).CreateCustomerAsync(email);
        return (await SignInAsync(email, "customer passphrase 2026"), email);
    }

    /// <summary>Sends through the real listener, as a mail server would; returns the server's final answer.</summary>
    public Task<string> SendAsync(MimeMessage message, string? envelopeFrom = null, params string[] envelopeTo) =>
        SendToAsync(SmtpPort, message, envelopeFrom, envelopeTo);

    public static async Task<string> SendToAsync(int port, MimeMessage message, string? envelopeFrom = null, params string[] envelopeTo)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        var sender = envelopeFrom is null ? message.From.Mailboxes.First() : new MailboxAddress("", envelopeFrom);
        var recipients = envelopeTo.Length > 0 ? envelopeTo.Select(t => new MailboxAddress("", t)) : message.To.Mailboxes;
        var answer = await client.SendAsync(message, sender, recipients);
        await client.DisconnectAsync(true);
        return answer;
    }

    public static MimeMessage Mail(string from, string subject, string body, string to = Support, string? messageId = null)
    {
        // Dated by the test clock's start, not the machine's calendar (MimeKit would stamp today).
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = body }, Date = SportelloApp.Start };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.MessageId = messageId ?? $"{Guid.NewGuid():N}@client.example";
        return message;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The <c>.eml</c> files Sportello wrote for lack of a relay.</summary>
public sealed class MailOut(string folder)
{
    public List<MimeMessage> All()
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.GetFiles(folder, "*.eml").Order().Select(f => MimeMessage.Load(f)).ToList();
    }

    public List<MimeMessage> To(string address) =>
        All().Where(m => m.To.Mailboxes.Any(t => string.Equals(t.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();

    /// <summary>Waits for a mail to <paramref name="address"/> matching <paramref name="match"/>.</summary>
    public async Task<MimeMessage> WaitForAsync(string address, Func<MimeMessage, bool>? match = null)
    {
        MimeMessage? found = null;
        await Eventually.TrueAsync(() =>
        {
            found = To(address).FirstOrDefault(m => match?.Invoke(m) ?? true);
            return Task.FromResult(found is not null);
        }, $"a mail to {address}");
        return found!;
    }
}

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails naming what was awaited after the timeout.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}");
            }
            await Task.Delay(50);
        }
    }
}
