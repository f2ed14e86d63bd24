using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Sportello.Bench;

/// <summary>
/// Issue 17's soak: a steady mixed load on a running cluster (bench/run-soak starts three nodes on PostgreSQL and Redis
/// behind HAProxy) for a fixed time, then checks that the backlog drains. Each second, at a fixed pace: customers open
/// tickets and reply, agents read the queue and answer, visitors start chats that an agent accepts, answers and closes,
/// and mail arrives over SMTP at the nodes in turn; every minute a service notice goes to a tenth of the customers.
/// Reports errors per kind (any non-2xx or exception), latency p50/p95 per kind, each node's memory (RSS) sampled
/// every 15 s, and how long the outbox and the inbound mail took to drain after the load stopped.
/// Usage: -- soak BASE_URL SMTP_PORTS(a,b,c) NODE_PIDS(a,b,c) [minutes=10] [rounds per second=4]
/// </summary>
internal static class SoakBench
{
    private const string AdminEmail = "soak-admin@sportello.test";
    private const string AdminPassword = "soak admin passphrase 2026";
    private const string Password = "soak customer passphrase 2026";
    private const int Customers = 40;
    private const int Agents = 4;

    private sealed class Kind(string name)
    {
        public string Name { get; } = name;
        public ConcurrentBag<double> Latencies { get; } = [];
        public int Errors;
        public ConcurrentQueue<string> FirstErrors { get; } = new();
    }

    public static async Task RunAsync(string[] args)
    {
        var baseUrl = new Uri(args[0]);
        var smtpPorts = args[1].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var pids = args[2].Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var minutes = double.Parse(args.ElementAtOrDefault(3) ?? "10", CultureInfo.InvariantCulture);
        var rate = int.Parse(args.ElementAtOrDefault(4) ?? "4", CultureInfo.InvariantCulture);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };

        var admin = await TokenAsync(http, AdminEmail, AdminPassword);
        var run = Guid.NewGuid().ToString("N")[..6];
        var customers = new List<(string Email, string Token)>();
        for (var i = 0; i < Customers; i++)
        {
            var email = $"soak{run}-{i}@customers.example";
            var customer = await SendAsync(http, admin, HttpMethod.Post, "/api/v1/admin/customers", new
            {
                email, name = $"Soak customer {i}", password = Password, country = "IT", language = i % 2 == 0 ? "it" : "en", timeZone = "Europe/Rome",
            });
            var id = customer.GetProperty("id").GetString()!;
            await SendAsync(http, admin, HttpMethod.Post, $"/api/v1/admin/customers/{id}/services", new
            {
                name = $"VPS {i}", product = "VPS M", location = i % 10 == 0 ? $"Soak {run}" : "Milan MIL1",
                orderNumber = (700000 + Random.Shared.Next(0, 299999)).ToString(CultureInfo.InvariantCulture),
                ipAddresses = new[] { $"192.0.2.{i + 1}" },
            });
            customers.Add((email, await TokenAsync(http, email, Password)));
        }
        var agents = new List<string>();
        for (var i = 0; i < Agents; i++)
        {
            var email = $"soak{run}-agent{i}@sportello.test";
            await SendAsync(http, admin, HttpMethod.Post, "/api/v1/admin/agents", new
            {
                email, name = $"Soak agent {i}", password = Password, departments = new[] { "technical", "financial" },
            });
            agents.Add(await TokenAsync(http, email, Password));
        }

        var kinds = new[] { "ticket", "reply", "queue", "answer", "chat", "mail", "notice" }.ToDictionary(k => k, k => new Kind(k));
        var memory = pids.ToDictionary(p => p, _ => new List<(double Minute, double Mb)>());
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromMinutes(minutes);
        var tickets = new ConcurrentQueue<string>();
        var running = new List<Task>();
        Console.WriteLine($"# soak: {minutes} min, {rate} rounds/s, {Customers} customers, {Agents} agents, nodes {string.Join(", ", pids)}, load {Load()}");

