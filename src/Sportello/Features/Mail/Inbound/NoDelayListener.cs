using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace Sportello.Features.Mail.Inbound;

/// <summary>
/// SmtpServer's accept loop with TCP_NODELAY on every connection. Without it, a client that pipelines commands (MailKit,
/// Postfix, Exim) waits for a delayed ACK of about 40 ms on every message: a cap of ~22 messages/s per connection
/// (bench/README.md, "Mail"). STARTTLS swaps the stream for TLS over the same socket. With <see cref="SessionLimits"/>, a
/// connection over the limits gets <c>421</c> instead of the greeting and is closed, before SmtpServer holds anything for it.
/// </summary>
public sealed class NoDelayListenerFactory(
    Action<EndPoint>? started = null, Func<X509Certificate, SslStreamCertificateContext?>? contexts = null, SessionLimits? limits = null) : IEndpointListenerFactory
{
    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start();
        started?.Invoke(listener.LocalEndpoint);
        return new Listener(listener, contexts, limits);
    }

    private sealed class Listener(TcpListener listener, Func<X509Certificate, SslStreamCertificateContext?>? contexts, SessionLimits? limits) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                client.NoDelay = true;
                var remote = (IPEndPoint)client.Client.RemoteEndPoint!;
                if (limits is not null && !limits.TryEnter(remote.Address))
                {
                    // Answered on the side: the accept loop goes on at once.
                    _ = limits.RefuseAsync(client);
                    continue;
                }
                context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
                context.Properties.Add(EndpointListener.RemoteEndPointKey, remote);
                return new Pipe(client, contexts, limits is null ? null : () => limits.Leave(remote.Address));
            }
        }

        public void Dispose() => listener.Stop();
    }

    private sealed class Pipe : ISecurableDuplexPipe
    {
        private readonly TcpClient client;
        private readonly Func<X509Certificate, SslStreamCertificateContext?>? contexts;
        private Action? ended;
        private SslStream? tls;

        public Pipe(TcpClient client, Func<X509Certificate, SslStreamCertificateContext?>? contexts, Action? ended)
        {
            this.client = client;
            this.contexts = contexts;
            this.ended = ended;
            var stream = client.GetStream();
            Input = PipeReader.Create(stream);
            Output = PipeWriter.Create(stream);
        }

        public PipeReader Input { get; private set; }
        public PipeWriter Output { get; private set; }
        public bool IsSecure => tls is not null;
        public SslProtocols SslProtocol => tls?.SslProtocol ?? SslProtocols.None;

        public async Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default)
        {
            var stream = new SslStream(client.GetStream(), leaveInnerStreamOpen: true);
            // The certificate with its intermediates when the listener loaded them, so clients get the whole chain.
            var context = contexts?.Invoke(certificate);
            try
            {
                await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = context is null ? certificate : null,
                    ServerCertificateContext = context,
                    EnabledSslProtocols = protocols,
                    ClientCertificateRequired = false,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                }, cancellationToken);
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }
            // New readers over the TLS stream: anything the client sent in clear after STARTTLS is dropped, never
            // read as if it had come encrypted (the STARTTLS command-injection flaw, CVE-2011-0411).
            tls = stream;
            Input = PipeReader.Create(stream);
            Output = PipeWriter.Create(stream);
        }

        public void Dispose()
        {
            tls?.Dispose();
            client.Dispose();
            Interlocked.Exchange(ref ended, null)?.Invoke();
        }
    }
}

/// <summary>
/// Caps concurrent SMTP sessions in all and per client address (<c>Sportello:Mail:MaxSessions</c>, <c>:MaxSessionsPerIp</c>):
/// each session may hold a message of up to <c>MaxMessageBytes</c> in memory, so the cap bounds the listener's memory.
/// </summary>
public sealed class SessionLimits(int maxSessions, int maxPerIp, string serverName)
{
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(5);
    private readonly Dictionary<IPAddress, int> perIp = [];
    private int total;

    public bool TryEnter(IPAddress address)
    {
        address = Normal(address);
        lock (perIp)
        {
            perIp.TryGetValue(address, out var sessions);
            if (total >= maxSessions || sessions >= maxPerIp)
            {
                return false;
            }
            perIp[address] = sessions + 1;
            total++;
            return true;
        }
    }

    public void Leave(IPAddress address)
    {
        address = Normal(address);
        lock (perIp)
        {
            total--;
            if (perIp.TryGetValue(address, out var sessions) && sessions > 1)
            {
                perIp[address] = sessions - 1;
            }
            else
            {
                perIp.Remove(address);
            }
        }
    }

    /// <summary>RFC 5321, section 3.1: a server that will not serve a client may say 421 instead of the greeting, and close.</summary>
    public async Task RefuseAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = new CancellationTokenSource(RefusalTimeout);
                var reply = System.Text.Encoding.ASCII.GetBytes($"421 4.7.0 {serverName} Too many connections; try again later\r\n");
                await client.GetStream().WriteAsync(reply, timeout.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client left first: nothing to tell it.
            }
        }
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
