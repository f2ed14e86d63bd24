using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sportello.Data;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Inbound;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Tickets;

namespace Sportello.Bench;

/// <summary>
/// The email pipeline under sustained SMTP intake, next to a baseline run in the same process: the same SMTP library
/// and options storing to a no-op. N clients (MailKit, one open connection each) send ~2 KB mails back to back, half
/// from registered customers and half from strangers, each with a unique Message-ID. Measured: the 250 (rate and
/// latency), the time from a client's 250 to the ticket appearing on the Desk (the SignalR push an agent gets) and to
/// the acknowledgement reaching the outbound relay (a local sink); then the outbox draining a queued batch, to the
/// relay and to .eml files.
/// </summary>
internal static class MailBench
{
    private static readonly MailOptions Defaults = new();

    /// <summary>A line of the report; <see cref="Reference"/> is the baseline it is compared with.</summary>
    private sealed record Row(string Name, double PerSecond, double P50, double P95, double P99, long Errors, Row? Reference);

    private readonly record struct Sent(string MessageId, long Started, long Acked);

    private sealed record Drive(List<Sent> Sent, long Errors, long Start, long End)
    {
        public double Seconds => Stopwatch.GetElapsedTime(Start, End).TotalSeconds;
    }

    private sealed record TicketPush(Guid Id, string Kind);

