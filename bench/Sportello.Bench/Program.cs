// Sportello load driver: ticket creation and queue reads over real HTTP (Kestrel on loopback), next to baselines
// run in the same process: the same HTTP pipeline answering a static response, and a bare EF insert of the same rows.
// Usage: dotnet run -c Release --project bench/Sportello.Bench -- [sqlite|postgres] [seconds] [concurrency] [queueTickets]
// PostgreSQL needs SPORTELLO_BENCH_POSTGRES, a connection string to a server where the bench may create a database.
// The mail pipeline (MailBench.cs): -- [mail-sqlite|mail-postgres] [seconds] [smtp clients] [paced rates, e.g. 500,250] [outbox drain size]
// The listener's memory under large mail (MailMemoryBench.cs): -- mail-memory [Sportello.dll] [clients] [message MB]
// Live chat under load (ChatBench.cs): -- chat [visitors] [active conversations] [paced s] [saturation s] [targets] [agents];
// its baseline server (ChatEchoServer.cs), started by it: -- chat-echo-server --urls URL [--redis host:port]
// A service notice's fan-out (NoticeBench.cs): -- [notices-sqlite|notices-postgres] [customers] [Desk agents] [tickets] [batch size]
// Issue 16's scale curve (ScaleBench.cs): -- scale [sqlite|postgres] [sizes, e.g. 100000,1000000] [iterations per read]
// Issue 17's move from SQLite to PostgreSQL at scale (MigrateBench.cs): -- migrate [tickets]
// Issue 17's soak of a running cluster (SoakBench.cs, started by bench/run-soak): -- soak BASE_URL SMTP_PORTS NODE_PIDS [minutes] [rounds/s]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Sportello.Bench;

internal static class BenchMain
{
    private sealed record IdOnly(Guid Id);

