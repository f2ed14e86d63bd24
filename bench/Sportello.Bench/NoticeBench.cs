using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;
using Sportello.Features.Mail.Outbound;
using Sportello.Features.Notices;
using Sportello.Features.Services;

namespace Sportello.Bench;

/// <summary>
/// One service notice fanned out to N customers, next to baselines run in the same process: a bare batched insert of
/// the same inbox rows and mails (EF AddRange + SaveChanges, a transaction per batch, no HTTP, no composing), and one
/// SMTP client sending the same mails to a sink (no database). The customers (each with one VPS in Milan) are written
/// straight into the tables; then an admin publishes, over HTTP, a maintenance in Milan. Measured: the publish request,
/// the time until every recipient, inbox row and mail is written (polling the fan-out's own counters, which commit in
/// the same transaction as the rows; the rows are counted at the end), the time until the local SMTP relay sink has
/// received every mail, and the Desk queue's latency (a few agents, each reading it at a steady pace) before, during
/// the bare insert, and during the fan-out.
/// </summary>
internal static class NoticeBench
{
    private const string Location = "Milan";
    private const string Password = "bench passphrase 2026";
    private static readonly MailOptions Defaults = new();
    /// <summary>The bare insert's mails are due then, so the outbox worker leaves them alone.</summary>
    private static readonly DateTime FarFuture = new(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(50);

    private sealed record Customer(Guid Id, string Email, string Name, string Language, string TimeZone, Guid ServiceId, string ServiceName);

    private sealed record Published(Guid Id, int Recipients);

    /// <summary>What the bench's poll sees: the fan-out's cursors (committed with the rows) and the sink's count.</summary>
    private sealed record Progress(long At, bool Resolved, int Notified, bool Written, bool Mailed, long Mails);

    /// <summary>A line of the fan-out table; <see cref="Reference"/> is the baseline it is compared with (by rate).</summary>
    private sealed record Row(string Name, double Seconds, double? PerSecond, Row? Reference);

    public static async Task RunAsync(string provider, int customers, int agents, int tickets, int? batchSize)
    {
        if (customers is < 1 or > 899_999)
        {
            throw new ArgumentOutOfRangeException(nameof(customers), "1 to 899,999 customers (each service has a six-digit order number).");
        }
        const int AgentIntervalMs = 100;
        const int IdleSeconds = 10;
        var batch = batchSize ?? new NoticeOptions().BatchSize;
        using var profile = NoticeProfile.FromEnvironment();
        Console.WriteLine($"# Sportello notice fan-out bench: {provider}, {customers:N0} customers, batch {batch}, Desk queue read by {agents} agents every {AgentIntervalMs} ms each, " +
            $"{MailBench.Machine()}; load average at start {LoadAverage()}; thread pool minimum {MinThreads()}");

        // The outbox's relay (TCP_NODELAY, as a real relay answers a pipelined group in one write), and a second sink
        // for the SMTP baseline, so that its mails are not counted as the fan-out's.
        await using var relay = await SmtpSink.StartAsync("relay.bench.example", Defaults.MaxMessageBytes, keep: false, noDelay: true);
        await using var bareRelay = await SmtpSink.StartAsync("relay.bench.example", Defaults.MaxMessageBytes, keep: false, noDelay: true);
        var settings = new Dictionary<string, string>
        {
            ["Sportello:Mail:SmtpListen"] = $"127.0.0.1:{Ports.Free()}",
            ["Sportello:Mail:Outbound:Host"] = "127.0.0.1",
            ["Sportello:Mail:Outbound:Port"] = relay.Port.ToString(CultureInfo.InvariantCulture),
            ["Sportello:Mail:Outbound:Tls"] = "none",
        };
        if (batchSize is { } size)
        {
            settings["Sportello:Notices:BatchSize"] = size.ToString(CultureInfo.InvariantCulture);
        }
        await using var host = await BenchHost.StartAsync(provider, settings);
        var notes = new List<string>();

        var clock = Stopwatch.StartNew();
        var people = await SeedCustomersAsync(host, customers);
        notes.Add($"seeded {customers:N0} customers, each with one VPS in {Location} (a quarter of them Italian, a fifth in Europe/London), in {clock.Elapsed.TotalSeconds:0.0} s (multi-row INSERTs, not EF)");
        clock.Restart();
        await host.SeedTicketsAsync(tickets);
        var waiting = await host.CountWaitingAsync();
        notes.Add($"seeded {tickets:N0} tickets ({waiting:N0} waiting on support) in {clock.Elapsed.TotalSeconds:0.0} s");
        await AnalyzeAsync(host);
        using var agent = await host.AgentAsync();
        using var admin = await host.AdminAsync();

        // Warm Sportello (publish, fan-out, composing, outbox, SMTP) with a notice to one customer, then drain.
        var warmBefore = relay.Count;
        var warm = await PublishAsync(admin, Request("Warm-up", ["100000"]));
        await WaitAsync(host, warm.Id, relay, warmBefore, 1, TimeSpan.FromMinutes(2), [], _ => { });
        await WaitOutboxEmptyAsync(host);

        // Stage timing, no database: what the fan-out does per recipient before it writes (words, JSON, MIME).
        Mark("compose");
        var (templates, composeMicros, composeCpu, wordsMicros) = await ComposeAsync(host, people, Math.Min(customers, 5000));
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"composing one recipient's inbox row and mail (NoticeFanOut.DeliverAsync's loop body, run by the bench, one thread, no database; best of 5 rounds after warming up): " +
            $"{composeMicros:0} µs ({composeCpu:0} µs of the process's CPU), of which Outbox.ComposeAsync (the MIME message) {composeMicros - wordsMicros:0} µs and the rest (words, times, JSON) {wordsMicros:0} µs; " +
            $"for {customers:N0} customers {composeMicros * customers / 1e6:0.0} s of one core; mails of {templates["en"].Mail.Mime.Length:N0} bytes (en), {templates["it"].Mail.Mime.Length:N0} (it)"));