    public static async Task RunAsync(string provider, int seconds, int concurrency, IReadOnlyList<double> pacedRates, int drainCount)
    {
        var duration = TimeSpan.FromSeconds(seconds);
        const int Customers = 16;
        using var profile = DbProfile.FromEnvironment();
        Console.WriteLine($"# Sportello mail bench: {provider}, {concurrency} SMTP clients, {seconds} s per scenario, {Machine()}");

        // The baseline: SmtpServer with Sportello's options, storing to a no-op. The same with TCP_NODELAY shows what the
        // library does without the Nagle stall; that one, keeping what it gets, is also the outbound relay.
        await using var baseline = await SmtpSink.StartAsync(Defaults.Domain, Defaults.MaxMessageBytes, keep: false);
        await using var fast = await SmtpSink.StartAsync(Defaults.Domain, Defaults.MaxMessageBytes, keep: false, noDelay: true);
        await using var relay = await SmtpSink.StartAsync("relay.bench.example", Defaults.MaxMessageBytes, keep: true, noDelay: true);
        var smtpPort = Ports.Free();
        var rows = new List<Row>();
        var notes = new List<string>();
        List<OutboxMessage> templates;
        Row? relayBaseline;

        await using (var host = await BenchHost.StartAsync(provider, new Dictionary<string, string>
        {
            ["Sportello:Mail:SmtpListen"] = $"127.0.0.1:{smtpPort}",
            // Every load client comes from 127.0.0.1: the per-IP session cap (10) is for the internet, not for this driver.
            ["Sportello:Mail:MaxSessions"] = "1000",
            ["Sportello:Mail:MaxSessionsPerIp"] = "1000",
            ["Sportello:Mail:Outbound:Host"] = "127.0.0.1",
            ["Sportello:Mail:Outbound:Port"] = relay.Port.ToString(CultureInfo.InvariantCulture),
            ["Sportello:Mail:Outbound:Tls"] = "none",
        }))
        {
            await Ports.WaitAsync(smtpPort);
            await host.RegisterCustomersAsync(Enumerable.Range(0, Customers).Select(i => $"bench{i}@example.com"));
            using var agent = await host.AgentAsync();
            var pushes = new ConcurrentDictionary<Guid, long>();
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(host.BaseAddress, TicketsHub.Path), o => o.AccessTokenProvider = () => Task.FromResult(agent.DefaultRequestHeaders.Authorization?.Parameter))
                .Build();
            hub.On<TicketPush>("ticketChanged", push =>
            {
                if (push.Kind == TicketEventKinds.Created)
                {
                    pushes.TryAdd(push.Id, Stopwatch.GetTimestamp());
                }
            });
            await hub.StartAsync();
            var sample = Compose("size", 0, 0, Customers);
            using (var bytes = new MemoryStream())
            {
                await sample.WriteToAsync(bytes);
                Console.WriteLine($"# mails of about {bytes.Length:N0} bytes (multipart/alternative, text and HTML), from {Customers} registered customers and unique strangers, half each");
            }

            var pipelined = await BaselineAsync($"baseline: no-op store, SMTP library and options as Sportello's listener; {concurrency} clients, PIPELINING",
                baseline.Port, concurrency, duration, pipelining: true, notes);
            var stepwise = await BaselineAsync($"baseline: the same, {concurrency} clients without PIPELINING",
                baseline.Port, concurrency, duration, pipelining: false, notes);
            var noDelay = await BaselineAsync($"baseline: the same with TCP_NODELAY on the server; {concurrency} clients, PIPELINING",
                fast.Port, concurrency, duration, pipelining: true, notes);
            relayBaseline = await BaselineAsync("baseline: one client sending back to back to the relay sink (the outbox's SMTP work, no database)",
                fast.Port, 1, duration, pipelining: true, notes);
            rows.AddRange([pipelined, stepwise, noDelay, relayBaseline]);

            // Warm Sportello's listener, intake and outbox, then start from an empty backlog.
            await DriveAsync(smtpPort, concurrency, TimeSpan.FromSeconds(3), null, pipelining: false, (w, k) => Compose("warm", w, k, Customers));
            await WaitDrainedAsync(host, notes);
            relay.Received.Clear();

            rows.AddRange(await IntakeAsync(host, relay, pushes, smtpPort, concurrency, duration, null, pipelining: true, "pipelined", Customers, pipelined, profile, notes));
            rows.AddRange(await IntakeAsync(host, relay, pushes, smtpPort, concurrency, duration, null, pipelining: false, "stepwise", Customers, stepwise, profile, notes));
            // Paced: an open load at a fixed rate, over more connections, so that the offered rate does not depend on
            // the 250's latency (as mail from many MTAs would arrive).
            foreach (var rate in pacedRates)
            {
                rows.AddRange(await IntakeAsync(host, relay, pushes, smtpPort, concurrency * 4, duration, rate, pipelining: false, $"paced{rate:0}", Customers, stepwise, profile, notes));
            }

            await using (var scope = host.Services.CreateAsyncScope())
            {
                templates = await scope.ServiceProvider.GetRequiredService<SportelloDb>().OutboxMessages.AsNoTracking()
                    .Where(m => m.State == OutboxStates.Sent).OrderBy(m => m.CreatedAt).Take(200).ToListAsync();
            }
            var before = relay.Count;
            rows.Add(await DrainAsync($"outbox drain to the SMTP relay sink ({drainCount:N0} queued at once)", host, templates, drainCount,
                () => relay.Count - before, relayBaseline, profile, notes));
            relay.Received.Clear();
        }

        // Without a relay the outbox writes .eml files: a second instance, configured so, on a fresh database.
        await using (var host = await BenchHost.StartAsync(provider, new Dictionary<string, string>
        {
            ["Sportello:Mail:SmtpListen"] = $"127.0.0.1:{Ports.Free()}",
        }))
        {
            rows.Add(await DrainAsync($"outbox drain to .eml files, no relay ({drainCount:N0} queued at once)", host, templates, drainCount, null, relayBaseline, profile, notes));
        }

