using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;

namespace Sportello.Tests.Infrastructure;

/// <summary>A real SignalR client on the test server, signed in with the client's API token.</summary>
public static class Hubs
{
    public static Task<HubConnection> ConnectAsync(SportelloApp app, HttpClient client, Action<HubConnection> listen) =>
        ConnectAsync(app, "hubs/tickets", client.DefaultRequestHeaders.Authorization!.Parameter, listen);

    /// <summary>A connection to <paramref name="path"/>, with an API token or (null) anonymous, like a widget.</summary>
    public static Task<HubConnection> ConnectAsync(SportelloApp app, string path, string? token, Action<HubConnection> listen) =>
        StartAsync(new Uri(app.Server.BaseAddress, path), token, listen, o =>
        {
            o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
        });

    /// <summary>A connection over the network to a real node or balancer, over WebSockets, negotiating first as browsers do.</summary>
    public static Task<HubConnection> ConnectAsync(Uri address, string path, Action<HubConnection> listen, string? token = null) =>
        StartAsync(new Uri(address, path), token, listen, o => o.Transports = HttpTransportType.WebSockets);

    private static async Task<HubConnection> StartAsync(Uri url, string? token, Action<HubConnection> listen, Action<HttpConnectionOptions> transport)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                transport(o);
                if (token is not null)
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();
        listen(connection);
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
