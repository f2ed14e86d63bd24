using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Search;
using Sportello.Features.Sla;

namespace Sportello.Bench;

/// <summary>
/// Issue 16's scale curve: one database grown through each size (<see cref="ScaleSeed"/>, after the product's own
/// migrations), and at each size a real Sportello on Kestrel answering one client: the Desk queue's first and a deep
/// page, search by word, phrase and reference, a customer's ticket list, a ticket with 50 messages, the 30-day SLA
/// report, one SLA monitor sweep (called directly) and ticket creation. p50/p95 per read and size, and the ratio of
/// the largest size to the smallest.
/// Usage: -- scale [sqlite|postgres] [sizes, e.g. 100000,1000000] [iterations per read]
/// SPORTELLO_SCALE_ONLY=sla seeds no search index and measures only the SLA report and sweep (a 1M step in minutes, not an hour).
/// SPORTELLO_SCALE_KEEP=1 keeps the database (and bench/run-scale its server) at the end, and prints its connection string;
/// SPORTELLO_SCALE_DATABASE=that string seeds nothing and measures only the searches on it: two builds, one grown database.
/// PostgreSQL needs SPORTELLO_BENCH_POSTGRES (a server where the bench may create a database); SPORTELLO_SCALE_DIR
/// puts the SQLite file somewhere else than a new folder under the temp folder.
/// </summary>
internal static class ScaleBench
{
    /// <summary>The subject of tickets the bench opens (the seed skips their numbers).</summary>
    public const string CreatedSubject = "Scale bench ticket";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);
    private static readonly bool SlaOnly = Environment.GetEnvironmentVariable("SPORTELLO_SCALE_ONLY") == "sla";
    private static readonly bool Keep = Environment.GetEnvironmentVariable("SPORTELLO_SCALE_KEEP") == "1";

    private sealed record Figure(string Read, int Size, double P50, double P95, int Samples, string? Note);

    private sealed record Step(int Size, TimeSpan Seed, long Bytes, string LoadBefore, string LoadAfter);

    public static async Task RunAsync(string[] args)
    {
        var provider = args.ElementAtOrDefault(0) ?? "sqlite";
        var sizes = (args.ElementAtOrDefault(1) ?? "100000,1000000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToList();
        var iterations = int.Parse(args.ElementAtOrDefault(2) ?? "200", CultureInfo.InvariantCulture);
        var postgres = provider.Equals("postgres", StringComparison.OrdinalIgnoreCase);
        if (Environment.GetEnvironmentVariable("SPORTELLO_SCALE_DATABASE") is { Length: > 0 } existing)
        {
            await ProbeAsync(provider, postgres, existing, iterations);
            return;
        }
        var (connectionString, drop) = postgres ? await CreatePostgresAsync() : CreateSqlite();
        Console.WriteLine($"# scale: {provider}, sizes {string.Join(", ", sizes)}, {iterations} iterations per read (at most {Budget.TotalSeconds} s), " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
        try
        {
            var settings = new Dictionary<string, string> { ["ConnectionStrings:Sportello"] = connectionString };
            // The product's migrations (and its bootstrap admin) make the schema: start it once on the empty database.
            await (await BenchHost.StartAsync(provider, settings)).DisposeAsync();
            ClearPools();
            await using var model = Model(postgres, connectionString);
            var seed = new ScaleSeed(model, connectionString, new PasswordHasher<User>().HashPassword(new User(), BenchHost.Password));
            var steps = new List<Step>();
            var figures = new List<Figure>();
            foreach (var size in sizes)
            {
                var elapsed = await seed.GrowAsync(size);
                if (!SlaOnly)
                {
                    await SeedSearchIndexAsync(model);
                }
                await RollUpSlaAsync(model);
                await model.Database.OpenConnectionAsync();
                var bytes = await ScaleStore.SizeAsync(model.Database.GetDbConnection());
                await model.Database.CloseConnectionAsync();
                Console.WriteLine($"# {size:N0} tickets: seeded in {elapsed.TotalSeconds:0.0} s (this step), {bytes / 1e9:0.00} GB on disk");
                var before = Load();
                await using (var host = await BenchHost.StartAsync(provider, settings))
                {
                    figures.AddRange(await MeasureAsync(host, model, seed, size, iterations));
                }
                ClearPools();
                steps.Add(new Step(size, elapsed, bytes, before, Load()));
            }
            Report(steps, figures);
        }
        finally
        {
            ClearPools();
            if (Keep)
            {
                Console.WriteLine($"# kept: SPORTELLO_SCALE_DATABASE=\"{connectionString}\"");
            }
            else
            {
                await drop();
            }
        }
    }

    /// <summary>
    /// The searches of <see cref="MeasureAsync"/> again on a database a kept run grew: the same reads for two builds of
    /// the product, on the same rows. Both of the words only others write are timed, as the seed's choice is not kept.
    /// </summary>
    private static async Task ProbeAsync(string provider, bool postgres, string connectionString, int iterations)
    {
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Sportello"] = connectionString };
        await using var model = Model(postgres, connectionString);
        var size = await model.Tickets.CountAsync();
        var largeEmail = ScaleSeed.LargeCustomerEmail.ToUpperInvariant();
        var largeId = await model.Users.Where(u => u.NormalizedEmail == largeEmail).Select(u => u.Id).SingleAsync();
        var largeTickets = await model.Tickets.CountAsync(t => t.CustomerId == largeId);
        Console.WriteLine($"# probe: {size:N0} tickets, {largeTickets:N0} of them the large customer's; load {Load()}");
        var started = Stopwatch.StartNew();
        await using var host = await BenchHost.StartAsync(provider, settings);
        Console.WriteLine($"# probe: Sportello started (and migrated) in {started.Elapsed.TotalSeconds:0.0} s");
        using var agent = await host.SignInAsync(ScaleSeed.AgentEmail);
        using var large = await host.SignInAsync(ScaleSeed.LargeCustomerEmail);
        var phrase = Uri.EscapeDataString($"\"{ScaleText.PhraseEnglish}\"");
        foreach (var (read, request) in SlaOnly ? [] : new (string, Func<Task<HttpResponseMessage>>)[]
        {
            ("Search (Desk), phrase", () => agent.GetAsync("/api/v1/desk/search?q=" + phrase)),
            ("Search (customer), word", () => large.GetAsync("/api/v1/tickets?q=" + ScaleText.RareWord)),
            ("Search (customer), thanks", () => large.GetAsync("/api/v1/tickets?q=thanks")),
            ("Search (customer), grazie", () => large.GetAsync("/api/v1/tickets?q=grazie")),
            ("Search (customer), phrase", () => large.GetAsync("/api/v1/tickets?q=" + phrase)),
        })
        {
            var figure = await TimeAsync(read, size, iterations, request, null);
            Console.WriteLine($"# {size:N0} {read}: p50 {figure.P50:0.0} ms, p95 {figure.P95:0.0} ms ({figure.Samples}){(figure.Note is null ? "" : ", " + figure.Note)}");
        }
        await ProbeSlaReportAsync(host, agent, size, iterations);
        // One sweep with 250 marks due and no backlog behind them: waiting tickets drawn at random across the years have
        // their target pass a minute ago. Each run draws its own, so none finds rows another run warmed; the update that
        // makes them due writes them first, as the reply or the change that set a real target would have.
        var due = await model.Database.ExecuteSqlRawAsync("""
            UPDATE "Tickets" SET "DueAt" = {0}, "AtRiskDueAt" = {1}, "BreachedAt" = NULL, "AtRiskAt" = NULL
            WHERE "Id" IN (SELECT "Id" FROM "Tickets" WHERE "Status" IN ('open', 'customer-reply') AND "MergedIntoId" IS NULL
                ORDER BY random() LIMIT 250)
            """, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(-5));
        var monitor = host.Services.GetRequiredService<SlaMonitor>();
        var watch = Stopwatch.StartNew();
        var marks = await monitor.SweepAsync();
        var first = watch.Elapsed.TotalMilliseconds;
        var idle = new List<double>();
        var idleMarks = 0;
        for (var i = 0; i < 20; i++)
        {
            watch.Restart();
            idleMarks += await monitor.SweepAsync();
            idle.Add(watch.Elapsed.TotalMilliseconds);
        }
        idle.Sort();
        Console.WriteLine($"# {size:N0} SLA sweep, {due} tickets made due: {first:0} ms ({marks} marks, {first / Math.Max(marks, 1):0.00} ms each), " +
            $"then 20 more: p50 {Percentile(idle, 0.5):0.0} / p95 {Percentile(idle, 0.95):0.0} ms ({idleMarks} marks); load {Load()}");
    }

    private static int Entries(SlaRollup.Period period) => period.Tallies.Sum(t => t.Tally.Responses.Count);

    /// <summary>The SLA report over 30 days through the API, then its two halves in process: what it reads, and the sums over it.</summary>
    private static async Task ProbeSlaReportAsync(BenchHost host, HttpClient agent, int size, int iterations)
    {
        // The bench's host runs no monitor: roll up as its minute would have, so the report reads a desk in use (the
        // last minutes and the edges live), not every change since the last probe.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var rolled = Stopwatch.StartNew();
            var hours = await SlaRollup.RollUpAsync(scope.ServiceProvider.GetRequiredService<SportelloDb>(), DateTime.UtcNow);
            Console.WriteLine($"# {size:N0} SLA roll-up before the report: {hours:N0} hours counted in {rolled.Elapsed.TotalMilliseconds:0} ms");
        }
        var report = await TimeAsync("SLA report, 30 days", size, iterations, () => agent.GetAsync("/api/v1/desk/sla"), null);
        Console.WriteLine($"# {size:N0} SLA report, 30 days: p50 {report.P50:0.0} ms, p95 {report.P95:0.0} ms ({report.Samples})");
        var (reads, parses, sums) = (new List<double>(), new List<double>(), new List<double>());
        SlaRollup.Reading? last = null;
        for (var i = 0; i < iterations; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            var now = DateTime.UtcNow;
            var started = Stopwatch.GetTimestamp();
            last = await SlaRollup.ReadAsync(db, host.Services.GetRequiredService<SlaRollupCache>(), now.AddDays(-30), now, now);
            reads.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            var tallies = last.Tallies(now).ToList();
            parses.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            _ = SlaReport.Build(now.AddDays(-30), now, tallies, last.Overall(now), now);
            sums.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var whole = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            var started = Stopwatch.GetTimestamp();
            _ = await scope.ServiceProvider.GetRequiredService<ReadSlaReport>().BetweenAsync(null, null);
            whole.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        whole.Sort();
        Console.WriteLine($"# {size:N0} SLA report's use case in process: p50 {Percentile(whole, 0.5):0.0} / p95 {Percentile(whole, 0.95):0.0} ms");
        reads.Sort();
        parses.Sort();
        sums.Sort();
        Console.WriteLine($"# {size:N0} SLA report's parts: read p50 {Percentile(reads, 0.5):0.0} / p95 {Percentile(reads, 0.95):0.0} ms " +
            $"({last!.Rows.Count:N0} tickets live, {last.Hours.Count:N0} hours, the settled days summed, " +
            $"{last.Hours.Sum(Entries):N0} + {(last.Days is null ? 0 : Entries(last.Days)):N0} histogram entries); " +
            $"parsed p50 {Percentile(parses, 0.5):0.0} / p95 {Percentile(parses, 0.95):0.0} ms; sums p50 {Percentile(sums, 0.5):0.0} / p95 {Percentile(sums, 0.95):0.0} ms");
        // The sums alone again over the last reading: the part of the report that is arithmetic in the node.
        var warm = new List<double>();
        var at = DateTime.UtcNow;
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            _ = SlaReport.Build(at.AddDays(-30), at, last.Tallies(at), last.Overall(at), at);
            warm.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        warm.Sort();
        Console.WriteLine($"# {size:N0} SLA report's sums again: p50 {Percentile(warm, 0.5):0.0} / p95 {Percentile(warm, 0.95):0.0} ms");
        // The JIT's background tiers take a core for seconds after start (hundreds of methods a second): say how far along they were.
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        report = await TimeAsync("SLA report, 30 days", size, iterations, () => agent.GetAsync("/api/v1/desk/sla"), null);
        Console.WriteLine($"# {size:N0} SLA report, 30 days, again: p50 {report.P50:0.0} ms, p95 {report.P95:0.0} ms ({report.Samples}); " +
            $"{System.Runtime.JitInfo.GetCompiledMethodCount() - jitted:N0} methods compiled meanwhile");
    }

    /// <summary>
    /// The search index of the tickets this step added, written by the product's own indexer (the code a save and the
    /// migration's backfill run), in transactions of 500 tickets: the time is the cost of indexing existing data.
    /// </summary>
    private static async Task SeedSearchIndexAsync(SportelloDb model)
    {
        var clock = Stopwatch.StartNew();
        var indexed = (await model.SearchDocuments.AsNoTracking().Where(d => d.Kind == SearchKinds.Ticket).Select(d => d.TargetId).ToListAsync()).ToHashSet();
        var missing = (await model.Tickets.AsNoTracking().Select(t => t.Id).ToListAsync()).Where(id => !indexed.Contains(id)).ToList();
        foreach (var batch in missing.Chunk(500))
        {
            await using var transaction = await model.Database.BeginTransactionAsync();
            await SearchIndex.WriteAsync(model, new SearchIndex.Changes().With(tickets: batch));
            await transaction.CommitAsync();
            model.ChangeTracker.Clear();
        }
        Console.WriteLine($"# search index: {missing.Count:N0} tickets indexed in {clock.Elapsed.TotalSeconds:0.0} s ({missing.Count / Math.Max(clock.Elapsed.TotalSeconds, 0.001):N0}/s)");
    }

    /// <summary>
    /// The SLA report's hours counted afresh by the product's roll-up (what the monitor's first run does after the
    /// migration), since the seed wrote old tickets the last roll-up never saw: the time is the cost of counting existing data.
    /// </summary>
    private static async Task RollUpSlaAsync(SportelloDb model)
    {
        var clock = Stopwatch.StartNew();
        await SlaRollup.ResetAsync(model);
        var hours = await SlaRollup.RollUpAsync(model, DateTime.UtcNow);
        Console.WriteLine($"# SLA roll-up: {hours:N0} hours counted in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<List<Figure>> MeasureAsync(BenchHost host, SportelloDb model, ScaleSeed seed, int size, int iterations)
    {
        using var agent = await host.SignInAsync(ScaleSeed.AgentEmail);
        using var large = await host.SignInAsync(ScaleSeed.LargeCustomerEmail);
        using var small = await host.SignInAsync(ScaleSeed.SmallCustomerEmail);
        var figures = new List<Figure>();
        async Task Add(string read, Func<Task<HttpResponseMessage>> request, string? note = null)
        {
            var figure = await TimeAsync(read, size, iterations, request, note);
            Console.WriteLine($"# {size:N0} {read}: p50 {figure.P50:0.0} ms, p95 {figure.P95:0.0} ms ({figure.Samples}){(figure.Note is null ? "" : ", " + figure.Note)}");
            figures.Add(figure);
        }

        if (SlaOnly)
        {
            return [.. figures, .. await MeasureSlaAsync(host, model, agent, size, iterations)];
        }
        var waiting = await model.Tickets.CountAsync(t => t.QueueRank != null);
        await Add("Desk queue, first page", () => agent.GetAsync("/api/v1/desk/queue"), $"{waiting:N0} waiting");
        var (deep, depth) = await DeepPageAsync(agent, waiting / 2);
        await Add("Desk queue, deep page", () => agent.GetAsync(deep), $"from position {depth:N0}");
        using (var probe = await agent.GetAsync("/api/v1/desk/search?q=" + ScaleText.RareWord))
        {
            if (probe.StatusCode == HttpStatusCode.NotFound)
            {
                Console.WriteLine("# search: GET /desk/search answers 404 (not on this branch): search probes skipped");
            }
            else
            {
                await Add("Search (Desk), word", () => agent.GetAsync("/api/v1/desk/search?q=" + ScaleText.RareWord));
                await Add("Search (Desk), common word", () => agent.GetAsync("/api/v1/desk/search?q=server"));
                await Add("Search (Desk), two words, closed only", () => agent.GetAsync("/api/v1/desk/search?q=disk+full&status=closed"));
                await Add("Search (Desk), phrase", () => agent.GetAsync("/api/v1/desk/search?q=" + Uri.EscapeDataString($"\"{ScaleText.PhraseEnglish}\"")));
                await Add("Search (Desk), reference", () => agent.GetAsync("/api/v1/desk/search?q=" + seed.SomeNumber));
                await Add("Search (customer), word", () => large.GetAsync("/api/v1/tickets?q=" + ScaleText.RareWord));
                // Common across the desk (a third of it writes the other language), in none of the customer's tickets.
                var othersWord = seed.LargeCustomerWritesItalian ? "thanks" : "grazie";
                await Add("Search (customer), a word only others write", () => large.GetAsync("/api/v1/tickets?q=" + othersWord), othersWord);
                await Add("Search (customer), phrase", () => large.GetAsync("/api/v1/tickets?q=" + Uri.EscapeDataString($"\"{ScaleText.PhraseEnglish}\"")));
                // The same search for one of the many customers: what it costs follows the customer's tickets, not the desk's.
                var smallEmail = ScaleSeed.SmallCustomerEmail.ToUpperInvariant();
                var smallId = await model.Users.Where(u => u.NormalizedEmail == smallEmail).Select(u => u.Id).SingleAsync();
                var smallTickets = await model.Tickets.CountAsync(t => t.CustomerId == smallId);
                var smallOthersWord = seed.SmallCustomerWritesItalian ? "thanks" : "grazie";
                await Add("Search (small customer), a word only others write", () => small.GetAsync("/api/v1/tickets?q=" + smallOthersWord),
                    $"{smallOthersWord}, {smallTickets:N0} tickets");
            }
        }
        var largeEmail = ScaleSeed.LargeCustomerEmail.ToUpperInvariant();
        var largeId = await model.Users.Where(u => u.NormalizedEmail == largeEmail).Select(u => u.Id).SingleAsync();
        var largeTickets = await model.Tickets.CountAsync(t => t.CustomerId == largeId);
        await Add("Customer's tickets, first page", () => large.GetAsync("/api/v1/tickets"), $"{largeTickets:N0} tickets");
        var longTicket = seed.LongTickets[0];
        await Add("Ticket view, 50 messages (Desk)", () => agent.GetAsync($"/api/v1/desk/tickets/{longTicket}"));
        figures.AddRange(await MeasureSlaAsync(host, model, agent, size, iterations));
        await Add("POST /tickets", () => small.PostAsJsonAsync("/api/v1/tickets", new
        {
            department = "technical", priority = "normal", subject = CreatedSubject,
            description = "The server answers slowly since this morning; load average is 12 and the shop times out at checkout.",
        }));
        return figures;
    }

    private static async Task<List<Figure>> MeasureSlaAsync(BenchHost host, SportelloDb model, HttpClient agent, int size, int iterations)
    {
        var report = await TimeAsync("SLA report, 30 days", size, iterations, () => agent.GetAsync("/api/v1/desk/sla"), null);
        Console.WriteLine($"# {size:N0} SLA report, 30 days: p50 {report.P50:0.0} ms, p95 {report.P95:0.0} ms ({report.Samples}); load {Load()}");
        var monitor = host.Services.GetRequiredService<SlaMonitor>();
        var load = Load();
        var watch = Stopwatch.StartNew();
        var marks = await monitor.SweepAsync();
        var first = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var idleMarks = await monitor.SweepAsync();
        var idle = watch.Elapsed.TotalMilliseconds;
        Console.WriteLine($"# {size:N0} SLA sweep: {first:0} ms ({marks} marks), then {idle:0} ms ({idleMarks} marks); load before {load}");
        // The seed stamps every ticket with activity after its start as changed at that instant, so right after it
        // every recent hour is newer than the roll-up's watermark and read live. A desk in use has only the last
        // minutes' changes there: wait until the watermark (SlaRollup.Lag behind) has passed the seed's last change, roll up as the monitor would, read again.
        var changed = await model.Tickets.AsNoTracking().MaxAsync(t => t.UpdatedAt);
        var settle = changed + SlaRollup.Lag + TimeSpan.FromSeconds(5) - DateTime.UtcNow;
        if (settle > TimeSpan.Zero)
        {
            Console.WriteLine($"# {size:N0} waiting {settle.TotalSeconds:0} s for the roll-up's watermark to pass the seed's last change");
            await Task.Delay(settle);
        }
        await SlaRollup.RollUpAsync(model, DateTime.UtcNow);
        var settled = await TimeAsync("SLA report, 30 days, settled", size, iterations, () => agent.GetAsync("/api/v1/desk/sla"), null);
        Console.WriteLine($"# {size:N0} SLA report, 30 days, settled: p50 {settled.P50:0.0} ms, p95 {settled.P95:0.0} ms ({settled.Samples}); load {Load()}");
        return [report, new Figure("SLA monitor sweep", size, first, first, 1, $"{marks} marks"),
            new Figure("SLA monitor sweep, nothing due", size, idle, idle, 1, $"{idleMarks} marks"), settled];
    }

    /// <summary>Follows the queue's Link headers 200 at a time to <paramref name="position"/>: that page (50), and where it starts.</summary>
    private static async Task<(string Url, int Depth)> DeepPageAsync(HttpClient agent, int position)
    {
        var url = "/api/v1/desk/queue?limit=200";
        var depth = 0;
        while (depth + 200 <= position)
        {
            using var response = await agent.GetAsync(url);
            response.EnsureSuccessStatusCode();
            var next = response.Headers.TryGetValues("Link", out var links) ? links.First() : null;
            if (next is null)
            {
                break;
            }
            depth += 200;
            url = next[(next.IndexOf('<', StringComparison.Ordinal) + 1)..next.IndexOf('>', StringComparison.Ordinal)];
        }
        return (url.Replace("limit=200", "limit=50", StringComparison.Ordinal), depth);
    }

    private static async Task<Figure> TimeAsync(string read, int size, int iterations, Func<Task<HttpResponseMessage>> request, string? note)
    {
        string? failure = null;
        // Warm until the JIT has compiled the read's code for good (30 calls promote a method) or 3 s have passed: a
        // desk's server is warm, and code still in its first tier costs more the more rows it handles (the SLA report's
        // p50 at 5,000,000 was 47 ms on its first 100 requests, 18 ms on the next 100).
        var warming = Stopwatch.StartNew();
        for (var i = 0; i < 30 && (i < 3 || warming.Elapsed < TimeSpan.FromSeconds(3)); i++)
        {
            using var warm = await request();
            if (!warm.IsSuccessStatusCode)
            {
                failure = $"HTTP {(int)warm.StatusCode}";
            }
        }
        var latencies = new List<double>(iterations);
        var clock = Stopwatch.StartNew();
        while (latencies.Count < iterations && (clock.Elapsed < Budget || latencies.Count < 5))
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await request();
            await response.Content.LoadIntoBufferAsync();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                failure = $"HTTP {(int)response.StatusCode}";
            }
        }
        latencies.Sort();
        var notes = new[] { note, failure is null ? null : "ERRORS: " + failure }.Where(n => n is not null);
        return new Figure(read, size, Percentile(latencies, 0.50), Percentile(latencies, 0.95), latencies.Count,
            notes.Any() ? string.Join("; ", notes) : null);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static void Report(List<Step> steps, List<Figure> figures)
    {
        Console.WriteLine();
        Console.WriteLine("| tickets | seed (this step) | on disk | load before → after |");
        Console.WriteLine("|---:|---:|---:|---|");
        foreach (var step in steps)
        {
            Console.WriteLine($"| {step.Size:N0} | {step.Seed.TotalSeconds:0} s | {step.Bytes / 1e9:0.00} GB | {step.LoadBefore} → {step.LoadAfter} |");
        }
        Console.WriteLine();
        var sizes = steps.Select(s => s.Size).ToList();
        Console.WriteLine($"| read | {string.Join(" | ", sizes.Select(s => $"{s:N0}: p50 / p95 ms"))} | p95 {sizes[^1]:N0} ÷ {sizes[0]:N0} |");
        Console.WriteLine($"|---|{string.Concat(sizes.Select(_ => "---:|"))}---:|");
        foreach (var read in figures.Select(f => f.Read).Distinct())
        {
            var row = sizes.Select(s => figures.FirstOrDefault(f => f.Read == read && f.Size == s)).ToList();
            var cells = row.Select(f => f is null ? "" : $"{f.P50:0.0} / {f.P95:0.0}{(f.Note is null ? "" : $" ({f.Note})")}");
            var ratio = row[0] is { } small && row[^1] is { } big ? $"{big.P95 / small.P95:0.00}" : "";
            Console.WriteLine($"| {read} | {string.Join(" | ", cells)} | {ratio} |");
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static SportelloDb Model(bool postgres, string connectionString) => postgres
        ? new PostgresSportelloDb(new DbContextOptionsBuilder<PostgresSportelloDb>().UseNpgsql(connectionString).Options)
        : new SqliteSportelloDb(new DbContextOptionsBuilder<SqliteSportelloDb>().UseSqlite(connectionString).Options);

    private static void ClearPools()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
    }

    private static (string ConnectionString, Func<Task> Drop) CreateSqlite()
    {
        var folder = Environment.GetEnvironmentVariable("SPORTELLO_SCALE_DIR") is { Length: > 0 } dir
            ? Directory.CreateDirectory(Path.Combine(dir, "sportello-scale-" + Guid.NewGuid().ToString("N")[..8])).FullName
            : Directory.CreateTempSubdirectory("sportello-scale-").FullName;
        return ($"Data Source={Path.Combine(folder, "sportello.db")}", () =>
        {
            Directory.Delete(folder, recursive: true);
            return Task.CompletedTask;
        });
    }

    private static async Task<(string ConnectionString, Func<Task> Drop)> CreatePostgresAsync()
    {
        var server = Environment.GetEnvironmentVariable("SPORTELLO_BENCH_POSTGRES")
            ?? throw new InvalidOperationException("Set SPORTELLO_BENCH_POSTGRES to a PostgreSQL connection string.");
        var name = "sportello_scale_" + Guid.NewGuid().ToString("N")[..8];
        await ExecuteAsync(server, $"CREATE DATABASE \"{name}\"");
        return (new NpgsqlConnectionStringBuilder(server) { Database = name, CommandTimeout = 0 }.ConnectionString,
            () => ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