        Console.WriteLine();
        Console.WriteLine("| scenario | msgs/s | p50 ms | p95 ms | p99 ms | errors | vs its baseline |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var ratio = r.Reference is null ? "" : (r.PerSecond / r.Reference.PerSecond).ToString("0.000", CultureInfo.InvariantCulture);
            Console.WriteLine($"| {r.Name} | {r.PerSecond:N0} | {Ms(r.P50)} | {Ms(r.P95)} | {Ms(r.P99)} | {r.Errors} | {ratio} |");
        }
        Console.WriteLine();
        Console.WriteLine("Ratios: Sportello's 250 and what follows from it against the no-op baseline with the same client behaviour; the outbox against one client sending to the relay sink.");
        foreach (var note in notes)
        {
            Console.WriteLine($"- {note}");
        }
    }

    private static async Task<Row> BaselineAsync(string name, int port, int concurrency, TimeSpan duration, bool pipelining, List<string> notes)
    {
        await DriveAsync(port, concurrency, TimeSpan.FromSeconds(1), null, pipelining, (w, k) => Compose("warm", w, k, 16));
        var cpu = CpuMeter.Start();
        var drive = await DriveAsync(port, concurrency, duration, null, pipelining, (w, k) => Compose("noop", w, k, 16));
        notes.Add($"{name}: {cpu.Read()}");
        return Smtp250(name, drive, null);
    }

    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString("0.0", CultureInfo.InvariantCulture);

    // One scenario against Sportello's listener: the sending phase, then wait for the backlog to drain, then read the
    // database for what became of each mail.
    private static async Task<List<Row>> IntakeAsync(
        BenchHost host, SmtpSink relay, ConcurrentDictionary<Guid, long> pushes, int port, int concurrency, TimeSpan duration, double? rate,
        bool pipelining, string tag, int customers, Row reference, DbProfile? profile, List<string> notes)
    {
        var label = (rate is { } r ? $"{concurrency} clients paced at {r:N0}/s in all" : $"{concurrency} clients back to back") + (pipelining ? ", PIPELINING" : ", no PIPELINING");
        Console.WriteLine($"# start: Sportello, {label}");
        var cpu = CpuMeter.Start();
        profile?.Reset();
        var drive = await DriveAsync(port, concurrency, duration, rate, pipelining, (w, k) => Compose(tag, w, k, customers));
        var sendingCpu = cpu.Read();
        notes.AddRange(profile?.Report().Select(line => $"{label}, database profile while sending: {line}") ?? []);
        var backlog = await BacklogAsync(host);
        cpu = CpuMeter.Start();
        var drained = await WaitDrainedAsync(host, notes);
        notes.Add($"{label}: while sending {sendingCpu}; backlog at the end of sending: {backlog.Inbound:N0} inbound, {backlog.Outbox:N0} outbox; " +
            $"drained {(drained ? "" : "NOT ")}in {Stopwatch.GetElapsedTime(drive.End).TotalSeconds:0.0} s after the last send ({cpu.Read()})");

        var sent = drive.Sent.ToDictionary(s => s.MessageId);
        List<(string DedupKey, DateTime ReceivedAt, DateTime? ProcessedAt, Guid? TicketId, string State)> stored;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            stored = (await scope.ServiceProvider.GetRequiredService<SportelloDb>().InboundMessages.AsNoTracking()
                .Select(m => new { m.DedupKey, m.ReceivedAt, m.ProcessedAt, m.TicketId, m.State }).ToListAsync())
                .Select(m => (m.DedupKey, m.ReceivedAt, m.ProcessedAt, m.TicketId, m.State)).ToList();
        }
        var mine = stored.Where(m => sent.ContainsKey(BareId(m.DedupKey))).ToList();
        var toTicket = new List<double>();
        var lastTicket = drive.Start;
        var missingPush = 0;
        foreach (var m in mine)
        {
            if (m.TicketId is { } ticket && pushes.TryGetValue(ticket, out var at))
            {
                toTicket.Add(Stopwatch.GetElapsedTime(sent[BareId(m.DedupKey)].Acked, at).TotalMilliseconds);
                lastTicket = Math.Max(lastTicket, at);
            }
            else
            {
                missingPush++;
            }
        }
        var processed = mine.Where(m => m.ProcessedAt is not null).ToList();
        var dbSpan = processed.Count == 0 ? double.NaN : (processed.Max(m => m.ProcessedAt!.Value) - processed.Min(m => m.ReceivedAt)).TotalSeconds;
        var dbLatency = processed.Select(m => (m.ProcessedAt!.Value - m.ReceivedAt).TotalMilliseconds).Order().ToArray();
        notes.Add($"{label}: {drive.Sent.Count:N0} acknowledged with 250, {mine.Count:N0} stored, {processed.Count:N0} processed " +
            $"({mine.Count(m => m.State == InboundStates.Quarantined)} quarantined), {toTicket.Count:N0} tickets pushed to the Desk ({missingPush} without a push); " +
            $"database view: {processed.Count / dbSpan:N0}/s from first ReceivedAt to last ProcessedAt, ReceivedAt→ProcessedAt p50 {Percentile(dbLatency, 0.5):N0} ms, p99 {Percentile(dbLatency, 0.99):N0} ms");

        // The acknowledgements at the relay, matched to the mail they answer by its Message-ID in References.
        var acks = new List<double>();
        var lastAck = drive.Start;
        while (relay.Received.TryDequeue(out var item))
        {
            using var stream = new MemoryStream(item.Raw, writable: false);
            var message = await MimeMessage.LoadAsync(stream);
            foreach (var quoted in message.References)
            {
                if (sent.TryGetValue(quoted, out var original))
                {
                    acks.Add(Stopwatch.GetElapsedTime(original.Acked, item.At).TotalMilliseconds);
                    lastAck = Math.Max(lastAck, item.At);
                    break;
                }
            }
        }

        var ticketsSorted = toTicket.Order().ToArray();
        var acksSorted = acks.Order().ToArray();
        return
        [
            Smtp250($"**SMTP 250 from Sportello** (stored and committed), {label}", drive, reference),
            new Row($"↳ mail → ticket on the Desk (250 → SignalR push), {label}",
                ticketsSorted.Length / Stopwatch.GetElapsedTime(drive.Start, lastTicket).TotalSeconds,
                Percentile(ticketsSorted, 0.50), Percentile(ticketsSorted, 0.95), Percentile(ticketsSorted, 0.99), missingPush, reference),
            new Row($"↳ mail → acknowledgement at the relay (250 → outbox delivery), {label}",
                acksSorted.Length / Stopwatch.GetElapsedTime(drive.Start, lastAck).TotalSeconds,
                Percentile(acksSorted, 0.50), Percentile(acksSorted, 0.95), Percentile(acksSorted, 0.99), drive.Sent.Count - acksSorted.Length, reference),
        ];
    }

    private static Row Smtp250(string name, Drive drive, Row? reference)
    {
        var latencies = drive.Sent.Select(s => Stopwatch.GetElapsedTime(s.Started, s.Acked).TotalMilliseconds).Order().ToArray();
        Console.WriteLine($"# {name}: {latencies.Length} in {drive.Seconds:0.0} s");
        return new Row(name, latencies.Length / drive.Seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99), drive.Errors, reference);
    }

    /// <summary>
    /// N SMTP clients, each on its own open connection, sending for <paramref name="duration"/>: back to back, or at
    /// <paramref name="rate"/> messages/s in all (each client on its own schedule; a client behind schedule sends at once).
    /// </summary>
    private static async Task<Drive> DriveAsync(
        int port, int concurrency, TimeSpan duration, double? rate, bool pipelining, Func<int, long, MimeMessage> compose)
    {
        var clients = new SmtpClient[concurrency];
        for (var i = 0; i < concurrency; i++)
        {
            clients[i] = new SmtpClient { LocalDomain = "mx.bench.example" };
            await ConnectAsync(clients[i], port, pipelining);
        }
        var sent = new List<Sent>[concurrency];
        var errors = 0L;
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = sent[worker] = new List<Sent>(100_000);
            var client = clients[worker];
            for (var k = 0L; ; k++)
            {
                var now = Stopwatch.GetElapsedTime(start);
                if (rate is { } r)
                {
                    var due = TimeSpan.FromSeconds((k * concurrency + worker) / r);
                    if (due >= duration)
                    {
                        break;
                    }
                    if (due > now)
                    {
                        await Task.Delay(due - now);
                    }
                }
                else if (now >= duration)
                {
                    break;
                }
                var message = compose(worker, k);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (!client.IsConnected)
                    {
                        await ConnectAsync(client, port, pipelining);
                    }
                    await client.SendAsync(message);
                    mine.Add(new Sent(message.MessageId!, started, Stopwatch.GetTimestamp()));
                }
                catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or IOException or ServiceNotConnectedException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var end = Stopwatch.GetTimestamp();
        foreach (var client in clients)
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(quit: true);
            }
            client.Dispose();
        }
        return new Drive(sent.SelectMany(s => s).ToList(), errors, start, end);
    }

    /// <summary>
    /// Connects; without <paramref name="pipelining"/> the client waits for each reply before the next command, as
    /// if the server had not offered PIPELINING.
    /// </summary>
    private static async Task ConnectAsync(SmtpClient client, int port, bool pipelining)
    {
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        if (!pipelining)
        {
            client.Capabilities &= ~SmtpCapabilities.Pipelining;
        }
    }

    /// <summary>Queues <paramref name="count"/> mails in one commit and times the outbox until it has delivered them all.</summary>
    private static async Task<Row> DrainAsync(
        string name, BenchHost host, List<OutboxMessage> templates, int count, Func<long>? delivered, Row reference, DbProfile? profile,
        List<string> notes)
    {
        var now = DateTime.UtcNow;
        var batch = Enumerable.Range(0, count).Select(i =>
        {
            var template = templates[i % templates.Count];
            return new OutboxMessage
            {
                Id = Guid.CreateVersion7(),
                MessageId = $"drain.{i}.{Guid.NewGuid():N}@{Defaults.Domain}",
                Kind = template.Kind,
                ToAddress = template.ToAddress,
                Subject = template.Subject,
                Mime = template.Mime,
                CreatedAt = now,
                NextAttemptAt = now,
            };
        }).ToList();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            db.OutboxMessages.AddRange(batch);
            await db.SaveChangesAsync();
        }
        var cpu = CpuMeter.Start();
        profile?.Reset();
        var start = Stopwatch.GetTimestamp();
        var timeout = TimeSpan.FromMinutes(10);
        while (Stopwatch.GetElapsedTime(start) < timeout)
        {
            if (delivered is not null)
            {
                if (delivered() >= count)
                {
                    break;
                }
                await Task.Delay(5);
            }
            else
            {
                if ((await BacklogAsync(host)).Outbox == 0)
                {
                    break;
                }
                await Task.Delay(20);
            }
        }
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        int failed;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            failed = await scope.ServiceProvider.GetRequiredService<SportelloDb>().OutboxMessages
                .CountAsync(m => m.MessageId.StartsWith("drain.") && m.State != OutboxStates.Sent);
        }
        Console.WriteLine($"# {name}: {count} in {seconds:0.0} s");
        notes.Add($"{name}: {cpu.Read()}");
        notes.AddRange(profile?.Report().Select(line => $"{name}, database profile: {line}") ?? []);
        return new Row(name, (count - failed) / seconds, double.NaN, double.NaN, double.NaN, failed, reference);
    }

    private static async Task<(int Inbound, int Outbox)> BacklogAsync(BenchHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        return (await db.InboundMessages.CountAsync(m => m.State == InboundStates.Received),
            await db.OutboxMessages.CountAsync(m => m.State == OutboxStates.Pending));
    }

    private static async Task<bool> WaitDrainedAsync(BenchHost host, List<string> notes)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(15))
        {
            if (await BacklogAsync(host) is (0, 0))
            {
                // The last pushes leave right after their commit.
                await Task.Delay(500);
                return true;
            }
            await Task.Delay(100);
        }
        notes.Add($"the backlog did not drain within {clock.Elapsed.TotalMinutes:0} minutes");
        return false;
    }

    /// <summary>The Message-ID without angle brackets, as MimeKit gives it, from a stored mail's dedup key.</summary>
    private static string BareId(string dedupKey) =>
        dedupKey.StartsWith("mid:", StringComparison.Ordinal) ? dedupKey[4..dedupKey.LastIndexOf('#')].Trim().Trim('<', '>') : dedupKey;

    private static readonly string[] Subjects =
    [
        "Server unreachable since this morning",
        "Invoice 2026/1187: VAT number missing",
        "Slow disk I/O on my VPS",
        "Request to change the reverse DNS",
        "Backup restore failed with error 42",
        "Domain transfer: authorization code",
    ];

    private static readonly string Text = string.Join("\r\n",
        "Good morning,",
        "",
        "since about 08:40 today the server does not answer on port 443 and the monitoring shows packet loss",
        "towards the gateway. I restarted nginx and the network service, without any change; the console still",
        "works. Could you check whether something changed on your side (firewall, routing, maintenance)?",
        "",
        "Traceroute from our office:",
        "  1  192.168.1.1      0.512 ms",
        "  2  10.20.0.1        4.331 ms",
        "  3  * * *",
        "",
        "The service is used by our shop, so it is rather urgent. Thank you in advance.",
        "",
        "Kind regards,",
        "Mario Rossi",
        "Rossi Srl - Via Roma 12, 20121 Milano",
        "");

    private static readonly string Html =
        "<html><body><p>Good morning,</p><p>since about 08:40 today the server does not answer on port 443 and the monitoring " +
        "shows packet loss towards the gateway. I restarted nginx and the network service, without any change; the console " +
        "still works. Could you check whether something changed on your side (firewall, routing, maintenance)?</p>" +
        "<p>Traceroute from our office:</p><pre>1  192.168.1.1  0.512 ms\n2  10.20.0.1  4.331 ms\n3  * * *</pre>" +
        "<p>The service is used by our shop, so it is rather urgent. Thank you in advance.</p>" +
        "<p>Kind regards,<br>Mario Rossi<br>Rossi Srl - Via Roma 12, 20121 Milano</p></body></html>";

    /// <summary>A realistic mail: half from a registered customer's address, half from a stranger; the Message-ID is unique.</summary>
    private static MimeMessage Compose(string tag, int worker, long sequence, int customers)
    {
        var registered = sequence % 2 == 0;
        var from = registered ? $"bench{(worker + sequence / 2) % customers}@example.com" : $"guest.{tag}.{worker}.{sequence}@example.net";
        var message = new MimeMessage
        {
            MessageId = $"{tag}.{worker}.{sequence}.{Environment.TickCount64}@mail.example.net",
            Date = DateTimeOffset.UtcNow,
            Subject = $"{Subjects[sequence % Subjects.Length]} (ref {worker}-{sequence})",
        };
        message.From.Add(new MailboxAddress(registered ? "Bench Customer" : "Mario Rossi", from));
        message.To.Add(new MailboxAddress("Support", Defaults.SupportAddress));
        message.Headers.Add(HeaderId.Received, $"from mail.example.net (mail.example.net [192.0.2.25]) by mx.bench.example with ESMTPS; {DateTimeOffset.UtcNow:R}");
        message.Headers.Add(HeaderId.XMailer, "Thunderbird 128.5.0");
        message.Headers.Add(HeaderId.ContentLanguage, "en");
        message.Body = new BodyBuilder { TextBody = Text, HtmlBody = Html }.ToMessageBody();
        return message;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static string Machine()
    {
        string Read(string path, string key, Func<string, string> shape)
        {
            try
            {
                var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
                return line is null ? "?" : shape(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            }
            catch (IOException)
            {
                return "?";
            }
        }
        var cpu = Read("/proc/cpuinfo", "model name", s => s);
        var ram = Read("/proc/meminfo", "MemTotal", s => $"{long.Parse(s.Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0} GiB");
        return $"{Environment.ProcessorCount} cores ({cpu}), {ram} RAM, {Environment.OSVersion}, .NET {Environment.Version}";
    }

    /// <summary>
    /// CPU used since <see cref="Start"/>, in cores: the whole machine (/proc/stat), the bench process (Sportello, the
    /// clients and the sinks), PostgreSQL's processes, and anything else (which should be nothing).
    /// </summary>
    internal sealed class CpuMeter
    {
        private const double TicksPerSecond = 100; // USER_HZ on Linux
        private readonly (long Busy, long Total) machine = Machine();
        private readonly TimeSpan process = Process.GetCurrentProcess().TotalProcessorTime;
        private readonly long postgres = Postgres();
        private readonly long started = Stopwatch.GetTimestamp();

        public static CpuMeter Start() => new();

        /// <summary>The whole machine's busy time since <see cref="Start"/>, in seconds of one core.</summary>
        public double BusyCoreSeconds()
        {
            var now = Machine();
            return (double)(now.Busy - machine.Busy) / TicksPerSecond;
        }

        public string Read()
        {
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var now = Machine();
            var cores = Environment.ProcessorCount;
            var busy = now.Total == machine.Total ? double.NaN : (double)(now.Busy - machine.Busy) / (now.Total - machine.Total) * cores;
            var mine = (Process.GetCurrentProcess().TotalProcessorTime - process).TotalSeconds / seconds;
            var database = (Postgres() - postgres) / TicksPerSecond / seconds;
            return string.Create(CultureInfo.InvariantCulture,
                $"CPU {busy:0.00} of {cores} cores busy: bench process {mine:0.00}, PostgreSQL {database:0.00}, other {Math.Max(0, busy - mine - database):0.00}");
        }

        private static (long Busy, long Total) Machine()
        {
            try
            {
                var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                    .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
                var total = fields.Sum();
                return (total - fields[3] - fields[4], total);
            }
            catch (IOException)
            {
                return (0, 0);
            }
        }

        // utime + stime of every process named postgres, plus cutime + cstime (the backends that have exited, reaped by
        // the postmaster: without them a meter would go down when a connection closes), in clock ticks. With
        // SPORTELLO_BENCH_PG_PID (the bench's postmaster), only that server: other work on the machine may run its own.
        private static readonly string? OurPostmaster = Environment.GetEnvironmentVariable("SPORTELLO_BENCH_PG_PID");

        private static long Postgres()
        {
            long ticks = 0;
            try
            {
                foreach (var dir in Directory.EnumerateDirectories("/proc"))
                {
                    if (!char.IsDigit(Path.GetFileName(dir)[0]))
                    {
                        continue;
                    }
                    try
                    {
                        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                        var open = stat.IndexOf('(', StringComparison.Ordinal);
                        var close = stat.LastIndexOf(')');
                        if (stat[(open + 1)..close] != "postgres")
                        {
                            continue;
                        }
                        var rest = stat[(close + 2)..].Split(' ');
                        if (OurPostmaster is not null && Path.GetFileName(dir) != OurPostmaster && rest[1] != OurPostmaster)
                        {
                            continue;
                        }
                        ticks += long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture)
                            + long.Parse(rest[13], CultureInfo.InvariantCulture) + long.Parse(rest[14], CultureInfo.InvariantCulture);
                    }
                    catch (IOException)
                    {
                        // The process has gone.
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            return ticks;
        }
    }

    /// <summary>The benchmark's arguments after the mode: paced rates, comma-separated.</summary>
    public static IReadOnlyList<double> Rates(string? text) =>
        (text ?? "500").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => double.Parse(r, CultureInfo.InvariantCulture)).Where(r => r > 0).ToList();
}
