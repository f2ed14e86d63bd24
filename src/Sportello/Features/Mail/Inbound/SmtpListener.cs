using System.Buffers;
using System.Net;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Sportello.Web;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// The inbound SMTP listener (<c>Sportello:Mail:SmtpListen</c>). It takes mail for our addresses only (550 for
/// others), refuses oversize mail (552) and clients over their rate (451), and answers 250 only once the raw message
/// is committed; when the database fails it answers 451, so the sender keeps the mail and tries again.
/// </summary>
public sealed class SmtpListener(
    IOptions<MailOptions> mailOptions, IServiceScopeFactory scopes, MailPipelineState state, TimeProvider clock,
    [FromKeyedServices(SmtpListener.ThrottleName)] Throttle throttle, ILogger<SmtpListener> logger) : BackgroundService
{
    public const string ThrottleName = "InboundSmtp";
    public const string Source = "smtp";
    private const SmtpReplyCode TryLater = (SmtpReplyCode)451;
    private readonly MailOptions options = mailOptions.Value;
    private readonly IServiceScopeFactory scopes = scopes;
    private readonly MailPipelineState state = state;
    private readonly TimeProvider clock = clock;
    private readonly Throttle throttle = throttle;
    private readonly ILogger<SmtpListener> logger = logger;

    public static IPEndPoint ParseEndpoint(string value)
    {
        if (IPEndPoint.TryParse(value, out var endpoint) && endpoint.Port != 0)
        {
            return endpoint;
        }
        var colon = value.LastIndexOf(':');
        if (colon > 0 && int.TryParse(value[(colon + 1)..], out var port))
        {
            var host = value[..colon];
            var address = host is "localhost" ? IPAddress.Loopback : Dns.GetHostAddresses(host).First();
            return new IPEndPoint(address, port);
        }
        throw new FormatException($"Sportello:Mail:SmtpListen must be host:port, not '{value}'.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoint = ParseEndpoint(options.SmtpListen!);
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(options.Domain)
            .Endpoint(e => e.Endpoint(endpoint).SessionTimeout(TimeSpan.FromMinutes(2)))
            .MaxMessageSize(options.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .CommandWaitTimeout(TimeSpan.FromMinutes(2))
            .Build();
        var listeners = new NoDelayListenerFactory(bound =>
        {
            state.SmtpBound = true;
            logger.LogInformation("SMTP listener on {Endpoint}", bound);
        });
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Filter(this));
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(serverOptions, services);
        try
        {
            await server.StartAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or InvalidOperationException)
        {
            logger.LogCritical(ex, "The SMTP listener could not start on {Endpoint}; inbound mail is not accepted", endpoint);
        }
        finally
        {
            state.SmtpBound = false;
        }
    }

    private bool IsOurs(IMailbox to)
    {
        var address = to.AsAddress();
        return string.Equals(address, options.SupportAddress, StringComparison.OrdinalIgnoreCase)
            || string.Equals(address, options.AbuseAddress, StringComparison.OrdinalIgnoreCase)
            || options.Routes.Any(r => string.Equals(address, r.Address, StringComparison.OrdinalIgnoreCase))
            || (MailTokens.IsBounceAddress(address) && string.Equals(to.Host, options.Domain, StringComparison.OrdinalIgnoreCase));
    }

    private static string? RemoteIp(ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var value) && value is IPEndPoint remote
            ? remote.Address.ToString()
            : null;

    private sealed class Filter(SmtpListener listener) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
        {
            if (listener.throttle.TryAcquire(RemoteIp(context) ?? "unknown") is not null)
            {
                throw new SmtpResponseException(new SmtpResponse(TryLater,
                    "4.7.1 Too many messages from your address; try again later"));
            }
            return Task.FromResult(true);
        }

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(listener.IsOurs(to));
    }

    private sealed class Store(SmtpListener listener) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var raw = buffer.ToArray();
            var from = transaction.From is { } sender && !string.IsNullOrEmpty(sender.User) ? sender.AsAddress() : "";
            var envelope = new StoreInboundMail.Envelope(Source, RemoteIp(context), from, transaction.To.Select(t => t.AsAddress()).ToList());
            try
            {
                await using var scope = listener.scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<StoreInboundMail>().StoreAsync(envelope, raw, cancellationToken);
                listener.state.Received(Source, listener.clock.GetUtcNow().UtcDateTime);
                return SmtpResponse.Ok;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing was committed: the sender keeps the mail and retries, which is what 4xx means.
                listener.logger.LogError("Could not store an inbound mail of {Size} bytes: {Error}", raw.Length, ex.GetType().Name);
                return new SmtpResponse(TryLater, "4.3.0 Could not store the message now; try again later");
            }
        }
    }
}
