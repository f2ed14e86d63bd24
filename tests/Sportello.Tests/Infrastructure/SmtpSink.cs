using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sportello.Tests.Infrastructure;

/// <summary>A relay for Sportello's outgoing mail: refuses (451) while told to, refuses some recipients for good (550).</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;

    public int Port { get; } = MailApp.FreePort();
    public bool Refusing { get; set; }
    public ConcurrentBag<MimeMessage> Received { get; } = [];
    public ConcurrentBag<string> Envelopes { get; } = [];

    public SmtpSink()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("sink.test").Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter());
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

    private sealed class Filter : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!to.User.StartsWith("gone", StringComparison.Ordinal));
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
            sink.Received.Add(await MimeMessage.LoadAsync(stream, cancellationToken));
            sink.Envelopes.Add(transaction.From.AsAddress());
            return SmtpResponse.Ok;
        }
    }
}