    public static async Task Main(string[] args)
    {
        if (args.ElementAtOrDefault(0) == "scale")
        {
            await ScaleBench.RunAsync(args[1..]);
            return;
        }
        if (args.ElementAtOrDefault(0) == "soak")
        {
            await SoakBench.RunAsync(args[1..]);
            return;
        }
        if (args.ElementAtOrDefault(0) == "migrate")
        {
            await MigrateBench.RunAsync(args[1..]);
            return;
        }
        if (args.ElementAtOrDefault(0) == "chat")
        {
            await ChatBench.RunAsync(ChatBench.Parse(args));
            return;
        }
        if (args.ElementAtOrDefault(0) == "chat-echo-server")
        {
            await ChatEchoServer.RunAsync(args[1..]);
            return;
        }
        if (args.ElementAtOrDefault(0) == "mail-memory")
        {
            await MailMemoryBench.RunAsync(args.ElementAtOrDefault(1) ?? Path.Combine(AppContext.BaseDirectory, "Sportello.dll"),
                int.Parse(args.ElementAtOrDefault(2) ?? "50", CultureInfo.InvariantCulture), int.Parse(args.ElementAtOrDefault(3) ?? "30", CultureInfo.InvariantCulture));
            return;
        }
        if (args.ElementAtOrDefault(0) is { } mode && mode.StartsWith("notices-", StringComparison.OrdinalIgnoreCase))
        {
            int? Arg(int i) => args.ElementAtOrDefault(i) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;
            await NoticeBench.RunAsync(mode["notices-".Length..], Arg(1) ?? 100_000, Arg(2) ?? 4, Arg(3) ?? 5_000, Arg(4));
            return;
        }
        var provider = args.ElementAtOrDefault(0) ?? "sqlite";
        var seconds = int.Parse(args.ElementAtOrDefault(1) ?? "10", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args.ElementAtOrDefault(2) ?? "16", CultureInfo.InvariantCulture);
        if (provider.StartsWith("mail-", StringComparison.OrdinalIgnoreCase))
        {
            await MailBench.RunAsync(provider["mail-".Length..], seconds, concurrency, MailBench.Rates(args.ElementAtOrDefault(3)),
                int.Parse(args.ElementAtOrDefault(4) ?? "2000", CultureInfo.InvariantCulture));
            return;
        }
        var queueTickets = int.Parse(args.ElementAtOrDefault(3) ?? "100000", CultureInfo.InvariantCulture);
        var duration = TimeSpan.FromSeconds(seconds);

        await using var host = await BenchHost.StartAsync(provider);
        Console.WriteLine($"# Sportello bench: {provider}, {concurrency} concurrent clients, {seconds} s per scenario, {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

        using var http = host.Client();
        var customers = new List<HttpClient>();
        for (var i = 0; i < concurrency; i++)
        {
            customers.Add(await host.CustomerAsync($"bench{i}@example.com", $"{200000 + i}", $"100.70.{i / 250}.{i % 250 + 1}"));
        }
        var agent = await host.AgentAsync();
        var attachment = new byte[100 * 1024];
        Random.Shared.NextBytes(attachment);

        var results = new List<Load.Result>
        {
            await Load.RunAsync("baseline: static response, same HTTP pipeline", concurrency, duration,
                worker => http.GetAsync("/health/live")),
            await host.MailedAsync(MailBench.CpuMeter.Start(), await Load.RunAsync("baseline: bare EF insert of the same rows (no HTTP)", concurrency, duration,
                _ => host.BareInsertAsync())),
            await host.MailedAsync(MailBench.CpuMeter.Start(), await Load.RunAsync("POST /tickets", concurrency, duration,
                worker => customers[worker].PostAsJsonAsync("/api/v1/tickets", Body()))),
            await host.MailedAsync(MailBench.CpuMeter.Start(), await Load.RunAsync("POST /tickets + 100 KB attachment", concurrency, duration, async worker =>
            {
                var client = customers[worker];
                var created = await client.PostAsJsonAsync("/api/v1/tickets", Body());
                var id = (await created.Content.ReadFromJsonAsync<IdOnly>())!.Id;
                using var form = new MultipartFormDataContent();
                var part = new ByteArrayContent(attachment);
                part.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
                form.Add(part, "files", "dump.bin");
                return await client.PostAsync($"/api/v1/tickets/{id}/attachments", form);
            })),
        };

        // The same pair with the outbox stopped: each scenario's rows alone, its mail left queued (then delivered).
        await host.PauseOutboxAsync();
        var bareRows = await Load.RunAsync("baseline: bare EF insert of the same rows (no HTTP), outbox stopped", concurrency, duration,
            _ => host.BareInsertAsync());
        var createdRows = await Load.RunAsync("POST /tickets, outbox stopped", concurrency, duration,
            worker => customers[worker].PostAsJsonAsync("/api/v1/tickets", Body()));
        await host.ResumeOutboxAsync();
        await host.DrainOutboxAsync("both with the outbox stopped");
        results.Add(bareRows);
        results.Add(createdRows);

        var stored = await host.CountTicketsAsync();
        if (stored < queueTickets)
        {
            var watch = Stopwatch.StartNew();
            await host.SeedTicketsAsync(queueTickets - stored);
            Console.WriteLine($"# seeded {queueTickets - stored} tickets in {watch.Elapsed.TotalSeconds:0.0} s");
        }
        var waiting = await host.CountWaitingAsync();
        var queueName = $"GET /desk/queue (first page of {waiting} waiting, {await host.CountTicketsAsync()} stored)";
        results.Add(await Load.RunAsync(queueName, concurrency, duration, _ => agent.GetAsync("/api/v1/desk/queue")));
        results.Add(await Load.RunAsync(queueName + ", one client", 1, duration, _ => agent.GetAsync("/api/v1/desk/queue")));

        Console.WriteLine();
        Console.WriteLine("| scenario | requests/s | with its mail delivered /s | CPU ms each, mail delivered | p50 ms | p95 ms | p99 ms | errors |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine($"| {r.Name} | {r.PerSecond:0} | {Optional(r.Delivered, "0")} | {Optional(r.CpuMsEach, "0.00")} | {r.P50:0.0} | {r.P95:0.0} | {r.P99:0.0} | {r.Errors} |");
        }
        var baseline = results[0].PerSecond;
        Console.WriteLine();
        Console.WriteLine($"ratios to the static baseline: {string.Join(", ", results.Skip(1).Select(r => $"{r.Name}: {r.PerSecond / baseline:0.000}"))}");
        var (bare, created) = (results[1], results[2]);
        Console.WriteLine($"POST /tickets to the bare insert: {created.PerSecond / bare.PerSecond:0.00} in requests/s, "
            + $"{created.Delivered / bare.Delivered:0.00} with the acknowledgements delivered, "
            + $"{bare.CpuMsEach / created.CpuMsEach:0.00} in CPU per ticket (the bare insert's over creation's, mail delivered), "
            + $"{createdRows.PerSecond / bareRows.PerSecond:0.00} with the outbox stopped in both");
    }

    private static string Optional(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    private static object Body() => new
    {
        department = "technical", priority = "normal", subject = "Benchmark ticket",
        description = "The server answers slowly since this morning; load average is 12.",
    };
}
