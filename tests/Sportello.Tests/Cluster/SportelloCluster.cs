using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Npgsql;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Cluster;

/// <summary>
/// Three Sportello nodes on a PostgreSQL and a Redis of their own, behind HAProxy (health checks on /health/ready), with
/// an SMTP relay for their outgoing mail. The test may kill a node, restart the database or stop Redis: each test
/// starts by bringing every part back (<see cref="HealAsync"/>).
/// </summary>
public sealed class SportelloCluster : IAsyncLifetime
{
    public const string CustomerPassword = "customer passphrase 2026";
    public const string AgentPassword = "agent passphrase 2026";
    private const string Database = "sportello";

    internal PrivatePostgres Postgres { get; } = new();
    internal PrivateRedis Redis { get; } = new();
    internal Balancer Balancer { get; } = new();
    public SmtpSink Relay { get; } = new();
    public List<ClusterNode> Nodes { get; } = [];
    public string ConnectionString => new NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Database = Database }.ConnectionString;
    public Uri Address => Balancer.Address;
    private static int nextAddress;

    public async ValueTask InitializeAsync()
    {
        await Task.WhenAll(Postgres.StartAsync(), Redis.StartAsync());
        await using (var admin = new NpgsqlConnection(Postgres.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        for (var n = 1; n <= 3; n++)
        {
            Nodes.Add(new ClusterNode(n, Settings));
        }
        // The first node migrates the schema and creates the admin; the others find both.
        Nodes[0].Start();
        await Nodes[0].WaitReadyAsync();
        Nodes[1].Start();
        Nodes[2].Start();
        await Task.WhenAll(Nodes[1].WaitReadyAsync(), Nodes[2].WaitReadyAsync());
        await Balancer.StartAsync(Nodes.Select(n => n.HttpPort));
        await WaitBalancedAsync();
    }

    private IEnumerable<string> Settings(int node) =>
    [
        "--Sportello:Database:Provider", "Postgres",
        // As an operator writes it: no timeouts of the test's own, so the product's defaults are what is tested.
        "--ConnectionStrings:Sportello", ConnectionString,
        "--Sportello:Redis", Redis.Endpoint,
        "--Sportello:ForwardedHeaders:KnownProxies:0", "127.0.0.1",
        "--Sportello:Identity:PasswordIterations", "1000",
        "--Sportello:Bootstrap:AdminEmail", SportelloApp.AdminEmail,
        "--Sportello:Bootstrap:AdminPassword", SportelloApp.AdminPassword,
        "--Sportello:Demo", "false",
        "--Sportello:Mail:SupportAddress", MailApp.Support,
        "--Sportello:Mail:Outbound:Host", "127.0.0.1",
        "--Sportello:Mail:Outbound:Port", Relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--Sportello:Mail:Outbound:Tls", "none",
        // Load comes from a few addresses and customers; sign-in keeps its contract limit (10 a minute), which the
        // rate-limit test checks across the nodes.
        "--Sportello:RateLimits:TicketCreation:PermitLimit", "10000",
        "--Sportello:RateLimits:ChatStart:PermitLimit", "10000",
        "--Sportello:RateLimits:ChatMessages:PermitLimit", "10000",
        "--Sportello:RateLimits:InboundSmtp:PermitLimit", "10000",
        "--Logging:LogLevel:Default", "Warning",
    ];

    /// <summary>The database and Redis up, every node running and ready, and the balancer sending to all three.</summary>
    public async Task HealAsync()
    {
        if (!Postgres.Running)
        {
            await Postgres.StartAgainAsync();
        }
        if (!Redis.Running)
        {
            await Redis.StartAsync();
        }
        foreach (var node in Nodes.Where(n => !n.Running))
        {
            node.Start();
        }
        await Task.WhenAll(Nodes.Select(n => n.WaitReadyAsync()));
        await WaitBalancedAsync();
    }

    /// <summary>Waits until the balancer has all three nodes up again (its checks need two successes a second apart).</summary>
    private async Task WaitBalancedAsync()
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                // Six readiness checks in a row answered: with round robin, every node took at least one.
                for (var i = 0; i < 6; i++)
                {
                    if (!(await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                    {
                        return false;
                    }
                }
                return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, "the balancer to send to every node", 30);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
    }

    /// <summary>A client of the balancer from its own loopback address (127.0.1.N), as a person behind their own IP.</summary>
    public HttpClient Client(IPAddress? from = null) => Client(Address, from ?? NextAddress());

    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref nextAddress);
        return new IPAddress([127, 0, (byte)(1 + n / 250), (byte)(n % 250 + 1)]);
    }

    public static HttpClient Client(Uri address, IPAddress from) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };

    public async Task<HttpClient> SignInAsync(string email, string password, IPAddress? from = null)
    {
        var client = Client(from);
        var token = await (await client.PostAsJsonAsync("/api/v1/auth/token", new { email, password })).JsonAsync(HttpStatusCode.OK);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.GetProperty("token").GetString());
        return client;
    }

    /// <summary>The admin, signed in once: sign-in is limited to 10 a minute per account, across the cluster.</summary>
    public async Task<HttpClient> AdminAsync()
    {
        await admin.WaitAsync();
        try
        {
            return adminClient ??= await SignInAsync(SportelloApp.AdminEmail, SportelloApp.AdminPassword);
        }
        finally
        {
            admin.Release();
        }
    }

    private readonly SemaphoreSlim admin = new(1, 1);
    private HttpClient? adminClient;

    public async Task<HttpClient> CustomerAsync(string prefix)
    {
        var (email, _, _) = Unique.Customer(prefix);
        await (await AdminAsync()).CreateCustomerAsync(email, password: CustomerPassword);
        return await SignInAsync(email, CustomerPassword);
    }

    public async Task<HttpClient> AgentAsync(string prefix, params string[] departments)
    {
        var email = $"{prefix}-{Unique.Next()}@sportello.test";
        await (await (await AdminAsync()).PostAsJsonAsync("/api/v1/admin/agents", new
        {
            email, name = "Agent " + prefix, password = AgentPassword, departments = departments.Length > 0 ? departments : ["technical", "financial"],
        })).JsonAsync(HttpStatusCode.Created);
        return await SignInAsync(email, AgentPassword);
    }

    /// <summary>One number from the cluster's database, read directly (what is stored, whatever the nodes say).</summary>
    public async Task<long> CountAsync(string sql, object? parameter = null)
    {
        // Unpooled: a pooled connection from before a PostgreSQL restart is dead, and the test's own reading must not fail on it.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (parameter is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of a query as text, for a failure's message.</summary>
    public async Task<string> DescribeAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return string.Join('\n', rows);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            node.Dispose();
        }
        NpgsqlConnection.ClearAllPools();
        await Balancer.DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        await Relay.DisposeAsync();
    }
}
