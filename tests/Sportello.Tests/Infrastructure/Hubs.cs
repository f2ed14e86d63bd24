using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Sportello.Tests.Infrastructure;

/// <summary>A real SignalR client on the test server, signed in with the client's API token.</summary>
public static class Hubs
{
    public static Task<HubConnection> ConnectAsync(SportelloApp app, HttpClient client, Action<HubConnection> listen) =>
        ConnectAsync(app, "hubs/tickets", client.DefaultRequestHeaders.Authorization!.Parameter, listen);

    /// <summary>A connection to <paramref name="path"/>, with an API token or (null) anonymous, like a widget.</summary>
    public static async Task<HubConnection> ConnectAsync(SportelloApp app, string path, string? token, Action<HubConnection> listen)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, path), o =>
            {
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
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
