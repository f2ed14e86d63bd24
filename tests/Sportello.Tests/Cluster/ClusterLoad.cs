using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Cluster;

/// <summary>
/// Clients of the cluster that behave as real ones do when a node fails: a request that got no answer, or the
/// balancer's 502/503, is sent again after a short pause. What was acknowledged is kept, for the test to look for.
/// </summary>
public sealed class ClusterLoad
{
    public ConcurrentBag<Guid> TicketsAcknowledged { get; } = [];
    public ConcurrentBag<string> MailsAcknowledged { get; } = [];
    /// <summary>Answers that were neither success nor a failure worth retrying (a 500, say): each is a defect.</summary>
    public ConcurrentBag<string> Unexpected { get; } = [];
    public int Retries => retries;
    private int retries;

    /// <summary>Opens <paramref name="count"/> tickets one after another, each retried until acknowledged (bounded).</summary>
    public async Task OpenTicketsAsync(HttpClient customer, string tag, int count, Func<int, Task>? after = null)
    {
        for (var i = 0; i < count; i++)
        {
            var body = new { department = "technical", priority = "normal", subject = $"{tag} {i}", description = "Under load." };
            var response = await RetryAsync(() => customer.PostAsJsonAsync("/api/v1/tickets", body), $"ticket {tag} {i}");
            if (response is not null)
            {
                TicketsAcknowledged.Add(Guid.Parse((await response.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!));
            }
            if (after is not null)
            {
                await after(i);
            }
        }
    }

    /// <summary>Sends through the nodes' SMTP listeners in turn, as a sending MTA goes down its MX list when one fails.</summary>
    public async Task SendMailsAsync(IReadOnlyList<ClusterNode> nodes, string tag, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var subject = $"{tag} {i}";
            var message = MailApp.Mail($"{tag.Replace(' ', '-')}-{i}@stranger.example", subject, "Sent by mail under load.");
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 30, $"mail '{subject}' was never accepted");
                var node = nodes[(i + attempt) % nodes.Count];
                try
                {
                    await MailApp.SendToAsync(node.SmtpPort, message);
                    MailsAcknowledged.Add(subject);
                    break;
                }
                catch (Exception ex) when (ex is SocketException or IOException or SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException)
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(100);
                }
            }
        }
    }

    /// <summary>The response once it is not the balancer's (or a node's) "try again"; null when it never came.</summary>
    public async Task<HttpResponseMessage?> RetryAsync(Func<Task<HttpResponseMessage>> send, string what)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            try
            {
                var response = await send();
                if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(250);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    Unexpected.Add($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    return null;
                }
                return response;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Interlocked.Increment(ref retries);
                await Task.Delay(250);
            }
        }
        Unexpected.Add($"{what}: never answered");
        return null;
    }
}
