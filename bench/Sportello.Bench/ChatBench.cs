// The live chat load benchmark (issue 11, "Performance"). Servers run as their own processes on loopback, each started by
// this driver: Sportello (the built Sportello.dll, Production settings, PostgreSQL) on one node or on two nodes sharing
// one database over SignalR's Redis backplane, and the baseline, a bare SignalR hub with the same methods and groups
// that persists nothing (ChatEchoServer.cs), on one node or two over the same Redis. The driver holds every client
// connection (.NET SignalR client, WebSockets only, no negotiation) in this process.
//
// Per target: V visitor connections joined to V waiting chats (started through REST before anyone connects), of which
// A were accepted by A/4 agents (each agent one connection, watching its chats); then
//   - held connections and server memory per connection (VmRSS of the node before and after connecting);
//   - a warm-up, then saturation: each active conversation sends its next message (visitor and agent in turn) when the
//     last one was answered (committed), for S seconds: messages persisted and chatMessage events per second;
//   - paced (open load) at 0.7 of that rate, when below the aim's: latency from the sender's invocation to the other
//     party's chatMessage event, and to the invocation's answer;
//   - Sportello only: what one queue change (a chat started) costs with V visitors connected (queueChanged pushes, and
//     the state reads the widget answers each with);
//   - last, paced at the aim's load, the A conversations at one message per second each (a target that cannot keep up
//     builds a backlog, which ends with the target); connections still held after it.
// On two nodes the visitors connect to node A and the agents to node B: every message crosses the backplane.
// Usage: -- chat [visitors=10000] [active=1000] [paced s=30] [saturation s=20] [targets=echo,one,echo-redis,two] [agents=active/4]
// Environment: SPORTELLO_BENCH_POSTGRES (server connection string; the bench creates a database per target),
// SPORTELLO_BENCH_REDIS (host:port, for the two-node targets), SPORTELLO_BENCH_SPORTELLO (Sportello.dll, default: the
// one built beside the bench), SPORTELLO_BENCH_PGDATA and SPORTELLO_BENCH_REDIS_PID (to attribute CPU), SPORTELLO_BENCH_HERD=0
// to skip the queue-change probe, SPORTELLO_BENCH_MARKS=1 to have both sides send delivered/read marks (Seen, AgentSeen)
// 300 ms after each message as the widget and the console do.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Sportello.Bench;

internal static class ChatBench
{
    private const string AdminEmail = "chat-bench-admin@example.com";
    private const string Password = "bench passphrase 2026";
    private const string Filler = "Hello, the server at 10.1.2.3 answers slowly since this morning; load average is 12.";
    private const int Warm = 0;
    private const int Saturation = 1;
    private const int Sustainable = 2;
    private const int Aim = 3;
    private const int WarmSeconds = 10;
    /// <summary>How long after a paced window the driver waits for answers and events still owed; later ones count as not arrived.</summary>
    private const int DrainSeconds = 15;

    public sealed record Options(int Visitors, int Active, int Agents, int PacedSeconds, int SaturationSeconds, IReadOnlyList<string> Targets);

    public static Options Parse(string[] args)
    {
        int Arg(int index, int fallback) => args.ElementAtOrDefault(index) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        var visitors = Arg(1, 10_000);
        var active = Math.Min(visitors, Arg(2, 1_000));
        var targets = (args.ElementAtOrDefault(5) ?? "echo,one,echo-redis,two").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new Options(visitors, active, Math.Max(1, Arg(6, (active + 3) / 4)), Arg(3, 30), Arg(4, 20), targets);
    }

    public static async Task RunAsync(Options options)
    {
        var sportello = Environment.GetEnvironmentVariable("SPORTELLO_BENCH_SPORTELLO") is { Length: > 0 } dll ? dll : Path.Combine(AppContext.BaseDirectory, "Sportello.dll");
        Console.WriteLine($"# chat bench: {options.Visitors:N0} visitors, {options.Active:N0} active conversations, {options.Agents:N0} agents " +
            $"({ChatsPerAgent(options)} chats each), warm-up {WarmSeconds} s, saturation {options.SaturationSeconds} s, paced {options.PacedSeconds} s; " +
            $"targets {string.Join(", ", options.Targets)}; Sportello {sportello}; {Environment.ProcessorCount} cores, .NET {Environment.Version}" +
            (Environment.GetEnvironmentVariable("SPORTELLO_BENCH_MARKS") == "1" ? "; with delivered/read marks (Seen, AgentSeen) as the widget and console send them" : ""));
        var results = new List<Result>();
        foreach (var target in options.Targets)
        {
            results.Add(await RunTargetAsync(target, options, sportello));
            // Let the previous target's sockets and memory go before the next one is measured.
            GC.Collect();
            await Task.Delay(3000);
        }
        Print(options, results);
    }

    private static int ChatsPerAgent(Options options) => (options.Active + options.Agents - 1) / options.Agents;

    // ---------------------------------------------------------------------------------------------------------------
    // One target: start, set up, connect, measure, tear down.

