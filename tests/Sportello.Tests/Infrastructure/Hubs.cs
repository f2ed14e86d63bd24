using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Sportello.Tests.Infrastructure;

/// <summary>A real SignalR client on the test server, signed in with the client's API token.</summary>
public static class Hubs
{
    public static async Task<HubConnection> ConnectAsync(SportelloApp app, HttpClient client, Action<HubConnection> listen)
    {
        var token = client.DefaultRequestHeaders.Authorization!.Parameter;
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "hubs/tickets"), o =>
            {
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult(token);
            })
            .Build();
        listen(connection);
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