        var sampler = Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                foreach (var pid in pids)
                {
                    memory[pid].Add((clock.Elapsed.TotalMinutes, Rss(pid)));
                }
                await Task.Delay(TimeSpan.FromSeconds(15));
            }
        });
        var round = 0;
        var next = TimeSpan.Zero;
        while (clock.Elapsed < duration)
        {
            var n = round++;
            var customer = customers[n % customers.Count];
            var agent = agents[n % agents.Count];
            running.Add(TimeAsync(kinds["ticket"], async () =>
            {
                var ticket = await SendAsync(http, customer.Token, HttpMethod.Post, "/api/v1/tickets", new
                {
                    department = "technical", priority = "normal", subject = $"Soak {n}: the site is slow",
                    description = $"Round {n}. Le pagine del sito sono lente da stamattina; the database server answers late.",
                });
                tickets.Enqueue(ticket.GetProperty("id").GetString()!);
            }));
            if (n % 2 == 0 && tickets.TryDequeue(out var open))
            {
                running.Add(TimeAsync(kinds["answer"], () => RetryOnConflictAsync(() => SendAsync(http, agent, HttpMethod.Post, $"/api/v1/desk/tickets/{open}/messages",
                    new { body = $"We are looking at it (round {n})." }))));
                tickets.Enqueue(open);
            }
            if (n % 2 == 1)
            {
                // A ticket id only works for its owner: the customer replies on their newest, found through their list.
                running.Add(TimeAsync(kinds["reply"], async () =>
                {
                    var list = await SendAsync(http, customer.Token, HttpMethod.Get, "/api/v1/tickets?limit=5", null);
                    if (list.GetArrayLength() > 0)
                    {
                        await SendAsync(http, customer.Token, HttpMethod.Post, $"/api/v1/tickets/{list[0].GetProperty("id").GetString()}/messages",
                            new { body = $"Still slow at round {n}." });
                    }
                }));
            }
            running.Add(TimeAsync(kinds["queue"], () => SendAsync(http, agent, HttpMethod.Get, "/api/v1/desk/queue", null)));
            if (n % 4 == 0)
            {
                running.Add(TimeAsync(kinds["chat"], () => ChatAsync(http, agent, n)));
            }
            if (n % 4 == 2)
            {
                var port = smtpPorts[n / 4 % smtpPorts.Length];
                running.Add(TimeAsync(kinds["mail"], () => MailAsync(port, customer.Email, n)));
            }
            if (n % (rate * 60) == rate * 30)
            {
                running.Add(TimeAsync(kinds["notice"], () => SendAsync(http, admin, HttpMethod.Post, "/api/v1/admin/notices", new
                {
                    kind = "incident", title = new { en = $"Soak incident {n}", it = $"Incidente di prova {n}" },
                    body = new { en = "We are looking into it.", it = "Stiamo verificando." }, affects = new { locations = new[] { $"Soak {run}" } },
                })));
            }
            running.RemoveAll(t => t.IsCompleted);
            next += TimeSpan.FromSeconds(1.0 / rate);
            var wait = next - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }
        await Task.WhenAll(running);
        await sampler;
        var loadEnd = clock.Elapsed;

        // The backlog: every node's outbox and inbound mail empty.
        var drained = await DrainAsync(http, pids.Length, TimeSpan.FromMinutes(3));
        Console.WriteLine($"# load stopped after {loadEnd.TotalMinutes:0.0} min; backlog {(drained is { } d ? $"drained {d.TotalSeconds:0.0} s later" : "NOT drained within 3 min")}; load {Load()}");
        Console.WriteLine();
        Console.WriteLine("| kind | operations | errors | p50 ms | p95 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var kind in kinds.Values)
        {
            var sorted = kind.Latencies.Order().ToList();
            Console.WriteLine($"| {kind.Name} | {sorted.Count + kind.Errors:N0} | {kind.Errors} | {Percentile(sorted, 0.5):0.0} | {Percentile(sorted, 0.95):0.0} |");
        }
        Console.WriteLine();
        Console.WriteLine("| node (pid) | RSS after 1 min, MB | at the end, MB | growth | peak, MB |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (pid, samples) in memory)
        {
            var start = samples.FirstOrDefault(s => s.Minute >= 1).Mb;
            var end = samples[^1].Mb;
            Console.WriteLine($"| {pid} | {start:0} | {end:0} | {(end - start) / Math.Max(start, 1):+0.0%;-0.0%} | {samples.Max(s => s.Mb):0} |");
        }
        foreach (var kind in kinds.Values.Where(k => !k.FirstErrors.IsEmpty))
        {
            Console.WriteLine($"# first errors of {kind.Name}: {string.Join(" | ", kind.FirstErrors.Take(3))}");
        }
        var errors = kinds.Values.Sum(k => k.Errors);
        Console.WriteLine($"# {errors} errors in {kinds.Values.Sum(k => k.Latencies.Count + k.Errors):N0} operations");
        Environment.ExitCode = errors == 0 && drained is not null ? 0 : 1;
    }

    // Two agents answering one ticket at the same moment: the second hears 409 "changed meanwhile" and, as the Desk's
    // own page does, sends again. A 409 twice in a row counts as an error.
    private static async Task RetryOnConflictAsync(Func<Task<JsonElement>> send)
    {
        try
        {
            await send();
        }
        catch (HttpRequestException ex) when (ex.Message.Contains(": 409 ", StringComparison.Ordinal))
        {
            await send();
        }
    }

    private static async Task ChatAsync(HttpClient http, string agent, int n)
    {
        var started = await SendAsync(http, null, HttpMethod.Post, "/api/v1/chat/conversations", new { name = $"Visitor {n}", message = "Hello, is the VPS offer still on?" });
        var id = started.GetProperty("id").GetString()!;
        var visitor = started.GetProperty("visitorToken").GetString()!;
        await SendAsync(http, agent, HttpMethod.Post, $"/api/v1/desk/chats/{id}/accept", null);
        await SendAsync(http, agent, HttpMethod.Post, $"/api/v1/desk/chats/{id}/messages", new { body = "Yes, until Friday." });
        await SendAsync(http, null, HttpMethod.Post, $"/api/v1/chat/conversations/{id}/messages", new { body = "Thanks!" }, visitor);
        var transcript = await SendAsync(http, null, HttpMethod.Get, $"/api/v1/chat/conversations/{id}/messages?after=0", null, visitor);
        if (transcript.GetArrayLength() < 3)
        {
            throw new InvalidOperationException($"chat {id}: {transcript.GetArrayLength()} messages, expected 3");
        }
        await SendAsync(http, null, HttpMethod.Post, $"/api/v1/chat/conversations/{id}/close", new { rating = 5 }, visitor);
    }

    private static async Task MailAsync(int port, string from, int n)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse("support@sportello.local"));
        message.Subject = $"Soak mail {n}";
        message.Body = new TextPart("plain") { Text = $"Mail round {n}: the backups did not run tonight." };
        using var smtp = new SmtpClient { Timeout = 30_000 };
        await smtp.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await smtp.SendAsync(message);
        await smtp.DisconnectAsync(true);
    }

    private static async Task<TimeSpan?> DrainAsync(HttpClient http, int nodes, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            var idle = 0;
            for (var i = 0; i < nodes * 2; i++)
            {
                // Through the balancer: every node reads the same database, so any node's answer is the cluster's backlog.
                using var response = await http.GetAsync("/health/mail");
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (body.GetProperty("outboxDue").GetInt32() == 0 && body.GetProperty("inboundWaiting").GetInt32() == 0)
                {
                    idle++;
                }
            }
            if (idle == nodes * 2)
            {
                return clock.Elapsed;
            }
            await Task.Delay(1000);
        }
        return null;
    }

    private static async Task TimeAsync(Kind kind, Func<Task> operation)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await operation();
            kind.Latencies.Add(watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or MailKit.Net.Smtp.SmtpCommandException
            or MailKit.Net.Smtp.SmtpProtocolException or System.Net.Sockets.SocketException or InvalidOperationException or JsonException or KeyNotFoundException)
        {
            Interlocked.Increment(ref kind.Errors);
            if (kind.FirstErrors.Count < 5)
            {
                kind.FirstErrors.Enqueue(ex.Message);
            }
        }
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, string? token, HttpMethod method, string url, object? body, string? chatToken = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (chatToken is not null)
        {
            request.Headers.Add("X-Chat-Token", chatToken);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{method} {url}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 200)]}");
        }
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> TokenAsync(HttpClient http, string email, string password) =>
        (await SendAsync(http, null, HttpMethod.Post, "/api/v1/auth/token", new { email, password })).GetProperty("token").GetString()!;

    private static double Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