    private static async Task<Result> RunTargetAsync(string target, Options options, string sportelloDll)
    {
        var isEcho = target.StartsWith("echo", StringComparison.Ordinal);
        var twoNodes = target is "two" or "echo-redis";
        var redis = twoNodes ? Environment.GetEnvironmentVariable("SPORTELLO_BENCH_REDIS")
            ?? throw new InvalidOperationException("Set SPORTELLO_BENCH_REDIS (host:port) for the two-node targets.") : null;
        var result = new Result(target switch
        {
            "echo" => "echo hub, 1 node",
            "echo-redis" => "echo hub, 2 nodes + Redis",
            "one" => "Sportello, 1 node",
            "two" => "Sportello, 2 nodes + Redis",
            _ => throw new ArgumentException($"unknown target {target} (echo, one, echo-redis, two)"),
        }, isEcho);
        Console.WriteLine();
        Console.WriteLine($"## {result.Name}");
        string? database = null;
        var nodes = new List<Node>();
        var state = new ClientState(options);
        try
        {
            // Servers.
            if (isEcho)
            {
                var bench = Path.Combine(AppContext.BaseDirectory, "Sportello.Bench.dll");
                string[] extra = redis is null ? ["--Logging:LogLevel:Default=Warning"] : ["--Logging:LogLevel:Default=Warning", "--redis", redis];
                nodes.Add(await Node.StartAsync("A", bench, ["chat-echo-server", .. extra]));
                if (twoNodes)
                {
                    nodes.Add(await Node.StartAsync("B", bench, ["chat-echo-server", .. extra]));
                }
            }
            else
            {
                database = await CreateDatabaseAsync();
                var settings = SportelloSettings(options, database, redis);
                nodes.Add(await Node.StartAsync("A", sportelloDll, settings));
                if (twoNodes)
                {
                    // Node A has migrated the database and created the admin; B finds both.
                    nodes.Add(await Node.StartAsync("B", sportelloDll, settings));
                }
            }
            var visitorNode = nodes[0];
            var agentNode = nodes[^1];
            result.RssIdle = nodes.Select(n => n.Kilobytes("VmRSS")).ToArray();

            // Data: conversations, agents, accepted chats.
            using var http = Http(visitorNode.Url);
            string[] agentTokens;
            if (isEcho)
            {
                state.Conversations = Enumerable.Range(0, options.Visitors).Select(_ => new Conv(Guid.NewGuid(), "-")).ToArray();
                agentTokens = new string[options.Agents];
            }
            else
            {
                var admin = await TokenAsync(http, AdminEmail);
                agentTokens = await CreateAgentsAsync(http, admin, options.Agents);
                var watch = Stopwatch.StartNew();
                state.Conversations = await StartChatsAsync(http, options.Visitors);
                result.StartsPerSecond = options.Visitors / watch.Elapsed.TotalSeconds;
                Console.WriteLine($"# {options.Visitors:N0} chats started through REST in {watch.Elapsed.TotalSeconds:0.0} s ({result.StartsPerSecond:0}/s)");
                watch.Restart();
                await AcceptAsync(http, state.Conversations, agentTokens, options.Active);
                Console.WriteLine($"# {options.Active:N0} chats accepted by {options.Agents} agents in {watch.Elapsed.TotalSeconds:0.0} s");
            }
            await Task.Delay(3000);
            result.RssBefore = nodes.Select(n => n.Kilobytes("VmRSS")).ToArray();
            var clientBefore = GC.GetTotalMemory(forceFullCollection: true);

            // Connections: agents (each watches its chats and the queue), then visitors (each joins its chat).
            var connectWatch = Stopwatch.StartNew();
            state.Agents = new HubConnection[options.Agents];
            await ForEachAsync(options.Agents, 16, async a =>
            {
                var connection = state.Connect(agentNode.Url, isEcho ? null : agentTokens[a], atVisitor: false);
                await connection.StartAsync();
                await connection.InvokeAsync("WatchQueue");
                for (var i = a; i < options.Active; i += options.Agents)
                {
                    await connection.InvokeAsync<List<MessageView>>("Watch", state.Conversations[i].Id, 0L);
                }
                state.Agents[a] = connection;
            });
            state.Visitors = new HubConnection[options.Visitors];
            await ForEachAsync(options.Visitors, 64, async i =>
            {
                var connection = state.Connect(visitorNode.Url, null, atVisitor: true);
                try
                {
                    await connection.StartAsync();
                    await connection.InvokeAsync<List<MessageView>>("Join", state.Conversations[i].Id, state.Conversations[i].Token, 0L);
                    state.Visitors[i] = connection;
                }
                catch (Exception ex) when (ex is HubException or IOException or System.Net.WebSockets.WebSocketException or OperationCanceledException or InvalidOperationException)
                {
                    state.ConnectFailed(ex);
                    await connection.DisposeAsync();
                }
            });
            result.ConnectSeconds = connectWatch.Elapsed.TotalSeconds;
            var heldSince = Stopwatch.GetTimestamp();
            Console.WriteLine($"# {options.Visitors:N0} visitors and {options.Agents} agents connected and joined in {result.ConnectSeconds:0.0} s");
            await Task.Delay(10_000);
            result.RssAfter = nodes.Select(n => n.Kilobytes("VmRSS")).ToArray();
            result.ConnectionsPerNode = twoNodes ? [options.Visitors, options.Agents] : [options.Visitors + options.Agents];
            result.ClientKibPerConnection = (GC.GetTotalMemory(forceFullCollection: true) - clientBefore) / 1024.0 / (options.Visitors + options.Agents);
            Console.WriteLine($"# RSS after connecting: {string.Join(", ", nodes.Select((n, k) => $"node {n.Name} {result.RssBefore[k] / 1024} → {result.RssAfter[k] / 1024} MiB"))}");

            // Warm-up (JIT tiers, pools): the closed loop below for a few seconds, not reported.
            await SaturateAsync(state, options, nodes, Warm, WarmSeconds);
            // Capacity: every active conversation sends its next message when the last one was answered.
            result.Saturated = await SaturateAsync(state, options, nodes, Saturation, options.SaturationSeconds);
            // Latency at a rate this target sustains (0.7 of its capacity), when that is below the aim's rate.
            var sustainable = Math.Floor(0.7 * result.Saturated.AckedPerSecond);
            if (sustainable < options.Active)
            {
                result.Sustainable = await PacedAsync(state, options, nodes, Sustainable, sustainable);
            }
            if (!isEcho && Environment.GetEnvironmentVariable("SPORTELLO_BENCH_HERD") != "0")
            {
                result.Herd = await HerdAsync(state, http, visitorNode.Url);
            }
            // The aim's load, last: a target that cannot keep up builds a backlog, which ends with the target.
            result.Aim = await PacedAsync(state, options, nodes, Aim, options.Active);

            result.HeldSeconds = Stopwatch.GetElapsedTime(heldSince).TotalSeconds;
            result.VisitorsHeld = state.Visitors.Count(c => c?.State == HubConnectionState.Connected);
            result.AgentsHeld = state.Agents.Count(c => c?.State == HubConnectionState.Connected);
            result.Closed = state.ClosedReasons();
            result.RssEnd = nodes.Select(n => n.Kilobytes("VmRSS")).ToArray();
            result.RssPeak = nodes.Select(n => n.Kilobytes("VmHWM")).ToArray();
            if (database is not null)
            {
                result.Rows = await CountRowsAsync(database);
            }
            foreach (var node in nodes)
            {
                if (node.Exited)
                {
                    result.Notes.Add($"node {node.Name} exited: {node.Tail()}");
                }
                else if (node.LinesLogged > 0)
                {
                    result.Notes.Add($"node {node.Name} logged {node.LinesLogged} lines (warnings and errors); last: {node.Tail()}");
                }
            }
            if (state.Marks.Length > 0)
            {
                result.Notes.Add($"delivered/read marks on: {state.Marks}");
            }
            Console.WriteLine($"# held {result.VisitorsHeld:N0} of {options.Visitors:N0} visitors, {result.AgentsHeld} of {options.Agents} agents for {result.HeldSeconds:0} s" +
                (result.Closed.Length > 0 ? $"; closed: {result.Closed}" : ""));
            return result;
        }
        finally
        {
            // Stop the servers first: closing ten thousand connections one by one against a live server takes longer.
            foreach (var node in nodes)
            {
                node.Dispose();
            }
            await ForEachAsync(state.Visitors.Length, 256, async i =>
            {
                if (state.Visitors[i] is { } c)
                {
                    await c.DisposeAsync();
                }
            });
            await ForEachAsync(state.Agents.Length, 64, async i =>
            {
                if (state.Agents[i] is { } c)
                {
                    await c.DisposeAsync();
                }
            });
            if (database is not null)
            {
                await DropDatabaseAsync(database);
            }
        }
    }