        var smtpCount = Math.Min(customers, 20_000);
        var cpu = MailBench.CpuMeter.Start();
        Mark("smtp-baseline");
        var smtpSeconds = await SmtpBaselineAsync(bareRelay, templates["en"].Mail.Mime, smtpCount);
        notes.Add($"SMTP baseline ({smtpCount:N0} mails): {cpu.Read()}");
        var smtpBaseline = new Row($"baseline: one SMTP client sending the same mails to a sink, parsed from their stored bytes as the outbox does (no database; {smtpCount:N0} mails)",
            smtpSeconds * customers / smtpCount, smtpCount / smtpSeconds, null);

        var probe = DeskProbe.Start(agent, agents, TimeSpan.FromMilliseconds(AgentIntervalMs));
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Baseline: the rows alone.
        cpu = MailBench.CpuMeter.Start();
        profile?.Reset();
        Mark("bare-insert");
        var bareStart = Stopwatch.GetTimestamp();
        await BareInsertAsync(host, people, templates, batch);
        var bareEnd = Stopwatch.GetTimestamp();
        notes.Add($"bare insert: {cpu.Read()}");
        notes.AddRange(profile?.Report().Select(line => $"bare insert, database profile: {line}") ?? []);
        var bareSeconds = Stopwatch.GetElapsedTime(bareStart, bareEnd).TotalSeconds;
        var bare = new Row($"baseline: bare batched insert of {customers:N0} inbox rows + {customers:N0} outbox mails (EF AddRange + SaveChanges, {batch} of each per transaction, rows built beforehand, no HTTP)",
            bareSeconds, customers / bareSeconds, null);
        clock.Restart();
        await DeleteBareAsync(host);
        notes.Add($"bare insert's rows deleted{(IsPostgres(host) ? " and the tables vacuumed" : "")} in {clock.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(2));

        // The same rows without EF's change tracking and per-row statements: what a leaner write path could reach.
        cpu = MailBench.CpuMeter.Start();
        profile?.Reset();
        Mark("plain-insert");
        var plainStart = Stopwatch.GetTimestamp();
        await BareInsertAsync(host, people, templates, batch, plain: true);
        var plainEnd = Stopwatch.GetTimestamp();
        notes.Add($"plain insert: {cpu.Read()}");
        notes.AddRange(profile?.Report().Select(line => $"plain insert, database profile: {line}") ?? []);
        var plainSeconds = Stopwatch.GetElapsedTime(plainStart, plainEnd).TotalSeconds;
        var plainRow = new Row($"baseline: the same rows as plain multi-row INSERTs built from the EF model (no change tracking), {batch} of each per transaction",
            plainSeconds, customers / plainSeconds, null);
        await DeleteBareAsync(host);
        await Task.Delay(TimeSpan.FromSeconds(2));

        Mark("idle");
        var idleStart = Stopwatch.GetTimestamp();
        cpu = MailBench.CpuMeter.Start();
        await Task.Delay(TimeSpan.FromSeconds(IdleSeconds));
        var idleEnd = Stopwatch.GetTimestamp();
        notes.Add($"idle, before publishing ({IdleSeconds} s, only the Desk probe): {cpu.Read()}");

        // The notice.
        Console.WriteLine($"# publishing to {customers:N0} customers; load average {LoadAverage()}");
        var loadBefore = LoadAverage();
        var sinkBefore = relay.Count;
        cpu = MailBench.CpuMeter.Start();
        profile?.Reset();
        Mark("publish");
        var start = Stopwatch.GetTimestamp();
        var notice = await PublishAsync(admin, Request("Network upgrade in Milan", null));
        var answered = Stopwatch.GetTimestamp();
        if (notice.Recipients != customers)
        {
            notes.Add($"the publish answer counted {notice.Recipients:N0} recipients, not {customers:N0}");
        }
        var progress = new List<Progress>();
        long? written = null;
        string? writingCpu = null;
        var writingProfile = new List<string>();
        var finished = await WaitAsync(host, notice.Id, relay, sinkBefore, customers, TimeSpan.FromMinutes(30), progress, p =>
        {
            if (written is null && p.Written)
            {
                written = p.At;
                Mark("rows-written");
                writingCpu = cpu.Read();
                cpu = MailBench.CpuMeter.Start();
                writingProfile.AddRange(profile?.Report() ?? []);
                profile?.Reset();
            }
        });
        var end = progress.Count > 0 ? progress[^1].At : Stopwatch.GetTimestamp();
        Mark("end");
        var deliveryCpu = cpu.Read();
        var loadAfter = LoadAverage();
        var deliveryProfile = profile?.Report().ToList() ?? [];
        await probe.StopAsync();

        double Since(long? at) => at is { } t ? Stopwatch.GetElapsedTime(start, t).TotalSeconds : double.NaN;
        long? First(Func<Progress, bool> test) => progress.FirstOrDefault(test)?.At;
        var resolved = First(p => p.Resolved);
        var firstRow = First(p => p.Notified > 0);
        var firstMail = First(p => p.Mails > 0);
        var allMails = First(p => p.Mails >= customers);
        var mailed = First(p => p.Mailed);
        var check = await CheckAsync(host, notice.Id);
        notes.Add($"publish → all inbox rows written: {writingCpu ?? "not reached"}");
        notes.Add($"all inbox rows written → all mails at the sink: {deliveryCpu}");
        notes.Add($"load average (1, 5, 15 min) before publishing {loadBefore}, after the last mail {loadAfter}");
        notes.Add(check.Line);
        notes.AddRange(Timeline(progress, start, customers));
        notes.AddRange(writingProfile.Select(line => $"publish → all inbox rows written, database profile: {line}"));
        notes.AddRange(deliveryProfile.Select(line => $"all inbox rows written → all mails at the sink, database profile: {line}"));
        if (!finished)
        {
            notes.Add($"NOT FINISHED: {progress.LastOrDefault()?.Notified ?? 0:N0} inbox rows and {progress.LastOrDefault()?.Mails ?? 0:N0} mails at the sink after 30 minutes");
        }

        var rowsSeconds = Since(written);
        var mailSeconds = Since(allMails);
        var deliverySpan = allMails is { } last && firstMail is { } first ? Stopwatch.GetElapsedTime(first, last).TotalSeconds : double.NaN;
        var rows = new List<Row>
        {
            bare,
            plainRow,
            new("POST /api/v1/admin/notices (stores the notice, counts its customers; answered " + notice.Recipients.ToString("N0", CultureInfo.InvariantCulture) + ")",
                Stopwatch.GetElapsedTime(start, answered).TotalSeconds, null, null),
            new($"↳ recipients resolved ({check.Recipients:N0} NoticeRecipients), after publishing", Since(resolved), check.Recipients / Since(resolved), null),
            new("↳ first inbox row written, after publishing", Since(firstRow), null, null),
            new($"↳ **all {customers:N0} inbox rows written** (Notifications), after publishing", rowsSeconds, customers / rowsSeconds, bare),
            new($"↳ all {customers:N0} mails in the outbox (composed after the inbox rows), after publishing", Since(mailed), customers / Since(mailed), bare),
            smtpBaseline,
            new("↳ first mail at the SMTP sink, after publishing", Since(firstMail), null, null),
            new($"↳ **all {customers:N0} mails at the SMTP sink**, after publishing", mailSeconds, customers / mailSeconds, smtpBaseline),
            new("↳ the same, from the first mail at the sink to the last", deliverySpan, customers / deliverySpan, smtpBaseline),
        };

        var desk = new List<DeskProbe.Window>
        {
            probe.Stats($"idle, before publishing ({IdleSeconds} s)", idleStart, idleEnd),
            probe.Stats("during the bare insert baseline (EF)", bareStart, bareEnd),
            probe.Stats("during the plain multi-row insert baseline", plainStart, plainEnd),
            probe.Stats("fan-out: the first 10 s after publishing", start, Math.Min(end, start + (10 * Stopwatch.Frequency))),
            probe.Stats("fan-out: publish → all inbox rows written", start, written ?? end),
            probe.Stats("fan-out: all inbox rows written → all mails at the sink", written ?? end, end),
            probe.Stats("**fan-out: publish → all mails at the sink**", start, end),
        };

        Console.WriteLine();
        Console.WriteLine("| measure | seconds | per second | vs its baseline |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var r in rows)
        {
            var ratio = r.Reference is { PerSecond: { } reference } && r.PerSecond is { } rate ? (rate / reference).ToString("0.000", CultureInfo.InvariantCulture) : "";
            Console.WriteLine($"| {r.Name} | {S(r.Seconds)} | {(r.PerSecond is { } p && !double.IsNaN(p) ? p.ToString("N0", CultureInfo.InvariantCulture) : "")} | {ratio} |");
        }
        Console.WriteLine();
        Console.WriteLine($"| Desk queue, GET /api/v1/desk/queue ({agents} agents, each every {AgentIntervalMs} ms) | requests | p50 ms | p95 ms | p99 ms | max ms | errors | p95 vs idle | thread pool: queued mean / max, threads max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var w in desk)
        {
            Console.WriteLine($"| {w.Name} | {w.Count:N0} | {Ms(w.P50)} | {Ms(w.P95)} | {Ms(w.P99)} | {Ms(w.Max)} | {w.Errors} | {(w.P95 / desk[0].P95).ToString("0.00", CultureInfo.InvariantCulture)} | " +
                $"{w.Queued.ToString("0.0", CultureInfo.InvariantCulture)} / {w.MaxQueued} , {w.MaxThreads} |");
        }
        Console.WriteLine();
        var mailRate = customers / mailSeconds;
        Console.WriteLine("| aim (2 cores) | measured | |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| all notifications written in under 10 s | {S(rowsSeconds)} s after publishing | {(rowsSeconds < 10 ? "met" : "**missed**")} |");
        Console.WriteLine($"| mail delivered at 1,000/s or more | {mailRate:N0}/s from publishing to the last mail ({customers / deliverySpan:N0}/s from the first) | {(mailRate >= 1000 ? "met" : "**missed**")} |");
        Console.WriteLine($"| Desk queue p95 under 100 ms during the fan-out | {Ms(desk[^1].P95)} ms (idle {Ms(desk[0].P95)} ms) | {(desk[^1].P95 < 100 ? "met" : "**missed**")} |");
        Console.WriteLine();
        Console.WriteLine("Ratios: the fan-out's rows per second against the bare insert of the same rows; its mails per second against one SMTP client sending them with no database.");
        foreach (var note in notes)
        {
            Console.WriteLine($"- {note}");
        }
    }

    /// <summary>
    /// With SPORTELLO_BENCH_MARKS=1, prints when a phase starts, in CLOCK_MONOTONIC seconds (Stopwatch's clock on
    /// Linux), so a <c>perf record -k CLOCK_MONOTONIC</c> of the run can be cut by phase (<c>perf report --time a,b</c>).
    /// </summary>
    private static void Mark(string phase)
    {
        if (Environment.GetEnvironmentVariable("SPORTELLO_BENCH_MARKS") == "1")
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# mark {(double)Stopwatch.GetTimestamp() / Stopwatch.Frequency:0.000000} {phase}"));
        }
    }

    private static string S(double value) => double.IsNaN(value) ? "–" : value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string LoadAverage()
    {
        try
        {
            return string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static int MinThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        return workers;
    }

    private static bool IsPostgres(BenchHost host)
    {
        using var scope = host.Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<SportelloDb>().Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
    }

    /// <summary>A maintenance starting in two hours (so no reminder follows: the announcement is the reminder).</summary>
    private static object Request(string title, string[]? orderNumbers)
    {
        var startsAt = DateTime.UtcNow.AddHours(2);
        return new
        {
            kind = NoticeKinds.Maintenance,
            title = new { en = title, it = title == "Warm-up" ? "Prova" : "Aggiornamento della rete a Milano" },
            body = new
            {
                en = "We are replacing the core switches of the Milan data centre. Your services may lose connectivity for up to 15 minutes within the window; " +
                    "no data is affected and nothing needs doing on your side.",
                it = "Sostituiamo gli switch principali del data centre di Milano. I vostri servizi potrebbero perdere la connettività per al massimo 15 minuti " +
                    "durante la finestra; i dati non sono coinvolti e non dovete fare nulla.",
            },
            startsAt = startsAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            endsAt = startsAt.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            affects = orderNumbers is null ? (object)new { locations = new[] { Location } } : new { orderNumbers },
        };
    }

    private static async Task<Published> PublishAsync(HttpClient admin, object request)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/admin/notices", request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Publishing answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return (await response.Content.ReadFromJsonAsync<Published>())!;
    }

    /// <summary>Polls until <paramref name="expected"/> mails have reached the sink; false on timeout.</summary>
    private static async Task<bool> WaitAsync(
        BenchHost host, Guid noticeId, SmtpSink sink, long sinkBefore, int expected, TimeSpan timeout, List<Progress> progress, Action<Progress> seen)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            Progress now;
            await using (var scope = host.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
                var resolvedAt = await db.Notices.TagWith(NoticeProfile.BenchTag).Where(n => n.Id == noticeId).Select(n => n.ResolvedAt).SingleAsync();
                var update = await db.NoticeUpdates.TagWith(NoticeProfile.BenchTag).Where(u => u.NoticeId == noticeId && u.Opening)
                    .Select(u => new { u.Notified, u.DeliveredAt, u.MailedAt }).SingleAsync();
                now = new Progress(Stopwatch.GetTimestamp(), resolvedAt is not null, update.Notified, update.DeliveredAt is not null, update.MailedAt is not null,
                    sink.Count - sinkBefore);
            }
            progress.Add(now);
            seen(now);
            if (now.Mails >= expected)
            {
                return true;
            }
            await Task.Delay(PollEvery);
        }
        return false;
    }

    private static async Task WaitOutboxEmptyAsync(BenchHost host)
    {
        for (var i = 0; i < 600; i++)
        {
            await using var scope = host.Services.CreateAsyncScope();
            if (!await scope.ServiceProvider.GetRequiredService<SportelloDb>().OutboxMessages.TagWith(NoticeProfile.BenchTag)
                .AnyAsync(m => m.State == OutboxStates.Pending && m.NextAttemptAt < FarFuture))
            {
                return;
            }
            await Task.Delay(100);
        }
    }

    private sealed record Check(int Recipients, string Line);

    /// <summary>Counts what the fan-out wrote, and its own times (the database's view, without the poll's 50 ms steps).</summary>
    private static async Task<Check> CheckAsync(BenchHost host, Guid noticeId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var notice = await db.Notices.TagWith(NoticeProfile.BenchTag).AsNoTracking().SingleAsync(n => n.Id == noticeId);
        var update = await db.NoticeUpdates.TagWith(NoticeProfile.BenchTag).AsNoTracking().SingleAsync(u => u.NoticeId == noticeId && u.Opening);
        var recipients = await db.NoticeRecipients.TagWith(NoticeProfile.BenchTag).CountAsync(r => r.NoticeId == noticeId);
        var inbox = await db.Notifications.TagWith(NoticeProfile.BenchTag).CountAsync(n => n.NoticeId == noticeId);
        // From the inbox rows to their mails by the outbox's key (Notifications has no index on MailId: the other way round is quadratic).
        var mails = db.Notifications.TagWith(NoticeProfile.BenchTag).Where(n => n.NoticeId == noticeId)
            .Join(db.OutboxMessages, n => n.MailId, m => (Guid?)m.Id, (n, m) => m);
        var states = await mails.GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync();
        var sent = await mails.Where(m => m.SentAt != null).GroupBy(_ => 1).Select(g => new { First = g.Min(m => m.SentAt), Last = g.Max(m => m.SentAt) }).SingleOrDefaultAsync();
        string After(DateTime? at) => at is { } t ? $"{(t - notice.CreatedAt).TotalSeconds:0.00} s" : "–";
        return new Check(recipients, $"written: {recipients:N0} recipients, {inbox:N0} inbox rows, outbox mails by state {string.Join(", ", states.Select(s => $"{s.Key} {s.Count:N0}"))}; " +
            $"the database's own times after the notice's CreatedAt: recipients resolved (ResolvedAt) {After(notice.ResolvedAt)}, all delivered to the inbox (DeliveredAt) {After(update.DeliveredAt)}, all mails in the outbox (MailedAt) {After(update.MailedAt)}, " +
            $"first mail sent (SentAt) {After(sent?.First)}, last {After(sent?.Last)}");
    }

    /// <summary>About ten lines of what the poll saw, to show what runs at the same time as what.</summary>
    private static IEnumerable<string> Timeline(List<Progress> progress, long start, int customers)
    {
        if (progress.Count == 0)
        {
            yield break;
        }
        var total = Stopwatch.GetElapsedTime(start, progress[^1].At).TotalSeconds;
        var step = Math.Max(1, total / 10);
        var next = 0.0;
        var lines = new List<string>();
        Progress? previous = null;
        foreach (var p in progress)
        {
            var t = Stopwatch.GetElapsedTime(start, p.At).TotalSeconds;
            if (t >= next || p == progress[^1])
            {
                var rows = previous is null ? 0 : (p.Notified - previous.Notified) / Math.Max(1e-9, Stopwatch.GetElapsedTime(previous.At, p.At).TotalSeconds);
                var mails = previous is null ? 0 : (p.Mails - previous.Mails) / Math.Max(1e-9, Stopwatch.GetElapsedTime(previous.At, p.At).TotalSeconds);
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{t,6:0.0} s: recipients {(p.Resolved ? "resolved" : "resolving")}, {p.Notified,7:N0} inbox rows ({rows:N0}/s), {p.Mails,7:N0} mails at the sink ({mails:N0}/s)"));
                previous = p;
                next = t + step;
            }
        }
        yield return $"timeline after publishing (rates since the line before), {customers:N0} customers: " + string.Join("; ", lines);
    }

    private static async Task AnalyzeAsync(BenchHost host)
    {
        if (IsPostgres(host))
        {
            // What autovacuum would have done within a minute of the seed: statistics for the planner.
            await using var scope = host.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<SportelloDb>().Database.ExecuteSqlRawAsync("ANALYZE");
        }
    }

    /// <summary>Customers straight into the tables: user, customer role, one service each, 10,000 per transaction.</summary>
    private static async Task<List<Customer>> SeedCustomersAsync(BenchHost host, int count)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var hash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>().HashPassword(new User(), Password);
        var now = DateTime.UtcNow;
        var customerRole = Guid.Parse(Roles.CustomerRoleId);
        var list = new List<Customer>(count);
        const int Chunk = 10_000;
        for (var done = 0; done < count; done += Chunk)
        {
            var users = new List<User>();
            var roles = new List<IdentityUserRole<Guid>>();
            var services = new List<Service>();
            for (var i = done; i < Math.Min(count, done + Chunk); i++)
            {
                var email = $"bench{i}@example.com";
                var user = new User
                {
                    Id = Guid.CreateVersion7(),
                    UserName = email,
                    NormalizedUserName = email.ToUpperInvariant(),
                    Email = email,
                    NormalizedEmail = email.ToUpperInvariant(),
                    EmailConfirmed = true,
                    PasswordHash = hash,
                    SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(),
                    ConcurrencyStamp = Guid.NewGuid().ToString(),
                    LockoutEnabled = true,
                    Name = $"Bench Customer {i}",
                    Country = "IT",
                    Language = i % 4 == 3 ? Languages.Italian : Languages.English,
                    TimeZone = i % 5 == 4 ? "Europe/London" : "Europe/Rome",
                    CreatedAt = now,
                };
                var orderNumber = (100_000 + i).ToString(CultureInfo.InvariantCulture);
                var service = new Service
                {
                    Id = Guid.CreateVersion7(), CustomerId = user.Id, Name = $"VPS #{orderNumber}", Product = "VPS", Location = Location,
                    OrderNumber = orderNumber, CreatedAt = now,
                };
                users.Add(user);
                roles.Add(new IdentityUserRole<Guid> { UserId = user.Id, RoleId = customerRole });
                services.Add(service);
                list.Add(new Customer(user.Id, email, user.Name, user.Language, user.TimeZone, service.Id, service.Name));
            }
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.InsertAsync(db, users);
            await BulkInsert.InsertAsync(db, roles);
            await BulkInsert.InsertAsync(db, services);
            await transaction.CommitAsync();
        }
        // The rows must read back through EF as EF writes them (a GUID stored as text or blob would not match).
        var last = list[^1];
        if (await db.Services.TagWith(NoticeProfile.BenchTag).CountAsync(s => s.CustomerId == last.Id && s.Location == Location) != 1
            || await Customers.Query(db).TagWith(NoticeProfile.BenchTag).CountAsync(u => u.Id == last.Id && u.Email == last.Email) != 1)
        {
            throw new InvalidOperationException("The seeded customers do not read back through EF.");
        }
        return list;
    }

    private sealed record Template(Notification Row, OutboxMessage Mail);

    /// <summary>
    /// Composes what the fan-out composes for each recipient, as NoticeFanOut.DeliverAsync's loop does, for the first
    /// <paramref name="sample"/> customers: the time per recipient, and one composed row and mail per language as
    /// the bare insert's templates.
    /// </summary>
    private static async Task<(Dictionary<string, Template> Templates, double Micros, double CpuMicros, double WordsMicros)> ComposeAsync(BenchHost host, List<Customer> people, int sample)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var outbox = scope.ServiceProvider.GetRequiredService<Outbox>();
        var startsAt = DateTime.UtcNow.AddHours(2);
        var notice = new Notice
        {
            Kind = NoticeKinds.Maintenance, TitleEn = "Network upgrade in Milan", TitleIt = "Aggiornamento della rete a Milano",
            BodyEn = "We are replacing the core switches of the Milan data centre. Your services may lose connectivity for up to 15 minutes within the window; no data is affected and nothing needs doing on your side.",
            BodyIt = "Sostituiamo gli switch principali del data centre di Milano. I vostri servizi potrebbero perdere la connettività per al massimo 15 minuti durante la finestra; i dati non sono coinvolti e non dovete fare nulla.",
            StartsAt = startsAt, EndsAt = startsAt.AddHours(2), Status = NoticeStatuses.Scheduled, Locations = [Location], CreatedAt = DateTime.UtcNow,
        };
        var update = new NoticeUpdate
        {
            NoticeId = notice.Id, Status = notice.Status, Opening = true, BodyEn = notice.BodyEn, BodyIt = notice.BodyIt,
            StartsAt = notice.StartsAt, EndsAt = notice.EndsAt, CreatedAt = notice.CreatedAt,
        };
        var templates = new Dictionary<string, Template>
        {
            ["en"] = await ComposeOneAsync(outbox, notice, update, people.First(p => p.Language == Languages.English)),
            ["it"] = await ComposeOneAsync(outbox, notice, update, people.FirstOrDefault(p => p.Language == Languages.Italian) ?? people[0]),
        };
        // Until the JIT has optimised it (tier 1): 2,000 calls, a pause for the background compiler, then rounds, of
        // which the fastest counts (the process's CPU per round includes the JIT's and the GC's threads).
        for (var i = 0; i < 2000; i++)
        {
            await ComposeOneAsync(outbox, notice, update, people[i % people.Count], mime: i % 2 == 0);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        async Task<(double Wall, double Cpu)> RoundAsync(bool mime)
        {
            var best = (Wall: double.MaxValue, Cpu: double.MaxValue);
            var round = Math.Max(1, sample / 5);
            for (var r = 0; r < 5; r++)
            {
                var watch = Stopwatch.StartNew();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < round; i++)
                {
                    await ComposeOneAsync(outbox, notice, update, people[((r * round) + i) % people.Count], mime);
                }
                var wall = watch.Elapsed.TotalMicroseconds / round;
                if (wall < best.Wall)
                {
                    best = (wall, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / round);
                }
            }
            return best;
        }
        var words = await RoundAsync(mime: false);
        var all = await RoundAsync(mime: true);
        return (templates, all.Wall, all.Cpu, words.Wall);
    }

    /// <summary>NoticeFanOut.DeliverAsync's loop body for one recipient (Sportello 8901263), without the database.</summary>
    private static Task<Template> ComposeOneAsync(Outbox outbox, Notice notice, NoticeUpdate update, Customer person, bool mime = true)
    {
        var now = DateTime.UtcNow;
        var language = person.Language == "it" ? "it" : "en";
        var affected = new List<NotificationService> { new(person.ServiceId, person.ServiceName) };
        return Outbox.InLanguage(language, async () =>
        {
            string T(string english, object[] values) => outbox.T(english, values);
            var title = NoticeWords.Title(T, notice, update, language);
            var body = NoticeWords.Body(T, notice, update, language, person.TimeZone);
            var row = new Notification
            {
                UserId = person.Id, Kind = notice.Kind, Title = title.Length > PublishNotice.MaxTitle ? title[..PublishNotice.MaxTitle] : title,
                Body = body, CreatedAt = now, NoticeId = notice.Id, NoticeUpdateId = update.Id,
                Services = JsonSerializer.Serialize(affected, Json),
            };
            var to = new Recipient(person.Email, person.Name, language, person.TimeZone);
            var paragraphs = new List<string> { outbox.T("Hello {0},", person.Name), body };
            if (affected.Count > 0)
            {
                paragraphs.Add(outbox.T("Your services affected: {0}.", string.Join(", ", affected.Select(s => s.Name))));
            }
            paragraphs.Add(outbox.T("The Sportello support team"));
            if (!mime)
            {
                // The stage timing's split: everything but Outbox.ComposeAsync (the MIME message).
                return new Template(row, new OutboxMessage { Subject = string.Join("", paragraphs) });
            }
            var composed = await outbox.ComposeAsync(new OutgoingMail(MailKinds.ServiceNotice, to, title, paragraphs,
                $"notice:{update.Id:N}", Link: $"{outbox.PublicUrl}/notifications", LinkText: outbox.T("Your notifications")));
            row.MailId = composed.Id;
            return new Template(row, composed);
        });
    }

    /// <summary>
    /// The baseline: the fan-out's rows without the fan-out, built beforehand from the composed templates (same
    /// sizes, each with its customer, service list, address and a unique Message-ID), inserted the plain EF way, a
    /// batch of inbox rows and mails per transaction as the fan-out writes them; with <paramref name="plain"/>, as
    /// multi-row INSERTs (<see cref="BulkInsert"/>, no change tracking) in the same transactions. The mails are due in
    /// 2100, so the outbox leaves them alone; they are deleted afterwards.
    /// </summary>
    private static async Task BareInsertAsync(BenchHost host, List<Customer> people, Dictionary<string, Template> templates, int batch, bool plain = false)
    {
        var now = DateTime.UtcNow;
        var rows = new List<(Notification Row, OutboxMessage Mail)>(people.Count);
        foreach (var person in people)
        {
            var template = templates[person.Language == "it" ? "it" : "en"];
            var mailId = Guid.CreateVersion7();
            rows.Add((new Notification
            {
                UserId = person.Id, Kind = template.Row.Kind, Title = template.Row.Title, Body = template.Row.Body, CreatedAt = now,
                Services = JsonSerializer.Serialize(new[] { new NotificationService(person.ServiceId, person.ServiceName) }, Json), MailId = mailId,
            }, new OutboxMessage
            {
                Id = mailId, MessageId = $"bare.{mailId:N}@{Defaults.Domain}", Kind = MailKinds.ServiceNotice, ToAddress = person.Email,
                Subject = template.Mail.Subject, Mime = template.Mail.Mime, CreatedAt = now, NextAttemptAt = FarFuture,
            }));
        }
        for (var done = 0; done < rows.Count; done += batch)
        {
            var slice = rows.GetRange(done, Math.Min(batch, rows.Count - done));
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (plain)
            {
                await BulkInsert.InsertAsync(db, slice.Select(r => r.Row).ToList());
                await BulkInsert.InsertAsync(db, slice.Select(r => r.Mail).ToList());
            }
            else
            {
                db.Notifications.AddRange(slice.Select(r => r.Row));
                db.OutboxMessages.AddRange(slice.Select(r => r.Mail));
                await db.SaveChangesAsync();
            }
            await transaction.CommitAsync();
        }
    }

    private static async Task DeleteBareAsync(BenchHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        await db.Notifications.TagWith(NoticeProfile.BenchTag).Where(n => n.NoticeId == null).ExecuteDeleteAsync();
        await db.OutboxMessages.TagWith(NoticeProfile.BenchTag).Where(m => m.NextAttemptAt >= FarFuture).ExecuteDeleteAsync();
        if (IsPostgres(host))
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE \"Notifications\", \"OutboxMessages\"");
        }
    }

    /// <summary>One client, one connection, the mails back to back: each parsed from its bytes, as the outbox sends it.</summary>
    private static async Task<double> SmtpBaselineAsync(SmtpSink sink, byte[] mime, int count)
    {
        using var client = new SmtpClient { LocalDomain = "bench.example" };
        await client.ConnectAsync("127.0.0.1", sink.Port, SecureSocketOptions.None);
        async Task SendAsync(int i)
        {
            using var stream = new MemoryStream(mime, writable: false);
            var message = await MimeMessage.LoadAsync(stream);
            await client.SendAsync(message, new MailboxAddress("", $"bounces+{i}@{Defaults.Domain}"), [new MailboxAddress("", $"bench{i}@example.com")]);
        }
        for (var i = 0; i < 200; i++)
        {
            await SendAsync(i);
        }
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            await SendAsync(i);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        await client.DisconnectAsync(quit: true);
        return seconds;
    }

    /// <summary>
    /// Agents reading the first page of the Desk queue at a steady pace (an open load: a slow answer does not slow the
    /// next request's schedule; an agent behind schedule asks at once), so the probe's own load is the same in every window.
    /// </summary>
    private sealed class DeskProbe
    {
        public sealed record Window(string Name, int Count, double P50, double P95, double P99, double Max, int Errors, double Queued, long MaxQueued, int MaxThreads);

        private readonly ConcurrentQueue<(long At, double Ms, bool Ok)> samples = new();
        private readonly ConcurrentQueue<(long At, int Threads, long Queued)> pool = new();
        private readonly CancellationTokenSource stop = new();
        private Task running = Task.CompletedTask;

        public static DeskProbe Start(HttpClient agent, int agents, TimeSpan interval)
        {
            var probe = new DeskProbe();
            var start = Stopwatch.GetTimestamp();
            probe.running = Task.WhenAll(Enumerable.Range(0, agents).Select(worker => Task.Run(() => probe.AgentAsync(agent, start, worker, agents, interval)))
                .Append(Task.Factory.StartNew(probe.WatchPool, TaskCreationOptions.LongRunning)));
            return probe;
        }

        // Sportello runs in this process: its thread pool, every 20 ms, on a thread of its own (so a starved pool
        // cannot delay the reading).
        private void WatchPool()
        {
            while (!stop.IsCancellationRequested)
            {
                pool.Enqueue((Stopwatch.GetTimestamp(), ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount));
                Thread.Sleep(20);
            }
        }

        private async Task AgentAsync(HttpClient agent, long start, int worker, int agents, TimeSpan interval)
        {
            for (var k = 0L; !stop.IsCancellationRequested; k++)
            {
                var due = interval * k + interval * worker / agents;
                var now = Stopwatch.GetElapsedTime(start);
                try
                {
                    if (due > now)
                    {
                        await Task.Delay(due - now, stop.Token);
                    }
                    var sent = Stopwatch.GetTimestamp();
                    using var response = await agent.GetAsync("/api/v1/desk/queue", stop.Token);
                    samples.Enqueue((sent, Stopwatch.GetElapsedTime(sent).TotalMilliseconds, response.IsSuccessStatusCode));
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    samples.Enqueue((Stopwatch.GetTimestamp(), double.NaN, false));
                }
            }
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await running;
        }

        /// <summary>The requests sent between <paramref name="from"/> and <paramref name="to"/>.</summary>
        public Window Stats(string name, long from, long to)
        {
            var mine = samples.Where(s => s.At >= from && s.At < to).ToList();
            var ms = mine.Where(s => !double.IsNaN(s.Ms)).Select(s => s.Ms).Order().ToArray();
            var threads = pool.Where(s => s.At >= from && s.At < to).ToList();
            return new Window(name, mine.Count, P(ms, 0.5), P(ms, 0.95), P(ms, 0.99), ms.Length == 0 ? double.NaN : ms[^1], mine.Count(s => !s.Ok),
                threads.Count == 0 ? double.NaN : threads.Average(t => t.Queued), threads.Count == 0 ? 0 : threads.Max(t => t.Queued),
                threads.Count == 0 ? 0 : threads.Max(t => t.Threads));
        }

        private static double P(double[] sorted, double p) =>
            sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
