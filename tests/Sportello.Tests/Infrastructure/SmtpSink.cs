using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sportello.Tests.Infrastructure;

/// <summary>
/// A relay for Sportello's outgoing mail: refuses (451) while told to, refuses some recipients for good (550). With
/// <see cref="RequiresLogin"/> it wants a login with <see cref="Password"/>, as a provider's relay does: mail without one is refused for good (554), as Postfix refuses relaying.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;

    public int Port { get; } = MailApp.FreePort();
    public bool Refusing { get; set; }
    /// <summary>Recipients whose local part starts with this are refused for good (550): mailboxes that do not exist.</summary>
    public string GoneMailboxes { get; set; } = "gone";
    public bool RequiresLogin { get; init; }
    /// <summary>The password this relay takes now (the provider changing it turns our login away).</summary>
    public string? Password { get; set; }
    /// <summary>Sessions in which a login was refused (a client may try several mechanisms in one).</summary>
    public int LoginsRefused => refusedSessions.Count;
    private readonly ConcurrentDictionary<ISessionContext, bool> refusedSessions = new(ReferenceEqualityComparer.Instance);
    public ConcurrentBag<MimeMessage> Received { get; } = [];
    public ConcurrentBag<string> Envelopes { get; } = [];

    public SmtpSink()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("sink.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).AllowUnsecureAuthentication())
            // Like Postfix, the session stays open after a refused login.
            .MaxAuthenticationAttempts(100).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new SmtpServer.Authentication.DelegatingUserAuthenticator((context, _, password) =>
        {
            if (password == Password)
            {
                return true;
            }
            refusedSessions.TryAdd(context, true);
            return false;
        }));
        services.Add(new Store(this));
        services.Add(new Filter(this));
        running = new SmtpServer.SmtpServer(options, services).StartAsync(stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        stop.Dispose();
    }

    private sealed class Filter(SmtpSink sink) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            sink.RequiresLogin && !context.Authentication.IsAuthenticated
                ? throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)554, "5.7.1 Relay access denied"))
                : Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!to.User.StartsWith(sink.GoneMailboxes, StringComparison.Ordinal));
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (sink.Refusing)
            {
                return new SmtpResponse((SmtpReplyCode)451, "4.3.0 Try again later");
            }
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            RunLog.SecretsOf(message);
            sink.Received.Add(message);
            sink.Envelopes.Add(transaction.From.AsAddress());
            return SmtpResponse.Ok;
        }
    }
}
