using System.IO.Pipelines;
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
/// (bench/README.md, "Mail"). Plain SMTP only, as the listener is configured without a certificate.
/// </summary>
public sealed class NoDelayListenerFactory(Action<System.Net.EndPoint>? started = null) : IEndpointListenerFactory
{
    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start();
        started?.Invoke(listener.LocalEndpoint);
        return new Listener(listener);
    }

    private sealed class Listener(TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
            context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint!);
            return new Pipe(client);
        }

        public void Dispose() => listener.Stop();
    }

    private sealed class Pipe : ISecurableDuplexPipe
    {
        private readonly TcpClient client;

        public Pipe(TcpClient client)
        {
            this.client = client;
            var stream = client.GetStream();
            Input = PipeReader.Create(stream);
            Output = PipeWriter.Create(stream);
        }

        public PipeReader Input { get; }
        public PipeWriter Output { get; }
        public bool IsSecure => false;
        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The listener speaks plain SMTP; terminate TLS in front of it.");

        public void Dispose() => client.Dispose();
    }
}
