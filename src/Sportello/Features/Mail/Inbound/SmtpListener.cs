using System.Buffers;
using System.Net;
using System.Security.Authentication;
using System.Text;
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
/// is committed; when the database fails it answers 451, so the sender keeps the mail and tries again. With a
/// certificate it offers STARTTLS (and can require it), and every stored mail starts with our Received trace line.
/// Concurrent sessions are capped in all and per client address (421 at the greeting beyond).
/// </summary>
public sealed class SmtpListener(
    IOptions<MailOptions> mailOptions, IServiceScopeFactory scopes, MailPipelineState state, TimeProvider clock,
    [FromKeyedServices(SmtpListener.ThrottleName)] Throttle throttle, ILogger<SmtpListener> logger) : BackgroundService
{
    public const string ThrottleName = "InboundSmtp";
    public const string Source = "smtp";
    private const SmtpReplyCode TryLater = (SmtpReplyCode)451;
    private const SmtpReplyCode TlsRequired = (SmtpReplyCode)530;
    private const string HeloKey = "Sportello.Helo";
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
        ListenerCertificate? certificate = null;
        if (options.SmtpTls.Configured)
        {
            certificate = new ListenerCertificate(options.SmtpTls, state, logger);
            try
            {
                certificate.Load();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                // Without its certificate the listener would accept mail it was told to protect: it stays down, and
                // readiness says so.
                state.SmtpStartFailure = $"its certificate could not be read ({ex.Message})";
                logger.LogCritical("The SMTP listener does not start: its certificate could not be read ({Error})", ex.Message);
                return;
            }
        }
        else if (options.SmtpTls.Require)
        {
            logger.LogWarning("Sportello:Mail:SmtpTls:Require is set without a certificate: STARTTLS cannot be offered, and mail is taken in clear");
        }
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(options.Domain)
            .Endpoint(e =>
            {
                e.Endpoint(endpoint).SessionTimeout(TimeSpan.FromMinutes(2));
                if (certificate is not null)
                {
                    e.Certificate(certificate).SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13);
                }
            })
            .MaxMessageSize(options.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .CommandWaitTimeout(TimeSpan.FromMinutes(2))
            .Build();
        var listeners = new NoDelayListenerFactory(bound =>
        {
            state.SmtpBound = true;
            logger.LogInformation("SMTP listener on {Endpoint}", bound);
        }, certificate is null ? null : certificate.ContextFor, new SessionLimits(options.MaxSessions, options.MaxSessionsPerIp, options.Domain));
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Filter(this));
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(serverOptions, services);
        server.SessionCreated += (_, created) => created.Context.CommandExecuting += (_, command) =>
        {
            if (command.Command is EhloCommand ehlo)
            {
                created.Context.Properties[HeloKey] = new Greeting(ehlo.DomainOrAddress, Extended: true);
            }
            else if (command.Command is HeloCommand helo)
            {
                created.Context.Properties[HeloKey] = new Greeting(helo.DomainOrAddress, Extended: false);
            }
            else if (command.Command is StartTlsCommand)
            {
                // RFC 3207: what the client said before TLS is forgotten; it greets again inside.
                created.Context.Properties.Remove(HeloKey);
            }
        };
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

    /// <summary>
    /// The Received line an SMTP server must add (RFC 5321, section 4.4), with the protocol as RFC 3848 names it. The
    /// client's HELO name is its claim, so it is cut down to the characters a host name or address literal can have.
    /// </summary>
    private byte[] Trace(ISessionContext context, IMessageTransaction transaction)
    {
        var greeting = context.Properties.TryGetValue(HeloKey, out var said) ? said as Greeting : null;
        var helo = greeting is null ? "unknown" : HostChars(greeting.Name);
        var ip = context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var value) && value is IPEndPoint remote
            ? remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !remote.Address.IsIPv4MappedToIPv6
                ? "IPv6:" + remote.Address
                : remote.Address.MapToIPv4().ToString()
            : "unknown";
        var secure = context.Pipe.IsSecure;
        var protocol = greeting is { Extended: false } ? "SMTP" : secure ? "ESMTPS" : "ESMTP";
        var tls = secure ? $" ({ProtocolName(context.Pipe.SslProtocol)})" : "";
        var recipient = transaction.To.Count == 1 && transaction.To[0].AsAddress() is var to && to.All(AddressChar)
            ? $"\r\n\tfor <{to}>"
            : "";
        var date = MimeKit.Utils.DateUtils.FormatDate(clock.GetUtcNow());
        var line = $"Received: from {helo} ([{ip}])\r\n\tby {options.Domain} (Sportello) with {protocol}{tls}{recipient};\r\n\t{date}\r\n";
        return Encoding.ASCII.GetBytes(line);
    }

    private sealed record Greeting(string Name, bool Extended);

    private static string ProtocolName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    private static bool AddressChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '+' or '@';

    private static string HostChars(string value)
    {
        var kept = new string([.. value.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '[' or ']' or ':' or '_').Take(255)]);
        return kept.Length == 0 ? "unknown" : kept;
    }

    private static string? RemoteIp(ISessionContext context) =>
        context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var value) && value is IPEndPoint remote
            ? remote.Address.ToString()
            : null;

    private sealed class Filter(SmtpListener listener) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
        {
            if (listener.options.SmtpTls is { Configured: true, Require: true } && !context.Pipe.IsSecure)
            {
                throw new SmtpResponseException(new SmtpResponse(TlsRequired, "5.7.0 Must issue a STARTTLS command first"));
            }
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
            var from = transaction.From is { } sender && !string.IsNullOrEmpty(sender.User) ? sender.AsAddress() : "";
            var envelope = new StoreInboundMail.Envelope(Source, RemoteIp(context), from, transaction.To.Select(t => t.AsAddress()).ToList());
            try
            {
                await using var scope = listener.scopes.CreateAsyncScope();
                await StoreAsync(scope.ServiceProvider.GetRequiredService<StoreInboundMail>(), envelope, listener.Trace(context, transaction), buffer, cancellationToken);
                listener.state.Received(Source, listener.clock.GetUtcNow().UtcDateTime);
                return SmtpResponse.Ok;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Nothing was committed: the sender keeps the mail and retries, which is what 4xx means.
                listener.logger.LogError("Could not store an inbound mail of {Size} bytes: {Error}", buffer.Length, ex.GetType().Name);
                return new SmtpResponse(TryLater, "4.3.0 Could not store the message now; try again later");
            }
        }

        /// <summary>
        /// The message is copied out of SmtpServer's buffers once, into the array that is stored, our Received line in
        /// front (a copy, then a concatenation, held a 30 MB mail three times); the duplicate check looks past our line.
        /// </summary>
        private static Task<bool> StoreAsync(
            StoreInboundMail store, StoreInboundMail.Envelope envelope, byte[] trace, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var stored = GC.AllocateUninitializedArray<byte>(checked(trace.Length + (int)buffer.Length));
            trace.CopyTo(stored, 0);
            buffer.CopyTo(stored.AsSpan(trace.Length));
            return store.StoreAsync(envelope, stored, trace.Length, cancellationToken);
        }
    }
}