    private static List<string> SportelloSettings(Options options, string database, string? redis)
    {
        var connection = new NpgsqlConnectionStringBuilder(Server()) { Database = database }.ConnectionString;
        var settings = new List<string>
        {
            "--environment", "Production",
            "--Sportello:Demo=false",
            "--Sportello:Database:Provider=Postgres",
            $"--ConnectionStrings:Sportello={connection}",
            $"--Sportello:Bootstrap:AdminEmail={AdminEmail}",
            $"--Sportello:Bootstrap:AdminPassword={Password}",
            // Only sign-in hashes passwords; the bench signs in a few hundred agents before measuring anything.
            "--Sportello:Identity:PasswordIterations=1000",
            // Rate limits off, so the ChatStart and ChatMessages throttles too (Web/Throttle.cs).
            "--Sportello:RateLimits:Enabled=false",
            $"--Sportello:Chat:MaxChatsPerAgent={Math.Max(4, ChatsPerAgent(options))}",
            "--Logging:LogLevel:Default=Warning",
        };
        if (redis is not null)
        {
            settings.Add($"--Sportello:Redis={redis}");
        }
        return settings;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The measured phases.

    /// <summary>
    /// An open load of <paramref name="rate"/> messages per second in all, spread evenly over the active conversations
    /// and over time; visitor and agent write in turn. A message is sent on schedule whether or not the last one was
    /// answered, so a target that falls behind shows it in the latencies (a message still unanswered when the driver
    /// stops waiting counts as infinitely late).
    /// </summary>
    private static async Task<PhaseResult> PacedAsync(ClientState state, Options options, List<Node> nodes, int index, double rate)
    {
        var phase = state.Phases[index];
        var cpu = Cpu.Take(nodes);
        var frequency = Stopwatch.Frequency;
        var period = options.Active / rate; // seconds between two messages of one conversation
        var start = Stopwatch.GetTimestamp() + frequency / 10;
        phase.WindowEnd = start + options.PacedSeconds * frequency;
        await ForEachAsync(options.Active, options.Active, async i =>
        {
            var offset = (double)i / options.Active * period;
            for (var k = 0; offset + k * period < options.PacedSeconds; k++)
            {
                var due = start + (long)((offset + k * period) * frequency);
                var wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / frequency));
                }
                phase.Late((Stopwatch.GetTimestamp() - due) * 1000.0 / frequency);
                _ = state.SendAsync(index, i, fromVisitor: (i + k) % 2 == 0);
            }
        });
        var usage = Cpu.Describe(cpu, Cpu.Take(nodes), nodes);
        await ClientState.DrainAsync(phase);
        var result = phase.Summarise(options.PacedSeconds);
        result.Offered = rate;
        result.Cpu = usage;
        Console.WriteLine($"# paced at {rate:0} msgs/s: {result.Describe()}");
        Console.WriteLine($"#   {usage}");
        return result;
    }

    private static async Task<PhaseResult> SaturateAsync(ClientState state, Options options, List<Node> nodes, int index, int seconds)
    {
        var phase = state.Phases[index];
        var cpu = Cpu.Take(nodes);
        var start = Stopwatch.GetTimestamp();
        phase.WindowEnd = start + seconds * Stopwatch.Frequency;
        await ForEachAsync(options.Active, options.Active, async i =>
        {
            for (var k = i; Stopwatch.GetTimestamp() < phase.WindowEnd; k++)
            {
                await state.SendAsync(index, i, fromVisitor: k % 2 == 0);
            }
        });
        var usage = Cpu.Describe(cpu, Cpu.Take(nodes), nodes);
        await ClientState.DrainAsync(phase);
        var result = phase.Summarise(seconds);
        result.Cpu = usage;
        Console.WriteLine($"# {(index == Warm ? "warm-up" : "saturation")}: {result.Describe()}");
        Console.WriteLine($"#   {usage}");
        return result;
    }

    /// <summary>
    /// One chat started while the visitors are connected: every visitor that joined a chat of the department hears
    /// queueChanged (ChatSignals.Changed), and the widget answers each with a state read (panel.js, refreshState).
    /// </summary>
    private static async Task<string> HerdAsync(ClientState state, HttpClient http, Uri visitorNode)
    {
        state.ResetQueueEvents();
        var started = Stopwatch.GetTimestamp();
        (await http.PostAsJsonAsync("/api/v1/chat/conversations", new { message = Filler, name = "Herd probe" })).EnsureSuccessStatusCode();
        // Wait until the pushes stop coming (2 s without one) or 60 s pass.
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < 60)
        {
            await Task.Delay(250);
            var last = state.LastQueueEvent;
            if (last != 0 && Stopwatch.GetElapsedTime(last).TotalSeconds > 2)
            {
                break;
            }
        }
        var pushes = state.QueueEvents;
        var pushSeconds = state.LastQueueEvent == 0 ? double.NaN : (state.LastQueueEvent - started) / (double)Stopwatch.Frequency;
        // What the widgets then do: one GET of their chat's state each (measured on up to 2,000 of them).
        using var client = Http(visitorNode);
        var errors = 0;
        var sample = Math.Min(state.Visitors.Length, 2000);
        var reads = Stopwatch.StartNew();
        await ForEachAsync(sample, 64, async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/chat/conversations/{state.Conversations[i].Id}");
            request.Headers.Add("X-Chat-Token", state.Conversations[i].Token);
            using var response = await client.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors);
            }
        });
        var text = string.Create(CultureInfo.InvariantCulture,
            $"one chat started with {state.Visitors.Length:N0} visitors connected: {pushes:N0} queueChanged pushes (+{state.ChatChangedEvents:N0} chatChanged to agents) " +
            $"delivered within {pushSeconds:0.00} s; the widget answers each with a state read: {sample:N0} of them (64 at a time) took {reads.Elapsed.TotalSeconds:0.0} s " +
            $"({sample / reads.Elapsed.TotalSeconds:0}/s, {errors} errors), so about {state.Visitors.Length / (sample / reads.Elapsed.TotalSeconds):0.0} s of this node's time per queue change for all {state.Visitors.Length:N0}");
        Console.WriteLine($"# herd: {text}");
        return text;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sportello's REST side (setup only).

    private static HttpClient Http(Uri node) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = node, Timeout = TimeSpan.FromMinutes(2) };

    private static async Task<string> TokenAsync(HttpClient http, string email)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/token", new { email, password = Password });
        await Ensure(response, "sign-in");
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!.Token;
    }

    private static async Task<string[]> CreateAgentsAsync(HttpClient http, string admin, int count)
    {
        var tokens = new string[count];
        await ForEachAsync(count, 8, async a =>
        {
            var email = $"chat-agent{a}@example.com";
            using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/agents")
            {
                Content = JsonContent.Create(new { email, name = $"Agent {a}", password = Password, departments = new[] { "technical" } }),
            };
            create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var response = await http.SendAsync(create);
            await Ensure(response, "agent");
            tokens[a] = await TokenAsync(http, email);
        });
        return tokens;
    }

    private static async Task<Conv[]> StartChatsAsync(HttpClient http, int count)
    {
        var conversations = new Conv[count];
        await ForEachAsync(count, 32, async i =>
        {
            using var response = await http.PostAsJsonAsync("/api/v1/chat/conversations", new { message = Filler, name = $"Visitor {i}" });
            await Ensure(response, "chat start");
            var started = (await response.Content.ReadFromJsonAsync<Started>())!;
            conversations[i] = new Conv(started.Id, started.VisitorToken);
        });
        return conversations;
    }

    private static Task AcceptAsync(HttpClient http, Conv[] conversations, string[] agents, int active) =>
        ForEachAsync(active, 16, async i =>
        {
            using var accept = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/desk/chats/{conversations[i].Id}/accept");
            accept.Headers.Authorization = new AuthenticationHeaderValue("Bearer", agents[i % agents.Length]);
            using var response = await http.SendAsync(accept);
            await Ensure(response, "accept");
        });

    private static async Task Ensure(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static string Server() => Environment.GetEnvironmentVariable("SPORTELLO_BENCH_POSTGRES")
        ?? throw new InvalidOperationException("Set SPORTELLO_BENCH_POSTGRES to a PostgreSQL connection string (the Sportello targets need it).");

    private static async Task<string> CreateDatabaseAsync()
    {
        var name = "sportello_chat_" + Guid.NewGuid().ToString("N")[..8];
        await using var admin = new NpgsqlConnection(Server());
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    private static async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Server());
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>Messages stored per phase (the body starts with the phase number), to set beside the answered invocations.</summary>
    private static async Task<long[]> CountRowsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server()) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        var rows = new long[4];
        for (var p = 0; p < rows.Length; p++)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"ChatMessages\" WHERE \"Body\" LIKE '{p}|%'", connection);
            rows[p] = (long)(await count.ExecuteScalarAsync())!;
        }
        return rows;
    }

    private static Task ForEachAsync(int count, int parallel, Func<int, Task> body) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel) }, async (i, _) => await body(i));

    // ---------------------------------------------------------------------------------------------------------------
    // Report.

    private static string F(double v, string format = "N0") =>
        double.IsNaN(v) ? "–" : double.IsPositiveInfinity(v) ? "∞" : v.ToString(format, CultureInfo.InvariantCulture);

    private static void Print(Options options, List<Result> results)
    {
        static string Ms(PhaseResult? p, Func<PhaseResult, double[]> pick) => p is null ? "–" : string.Join(" / ", pick(p).Select(v => F(v, "N1")));
        var rows = new List<(string Label, Func<Result, string> Value)>
        {
            ("visitor connections held at the end", r => $"{r.VisitorsHeld:N0} of {options.Visitors:N0}"),
            ("agent connections held at the end", r => $"{r.AgentsHeld:N0} of {options.Agents:N0}"),
            ("seconds held (connected until the end)", r => F(r.HeldSeconds)),
            ("time to connect and join all", r => $"{r.ConnectSeconds:0.0} s"),
            ("server RSS idle → before → after connecting (MiB, node A)", r => $"{r.RssIdle[0] / 1024:N0} → {r.RssBefore[0] / 1024:N0} → {r.RssAfter[0] / 1024:N0}"),
            ("**server memory per connection (KiB, node A)**", r => $"**{F(r.KibPerConnection(0), "N1")}**"),
            ("server peak RSS (VmHWM, MiB, per node)", r => string.Join(" / ", r.RssPeak.Select(k => (k / 1024).ToString("N0", CultureInfo.InvariantCulture)))),
            ("driver's managed heap per connection (KiB, .NET SignalR client)", r => F(r.ClientKibPerConnection, "N1")),
            ("chats started through REST before connecting (setup)", r => r.IsEcho ? "" : $"{r.StartsPerSecond:N0}/s"),
            ($"**saturation ({options.Active:N0} conversations, closed loop): messages answered (persisted) /s**", r => $"**{F(r.Saturated.AckedPerSecond)}**"),
            ("↳ chatMessage events received /s", r => $"**{F(r.Saturated.DeliveredPerSecond)}**"),
            ("↳ send → answer, p50 / p99 ms", r => Ms(r.Saturated, p => [p.Ack50, p.Ack99])),
            ("↳ send → other party's event, p50 / p99 ms", r => Ms(r.Saturated, p => [p.Delivery50, p.Delivery99])),
            ("↳ errors / events missing", r => $"{r.Saturated.Errors:N0} / {r.Saturated.Missing:N0}"),
            ("↳ CPU (cores)", r => r.Saturated.Cpu),
            ("**paced at 0.7 × saturation** (if below the aim's rate): msgs/s offered / answered", r => r.Sustainable is { } p ? $"{F(p.Offered)} / {F(p.AckedPerSecond)}" : "– (above the aim's rate)"),
            ("↳ send → other party's event, p50 / p95 / p99 / max ms", r => Ms(r.Sustainable, p => [p.Delivery50, p.Delivery95, p.Delivery99, p.DeliveryMax])),
            ("↳ send → answer (committed), p50 / p95 / p99 ms", r => Ms(r.Sustainable, p => [p.Ack50, p.Ack95, p.Ack99])),
            ("↳ errors / events missing", r => r.Sustainable is { } p ? $"{p.Errors:N0} / {p.Missing:N0}" : "–"),
            ("↳ CPU (cores)", r => r.Sustainable?.Cpu ?? "–"),
            ($"**paced at the aim: {options.Active:N0} conversations × 1 msg/s**: msgs/s offered / answered", r => $"{F(r.Aim.Offered)} / {F(r.Aim.AckedPerSecond)}"),
            ("↳ **send → other party's event, p50 / p95 / p99 / max ms**", r => $"**{Ms(r.Aim, p => [p.Delivery50, p.Delivery95, p.Delivery99, p.DeliveryMax])}**"),
            ("↳ send → answer (committed), p50 / p95 / p99 ms", r => Ms(r.Aim, p => [p.Ack50, p.Ack95, p.Ack99])),
            ($"↳ sent / answered within the window + {DrainSeconds} s / errors / events missing", r => $"{r.Aim.Sent:N0} / {r.Aim.Acked:N0} / {r.Aim.Errors:N0} / {r.Aim.Missing:N0}"),
            ("↳ driver's lateness against its schedule, p99 ms", r => F(r.Aim.Late99, "N1")),
            ("↳ CPU (cores)", r => r.Aim.Cpu),
            ("messages in the database: saturation / 0.7 paced / aim (answered)", r => r.Rows is null ? "" :
                $"{r.Rows[Saturation]:N0} / {r.Rows[Sustainable]:N0} / {r.Rows[Aim]:N0} ({r.Saturated.Acked:N0} / {r.Sustainable?.Acked ?? 0:N0} / {r.Aim.Acked:N0})"),
        };
        Console.WriteLine();
        Console.WriteLine($"| measure | {string.Join(" | ", results.Select(r => r.Name))} |");
        Console.WriteLine($"|---|{string.Concat(results.Select(_ => "---:|"))}");
        foreach (var (label, value) in rows)
        {
            Console.WriteLine($"| {label} | {string.Join(" | ", results.Select(value))} |");
        }
        Console.WriteLine();
        Result? Find(string name) => results.FirstOrDefault(r => r.Name == name);
        void Ratio(string label, Result? a, Result? b)
        {
            if (a is not null && b is not null)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"- {label}: saturation answered/s {a.Saturated.AckedPerSecond / b.Saturated.AckedPerSecond:0.000}, events/s " +
                    $"{a.Saturated.DeliveredPerSecond / b.Saturated.DeliveredPerSecond:0.000}; at the aim answered/s {a.Aim.AckedPerSecond / b.Aim.AckedPerSecond:0.000}, " +
                    $"p99 {F(a.Aim.Delivery99, "N1")} vs {F(b.Aim.Delivery99, "N1")} ms; memory per connection {a.KibPerConnection(0) / b.KibPerConnection(0):0.00}x; " +
                    $"visitors held {a.VisitorsHeld:N0} vs {b.VisitorsHeld:N0}"));
            }
        }
        Console.WriteLine("ratios:");
        Ratio("Sportello 1 node / echo 1 node", Find("Sportello, 1 node"), Find("echo hub, 1 node"));
        Ratio("Sportello 2 nodes / echo 2 nodes", Find("Sportello, 2 nodes + Redis"), Find("echo hub, 2 nodes + Redis"));
        Ratio("Sportello 2 nodes / Sportello 1 node", Find("Sportello, 2 nodes + Redis"), Find("Sportello, 1 node"));
        Ratio("echo 2 nodes / echo 1 node", Find("echo hub, 2 nodes + Redis"), Find("echo hub, 1 node"));
        foreach (var r in results)
        {
            if (r.Herd is not null)
            {
                Console.WriteLine($"- {r.Name}, herd: {r.Herd}");
            }
            foreach (var error in new[] { r.Saturated, r.Sustainable, r.Aim }.SelectMany(p => p?.ErrorSamples ?? []).Distinct())
            {
                Console.WriteLine($"- {r.Name}, error: {error}");
            }
            if (r.Closed.Length > 0)
            {
                Console.WriteLine($"- {r.Name}, connections closed: {r.Closed}");
            }
            foreach (var note in r.Notes)
            {
                Console.WriteLine($"- {r.Name}: {note}");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The client side: connections, sends, and what arrives.

    private sealed record Conv(Guid Id, string Token);
    private sealed record Started(Guid Id, string VisitorToken);
    private sealed record TokenBody(string Token);
    private sealed record AuthorView(string Kind, string Name);
    private sealed record MessageView(Guid ConversationId, long Seq, AuthorView Author, string Body);

    private sealed class ClientState(Options options)
    {
        /// <summary>SPORTELLO_BENCH_MARKS=1: each side tells how far it has received and read, 300 ms after a message arrives, as the widget and the console do.</summary>
        private static readonly bool SendMarks = Environment.GetEnvironmentVariable("SPORTELLO_BENCH_MARKS") == "1";
        private readonly long[] seenSeq = new long[2 * options.Active];
        private readonly int[] seenPending = new int[2 * options.Active];
        private long marksSent;
        private long marksFailed;
        private long marksHeard;
        public string Marks => SendMarks ? $"{Interlocked.Read(ref marksSent):N0} Seen/AgentSeen calls ({Interlocked.Read(ref marksFailed):N0} failed), {Interlocked.Read(ref marksHeard):N0} chatMarks events" : "";
        public Conv[] Conversations { get; set; } = [];
        public HubConnection?[] Visitors { get; set; } = [];
        public HubConnection?[] Agents { get; set; } = [];
        public int ConnectFailures => connectFailures;
        private int connectFailures;
        public PhaseStats[] Phases { get; } = [new(), new(), new(), new()];
        private readonly ConcurrentDictionary<string, int> closed = new();
        private long queueEvents;
        private long chatChangedEvents;
        private long lastQueueEvent;

        public long QueueEvents => Interlocked.Read(ref queueEvents);
        public long ChatChangedEvents => Interlocked.Read(ref chatChangedEvents);
        public long LastQueueEvent => Interlocked.Read(ref lastQueueEvent);

        public void ResetQueueEvents()
        {
            Interlocked.Exchange(ref queueEvents, 0);
            Interlocked.Exchange(ref chatChangedEvents, 0);
            Interlocked.Exchange(ref lastQueueEvent, 0);
        }

        public HubConnection Connect(Uri node, string? token, bool atVisitor)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(node, "/hubs/chat"), o =>
                {
                    o.SkipNegotiation = true;
                    o.Transports = HttpTransportType.WebSockets;
                    if (token is not null)
                    {
                        o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    }
                })
                .Build();
            connection.On<MessageView>("chatMessage", m => Received(m, atVisitor));
            connection.On<JsonElement>("queueChanged", _ =>
            {
                Interlocked.Increment(ref queueEvents);
                Interlocked.Exchange(ref lastQueueEvent, Stopwatch.GetTimestamp());
            });
            connection.On<JsonElement>("chatChanged", _ => Interlocked.Increment(ref chatChangedEvents));
            connection.On<JsonElement>("chatMarks", _ => Interlocked.Increment(ref marksHeard));
            connection.Closed += error =>
            {
                closed.AddOrUpdate(error is null ? "closed without an error" : $"{error.GetType().Name}: {error.Message}", 1, (_, n) => n + 1);
                return Task.CompletedTask;
            };
            return connection;
        }

        public void ConnectFailed(Exception ex)
        {
            Interlocked.Increment(ref connectFailures);
            closed.AddOrUpdate($"could not connect: {ex.GetType().Name}: {ex.Message}", 1, (_, n) => n + 1);
        }

        public string ClosedReasons() => string.Join("; ", closed.Select(c => $"{c.Value} × {c.Key}"));

        /// <summary>One message of conversation <paramref name="i"/>, from its visitor or its agent; the body carries the phase, the conversation and the send time.</summary>
        public async Task SendAsync(int phase, int i, bool fromVisitor)
        {
            var stats = Phases[phase];
            var conversation = Conversations[i];
            var sent = Stopwatch.GetTimestamp();
            var body = string.Create(CultureInfo.InvariantCulture, $"{phase}|{i}|{sent}|{Filler}");
            Interlocked.Increment(ref stats.Sent);
            try
            {
                var connection = (fromVisitor ? Visitors[i] : Agents[i % options.Agents])
                    ?? throw new InvalidOperationException("This side of the conversation could not connect.");
                _ = fromVisitor
                    ? await connection.InvokeAsync<MessageView>("Send", conversation.Id, conversation.Token, body)
                    : await connection.InvokeAsync<MessageView>("Answer", conversation.Id, body, false);
                stats.Answered(sent, Stopwatch.GetTimestamp());
            }
            catch (Exception ex) when (ex is HubException or InvalidOperationException or IOException or OperationCanceledException)
            {
                stats.Failed(ex);
            }
        }

        private void Received(MessageView message, bool atVisitor)
        {
            var now = Stopwatch.GetTimestamp();
            var parts = message.Body.Split('|', 4);
            if (parts.Length < 4 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var phase) || phase is < Warm or > Aim
                || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out var sent))
            {
                return; // The first message of a chat, or a note from Sportello itself.
            }
            // The other party: the visitor's message at the agent, the agent's at the visitor (each also hears its own).
            Phases[phase].Delivered(sent, now, otherParty: (message.Author.Kind == "visitor") != atVisitor);
            if (SendMarks && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var i) && i < options.Active)
            {
                var slot = 2 * i + (atVisitor ? 0 : 1);
                InterlockedMax(ref seenSeq[slot], message.Seq);
                if (Interlocked.CompareExchange(ref seenPending[slot], 1, 0) == 0)
                {
                    _ = SeenLaterAsync(i, atVisitor, slot);
                }
            }
        }

        // panel.js seen() and chat-console.js: one call 300 ms after the last message, read because the panel is open.
        private async Task SeenLaterAsync(int i, bool atVisitor, int slot)
        {
            await Task.Delay(300);
            Interlocked.Exchange(ref seenPending[slot], 0);
            var seq = Interlocked.Read(ref seenSeq[slot]);
            var conversation = Conversations[i];
            try
            {
                if (atVisitor)
                {
                    await (Visitors[i]?.InvokeAsync<JsonElement>("Seen", conversation.Id, conversation.Token, seq, true) ?? Task.FromResult(default(JsonElement)));
                }
                else
                {
                    await (Agents[i % options.Agents]?.InvokeAsync<JsonElement>("AgentSeen", conversation.Id, seq, true) ?? Task.FromResult(default(JsonElement)));
                }
                Interlocked.Increment(ref marksSent);
            }
            catch (Exception ex) when (ex is HubException or InvalidOperationException or IOException or OperationCanceledException)
            {
                Interlocked.Increment(ref marksFailed);
            }
        }

        private static void InterlockedMax(ref long target, long value)
        {
            var current = Interlocked.Read(ref target);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref target, value, current);
                if (seen == current)
                {
                    return;
                }
                current = seen;
            }
        }

        /// <summary>Until every message sent is answered (or failed) and has reached both parties, or <see cref="DrainSeconds"/> pass.</summary>
        public static async Task DrainAsync(PhaseStats phase)
        {
            var deadline = Stopwatch.GetTimestamp() + DrainSeconds * Stopwatch.Frequency;
            while ((phase.AckedCount + phase.ErrorCount < Interlocked.Read(ref phase.Sent) || phase.DeliveredCount < 2 * phase.AckedCount)
                && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private sealed class PhaseStats
    {
        public long Sent;
        private long acked;
        private long ackedInWindow;
        private long errors;
        private long delivered;
        private long deliveredInWindow;
        private readonly List<double> ackLatencies = [];
        private readonly List<double> deliveryLatencies = [];
        private readonly List<double> lateness = [];
        private readonly ConcurrentDictionary<string, int> errorKinds = new();

        public long WindowEnd { get; set; } = long.MaxValue;
        public long AckedCount => Interlocked.Read(ref acked);
        public long ErrorCount => Interlocked.Read(ref errors);
        public long DeliveredCount => Interlocked.Read(ref delivered);

        public void Answered(long sent, long now)
        {
            Interlocked.Increment(ref acked);
            if (now <= WindowEnd)
            {
                Interlocked.Increment(ref ackedInWindow);
            }
            lock (ackLatencies)
            {
                ackLatencies.Add((now - sent) * 1000.0 / Stopwatch.Frequency);
            }
        }

        public void Failed(Exception ex)
        {
            Interlocked.Increment(ref errors);
            errorKinds.TryAdd($"{ex.GetType().Name}: {ex.Message}", 0);
        }

        public void Delivered(long sent, long now, bool otherParty)
        {
            Interlocked.Increment(ref delivered);
            if (now <= WindowEnd)
            {
                Interlocked.Increment(ref deliveredInWindow);
            }
            if (otherParty)
            {
                lock (deliveryLatencies)
                {
                    deliveryLatencies.Add((now - sent) * 1000.0 / Stopwatch.Frequency);
                }
            }
        }

        public void Late(double milliseconds)
        {
            lock (lateness)
            {
                lateness.Add(milliseconds);
            }
        }

        /// <summary>Rates over the window; latencies over every message sent, those still owed (unanswered, or not yet at the other party) as infinite.</summary>
        public PhaseResult Summarise(double seconds)
        {
            double[] acks, deliveries, late;
            var sent = Interlocked.Read(ref Sent);
            lock (ackLatencies)
            {
                acks = [.. ackLatencies.Order(), .. Enumerable.Repeat(double.PositiveInfinity, (int)Math.Max(0, sent - ackLatencies.Count))];
            }
            lock (deliveryLatencies)
            {
                deliveries = [.. deliveryLatencies.Order(), .. Enumerable.Repeat(double.PositiveInfinity, (int)Math.Max(0, sent - deliveryLatencies.Count))];
            }
            lock (lateness)
            {
                late = [.. lateness.Order()];
            }
            return new PhaseResult
            {
                Sent = sent, Acked = acked, Errors = errors, Delivered = delivered, Missing = 2 * sent - delivered,
                AckedPerSecond = ackedInWindow / seconds, DeliveredPerSecond = deliveredInWindow / seconds,
                Ack50 = Percentile(acks, 0.50), Ack95 = Percentile(acks, 0.95), Ack99 = Percentile(acks, 0.99),
                Delivery50 = Percentile(deliveries, 0.50), Delivery95 = Percentile(deliveries, 0.95), Delivery99 = Percentile(deliveries, 0.99),
                DeliveryMax = deliveries.Length == 0 ? double.NaN : deliveries[^1],
                Late99 = Percentile(late, 0.99),
                ErrorSamples = [.. errorKinds.Keys.Take(5)],
            };
        }

        private static double Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private sealed class PhaseResult
    {
        public long Sent, Acked, Errors, Delivered, Missing;
        public double AckedPerSecond, DeliveredPerSecond, Ack50, Ack95, Ack99, Delivery50, Delivery95, Delivery99, DeliveryMax;
        public double Late99 = double.NaN;
        public double Offered = double.NaN;
        public string Cpu = "";
        public List<string> ErrorSamples = [];

        public string Describe() =>
            $"{Sent:N0} sent, {Acked:N0} answered ({F(AckedPerSecond)}/s), {Errors} errors, {Delivered:N0} events ({F(DeliveredPerSecond)}/s, {Missing} missing); " +
            $"send → other party p50 {F(Delivery50, "N1")} p95 {F(Delivery95, "N1")} p99 {F(Delivery99, "N1")} max {F(DeliveryMax, "N1")} ms; " +
            $"send → answer p50 {F(Ack50, "N1")} p99 {F(Ack99, "N1")} ms; driver late p99 {F(Late99, "N1")} ms";
    }

    private sealed class Result(string name, bool isEcho)
    {
        public string Name { get; } = name;
        public bool IsEcho { get; } = isEcho;
        public double StartsPerSecond { get; set; } = double.NaN;
        public double ConnectSeconds { get; set; }
        public double HeldSeconds { get; set; }
        public int VisitorsHeld { get; set; }
        public int AgentsHeld { get; set; }
        public string Closed { get; set; } = "";
        public long[] RssIdle { get; set; } = [];
        public long[] RssBefore { get; set; } = [];
        public long[] RssAfter { get; set; } = [];
        public long[] RssEnd { get; set; } = [];
        public long[] RssPeak { get; set; } = [];
        public int[] ConnectionsPerNode { get; set; } = [];
        public double ClientKibPerConnection { get; set; } = double.NaN;
        public PhaseResult Saturated { get; set; } = new();
        public PhaseResult? Sustainable { get; set; }
        public PhaseResult Aim { get; set; } = new();
        public string? Herd { get; set; }
        public long[]? Rows { get; set; }
        public List<string> Notes { get; } = [];

        public double KibPerConnection(int node) =>
            node < RssAfter.Length ? (RssAfter[node] - RssBefore[node]) / (double)ConnectionsPerNode[node] : double.NaN;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Server processes and CPU.

    private sealed class Node : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> tail = new();
        private int lines;
        private volatile bool ready;

        private Node(string name, Uri url, Process process)
        {
            Name = name;
            Url = url;
            this.process = process;
        }

        public string Name { get; }
        public Uri Url { get; }
        public int Pid => process.Id;
        public bool Exited => process.HasExited;
        public int LinesLogged => lines;

        public static async Task<Node> StartAsync(string name, string dll, IEnumerable<string> args)
        {
            var url = new Uri($"http://127.0.0.1:{FreePort()}");
            var start = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
                // Sportello reads appsettings.json from its content root, the working directory.
                WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(dll))!,
            };
            start.ArgumentList.Add(dll);
            foreach (var arg in args.Concat(["--urls", url.ToString().TrimEnd('/')]))
            {
                start.ArgumentList.Add(arg);
            }
            // Sportello's own SMTP listener would take 127.0.0.1:2525 on both nodes: each gets a free port.
            start.ArgumentList.Add($"--Sportello:Mail:SmtpListen=127.0.0.1:{FreePort()}");
            var node = new Node(name, url, Process.Start(start) ?? throw new InvalidOperationException($"node {name} did not start"));
            node.process.OutputDataReceived += (_, e) => node.Keep(e.Data);
            node.process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
            node.process.BeginOutputReadLine();
            node.process.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = url };
            var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
            while (true)
            {
                if (node.process.HasExited)
                {
                    throw new InvalidOperationException($"node {name} exited: {node.Tail()}");
                }
                try
                {
                    if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                    {
                        Console.WriteLine($"# node {name} (pid {node.Pid}) ready at {url}");
                        // From here on, what it logs (warnings and errors) is news; startup lines are not.
                        node.ready = true;
                        return node;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    node.Dispose();
                    throw new TimeoutException($"node {name} was not ready in 120 s: {node.Tail()}");
                }
                await Task.Delay(250);
            }
        }

        private void Keep(string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }
            if (ready)
            {
                Interlocked.Increment(ref lines);
            }
            tail.Enqueue(line.Length > 300 ? line[..300] : line);
            while (tail.Count > 6)
            {
                tail.TryDequeue(out _);
            }
        }

        public string Tail() => string.Join(" ⏎ ", tail);

        public long Kilobytes(string field) => Kilobytes(process.Id, field);

        public static long Kilobytes(int pid, string field)
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    /// <summary>CPU time of the machine, each node, PostgreSQL (the bench's own server), Redis and this driver, in cores over an interval.</summary>
    private sealed record Cpu(long Stamp, long MachineBusy, long MachineTotal, long[] Nodes, long Postgres, long Redis, double Driver)
    {
        private const double TicksPerSecond = 100; // USER_HZ

        public static Cpu Take(List<Node> nodes)
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Sum();
            return new Cpu(Stopwatch.GetTimestamp(), total - fields[3] - fields[4], total, [.. nodes.Select(n => Ticks(n.Pid))],
                PostgresTicks(), Environment.GetEnvironmentVariable("SPORTELLO_BENCH_REDIS_PID") is { Length: > 0 } file && File.Exists(file)
                    ? Ticks(int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture)) : 0,
                Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        }

        public static string Describe(Cpu a, Cpu b, List<Node> nodes)
        {
            var seconds = (b.Stamp - a.Stamp) / (double)Stopwatch.Frequency;
            var cores = Environment.ProcessorCount;
            var busy = b.MachineTotal == a.MachineTotal ? double.NaN : (double)(b.MachineBusy - a.MachineBusy) / (b.MachineTotal - a.MachineTotal) * cores;
            var perNode = nodes.Select((n, k) => (n.Name, Cores: (b.Nodes[k] - a.Nodes[k]) / TicksPerSecond / seconds)).ToList();
            var postgres = (b.Postgres - a.Postgres) / TicksPerSecond / seconds;
            var redis = (b.Redis - a.Redis) / TicksPerSecond / seconds;
            var driver = (b.Driver - a.Driver) / seconds;
            var other = busy - perNode.Sum(n => n.Cores) - postgres - redis - driver;
            var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{busy:0.00} of {cores} busy: "));
            foreach (var (name, used) in perNode)
            {
                text.Append(CultureInfo.InvariantCulture, $"node {name} {used:0.00}, ");
            }
            text.Append(CultureInfo.InvariantCulture, $"PostgreSQL {postgres:0.00}, ");
            if (redis > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"Redis {redis:0.00}, ");
            }
            text.Append(CultureInfo.InvariantCulture, $"driver {driver:0.00}, other {Math.Max(0, other):0.00}");
            return text.ToString();
        }

        private static long Ticks(int pid)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        // The postmaster named in SPORTELLO_BENCH_PGDATA/postmaster.pid and its children (other people's PostgreSQL is "other").
        private static long PostgresTicks()
        {
            if (Environment.GetEnvironmentVariable("SPORTELLO_BENCH_PGDATA") is not { Length: > 0 } data || !File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                return 0;
            }
            var postmaster = File.ReadLines(Path.Combine(data, "postmaster.pid")).First().Trim();
            long ticks = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                var pid = Path.GetFileName(dir);
                if (!char.IsDigit(pid[0]))
                {
                    continue;
                }
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (pid == postmaster || rest[1] == postmaster)
                    {
                        ticks += long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
                    }
                }
                catch (IOException)
                {
                    // The process has gone.
                }
            }
            return ticks;
        }
    }
}
