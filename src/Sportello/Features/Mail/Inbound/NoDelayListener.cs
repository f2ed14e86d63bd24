using System.IO.Pipelines;
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
/// (bench/README.md, "Mail"). STARTTLS swaps the stream for TLS over the same socket.
/// </summary>
public sealed class NoDelayListenerFactory(
    Action<System.Net.EndPoint>? started = null, Func<X509Certificate, SslStreamCertificateContext?>? contexts = null) : IEndpointListenerFactory
{
    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start();
        started?.Invoke(listener.LocalEndpoint);
        return new Listener(listener, contexts);
    }

    private sealed class Listener(TcpListener listener, Func<X509Certificate, SslStreamCertificateContext?>? contexts) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
            context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint!);
            return new Pipe(client, contexts);
        }

        public void Dispose() => listener.Stop();
    }

    private sealed class Pipe : ISecurableDuplexPipe
    {
        private readonly TcpClient client;
        private readonly Func<X509Certificate, SslStreamCertificateContext?>? contexts;
        private SslStream? tls;

        public Pipe(TcpClient client, Func<X509Certificate, SslStreamCertificateContext?>? contexts)
        {
            this.client = client;
            this.contexts = contexts;
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
        }
    }
}
