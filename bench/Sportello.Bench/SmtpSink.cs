using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sportello.Bench;

/// <summary>
/// An SMTP server built like Sportello's listener (same SmtpServer library, same options: server name, session and
/// command timeouts, strict maximum size) whose store copies the message and answers 250 at once. It is the mail
/// bench's no-op baseline, and, keeping what it receives, the local relay the outbox delivers to.
/// <para>
/// With <c>noDelay</c> its connections set TCP_NODELAY, which SmtpServer's own listener does not: the library writes
/// each reply with its own flush, so to a pipelining client (MailKit, Postfix) the second reply of a pipelined group
/// waits behind Nagle's algorithm for the client's delayed ACK, about 40 ms on Linux, once per message. A real relay
/// (Postfix) answers a pipelined group in one write; the sink standing in for it must not add that stall.
/// </para>
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly bool keep;
    private Task running = Task.CompletedTask;
    private long count;

    private SmtpSink(int port, bool keep)
    {
        Port = port;
        this.keep = keep;
    }

    public int Port { get; }

    /// <summary>Messages accepted so far.</summary>
    public long Count => Interlocked.Read(ref count);

    /// <summary>When kept: each message's arrival (<see cref="Stopwatch"/> timestamp) and bytes.</summary>
    public ConcurrentQueue<(long At, byte[] Raw)> Received { get; } = new();

    /// <summary>Starts on a free loopback port and returns once it accepts connections.</summary>
    public static async Task<SmtpSink> StartAsync(string serverName, int maxMessageBytes, bool keep, bool noDelay = false)
    {
        var sink = new SmtpSink(Ports.Free(), keep);
        var options = new SmtpServerOptionsBuilder()
            .ServerName(serverName)
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, sink.Port)).SessionTimeout(TimeSpan.FromMinutes(2)))
            .MaxMessageSize(maxMessageBytes, MaxMessageSizeHandling.Strict)
            .CommandWaitTimeout(TimeSpan.FromMinutes(2))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(sink));
        if (noDelay)
        {
            services.Add(new Sportello.Features.Mail.Inbound.NoDelayListenerFactory());
        }
        var server = new SmtpServer.SmtpServer(options, services);
        sink.running = server.StartAsync(sink.stop.Token);
        await Ports.WaitAsync(sink.Port);
        return sink;
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

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            // The same copy Sportello's store makes before it writes.
            var raw = buffer.ToArray();
            if (sink.keep)
            {
                sink.Received.Enqueue((Stopwatch.GetTimestamp(), raw));
            }
            Interlocked.Increment(ref sink.count);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}

public static class Ports
{
    /// <summary>A loopback port free right now (the OS picks it).</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Waits until something accepts connections on the loopback port.</summary>
    public static async Task WaitAsync(int port, int timeoutSeconds = 30)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (clock.Elapsed.TotalSeconds < timeoutSeconds)
            {
                await Task.Delay(50);
            }
        }
    }
}
