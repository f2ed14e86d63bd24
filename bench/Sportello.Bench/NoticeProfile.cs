using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Sportello.Bench;

/// <summary>
/// Where the database time of a notice's fan-out goes, from EF Core's diagnostic events (Sportello is not changed):
/// every statement, classed by its SQL (the fan-out's reads and writes, the outbox worker's claims and saves, the
/// Desk's reads, the bench's own polling), with its count and time; every transaction, classed by what it wrote, with
/// how long BEGIN waited (on SQLite: for the one write lock), how long it was held and its commit.
/// A statement is classed by its text, not by the stack: after an await the caller is no longer on it.
/// Set SPORTELLO_BENCH_PROFILE=1; SPORTELLO_BENCH_PROFILE_SQL=1 also prints one example of each class's SQL.
/// </summary>
internal sealed class NoticeProfile : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    /// <summary>The tag (EF <c>TagWith</c>) of the bench's own queries, so they are not taken for Sportello's.</summary>
    public const string BenchTag = "sportello-bench";

    private static readonly string Started = RelationalEventId.TransactionStarted.Name!;
    private static readonly string Committed = RelationalEventId.TransactionCommitted.Name!;
    private static readonly string RolledBack = RelationalEventId.TransactionRolledBack.Name!;
    private static readonly string Executed = RelationalEventId.CommandExecuted.Name!;

    private sealed class Open
    {
        public double BeginMs { get; init; }
        public long StartedAt { get; init; }
        public int Statements { get; set; }
        public double StatementMs { get; set; }
        public string? Writes { get; set; }
    }

    private readonly ConcurrentDictionary<DbTransaction, Open> open = new();
    private readonly ConcurrentQueue<(string Class, double Ms)> statements = new();
    private readonly ConcurrentQueue<(string Class, double BeginMs, double HoldMs, double CommitMs, int Statements, double StatementMs, long At)> transactions = new();
    private readonly ConcurrentDictionary<string, bool> printed = new();
    private readonly List<IDisposable> subscriptions = [];
    private readonly bool printSql = Environment.GetEnvironmentVariable("SPORTELLO_BENCH_PROFILE_SQL") == "1";
    private long since = Stopwatch.GetTimestamp();

    private NoticeProfile()
    {
        subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public static NoticeProfile? FromEnvironment() =>
        Environment.GetEnvironmentVariable("SPORTELLO_BENCH_PROFILE") == "1" ? new NoticeProfile() : null;

    public void Reset()
    {
        statements.Clear();
        transactions.Clear();
        since = Stopwatch.GetTimestamp();
    }

    /// <summary>One line per class of statement and of transaction since the last reset, the busiest first.</summary>
    public IEnumerable<string> Report()
    {
        var wall = Stopwatch.GetElapsedTime(since).TotalMilliseconds;
        yield return string.Create(CultureInfo.InvariantCulture, $"over {wall / 1000:0.0} s; statements (time to execute, as EF reports it):");
        foreach (var group in statements.ToArray().GroupBy(s => s.Class).OrderByDescending(g => g.Sum(s => s.Ms)))
        {
            var ms = group.Select(s => s.Ms).Order().ToArray();
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {group.Key}: {ms.Length:N0}, {ms.Sum() / 1000:0.00} s in all ({ms.Sum() / wall:0.00} of the wall time), mean {ms.Average():0.00} ms, p99 {P(ms, 0.99):0.0} ms, max {ms[^1]:0.0} ms");
        }
        yield return "transactions (BEGIN's wait, then held from BEGIN to the end of COMMIT):";
        foreach (var group in transactions.ToArray().GroupBy(t => t.Class).OrderByDescending(g => g.Sum(t => t.HoldMs)))
        {
            var begin = group.Select(t => t.BeginMs).Order().ToArray();
            var hold = group.Select(t => t.HoldMs).Order().ToArray();
            var at = group.Select(t => t.At).Order().ToArray();
            var every = at.Length < 2 ? double.NaN : Stopwatch.GetElapsedTime(at[0], at[^1]).TotalMilliseconds / (at.Length - 1);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {group.Key}: {group.Count():N0}, one committed every {every:0.0} ms; BEGIN waited mean {begin.Average():0.0} ms, p99 {P(begin, 0.99):0.0} ms " +
                $"({begin.Sum() / wall:0.00} of the wall time); held mean {hold.Average():0.0} ms, p99 {P(hold, 0.99):0.0} ms ({hold.Sum() / wall:0.00} of the wall time), " +
                $"of which {group.Average(t => t.Statements):0.0} statements {group.Average(t => t.StatementMs):0.0} ms and COMMIT {group.Average(t => t.CommitMs):0.0} ms");
        }
    }

    private static double P(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (subscriptions)
            {
                subscriptions.Add(value.Subscribe(this, name => name == Started || name == Committed || name == RolledBack || name == Executed));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == Executed && value.Value is CommandExecutedEventData executed)
        {
            var text = executed.Command.CommandText;
            var kind = Classify(text);
            statements.Enqueue((kind, executed.Duration.TotalMilliseconds));
            // Up to three different texts per class (the warm-up's notice names a service; the measured one a location).
            if (printSql && printed.Count(p => p.Key.StartsWith(kind + "\n", StringComparison.Ordinal)) < 3 && printed.TryAdd(kind + "\n" + text, true))
            {
                var shown = text.ReplaceLineEndings(" ");
                Console.WriteLine($"# SQL ({kind}): {(shown.Length > 600 ? shown[..600] + " …" : shown)}");
            }
            if (executed.Command.Transaction is { } transaction && open.TryGetValue(transaction, out var holder))
            {
                // Statements run one at a time within a transaction (one connection), so this needs no lock.
                holder.Statements++;
                holder.StatementMs += executed.Duration.TotalMilliseconds;
                if (holder.Writes is null && !text.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
                {
                    holder.Writes = kind;
                }
            }
        }
        else if (value.Key == Started && value.Value is TransactionEndEventData started)
        {
            open[started.Transaction] = new Open { BeginMs = started.Duration.TotalMilliseconds, StartedAt = Stopwatch.GetTimestamp() };
        }
        else if ((value.Key == Committed || value.Key == RolledBack) && value.Value is TransactionEndEventData ended
            && open.TryRemove(ended.Transaction, out var done))
        {
            var kind = done.Writes switch
            {
                null => "read-only transaction",
                { } w when w.StartsWith("fan-out resolve", StringComparison.Ordinal) => "fan-out: a batch of recipients (NoticeRecipients + cursor)",
                { } w when w.StartsWith("fan-out deliver", StringComparison.Ordinal) => "fan-out: a batch of inbox rows and mails (Notifications + OutboxMessages + cursor)",
                { } w when w.StartsWith("bench", StringComparison.Ordinal) => "bench",
                { } w => "other, first writing " + w,
            } + (value.Key == RolledBack ? " (rolled back)" : "");
            transactions.Enqueue((kind, done.BeginMs, Stopwatch.GetElapsedTime(done.StartedAt).TotalMilliseconds, ended.Duration.TotalMilliseconds,
                done.Statements, done.StatementMs, Stopwatch.GetTimestamp()));
        }
    }

    private static string Classify(string sql)
    {
        bool Has(string table) => sql.Contains(table, StringComparison.Ordinal);
        var verb = sql.TrimStart().Split(' ', '\n', '\r', '\t', '(').FirstOrDefault()?.ToUpperInvariant() ?? "";
        if (sql.Contains(BenchTag, StringComparison.Ordinal))
        {
            return "bench: its own polling and checks";
        }
        if (Has("\"Tickets\""))
        {
            return "Desk queue: read (Tickets)";
        }
        if (Has("\"ApiTokens\""))
        {
            return "API token authentication";
        }
        if (Has("\"OutboxMessages\"") && !Has("\"Notifications\""))
        {
            return verb switch
            {
                "UPDATE" when Has("\"Attempts\"") => "outbox worker: the save after each delivery (UPDATE one row)",
                "UPDATE" => "outbox worker: claim of a batch (UPDATE)",
                "SELECT" when sql.Contains("\"Mime\"", StringComparison.Ordinal) => "outbox worker: load the claimed batch (SELECT)",
                "SELECT" => "outbox worker: due mail (SELECT ids)",
                "INSERT" => "fan-out deliver: INSERT OutboxMessages",
                _ => "outbox: " + verb,
            };
        }
        return verb switch
        {
            "INSERT" when Has("\"NoticeRecipients\"") => "fan-out resolve: INSERT NoticeRecipients",
            "UPDATE" when Has("\"Notices\"") => "fan-out resolve: move the cursor (UPDATE Notices)",
            "INSERT" when Has("\"Notifications\"") && Has("\"OutboxMessages\"") => "fan-out deliver: INSERT Notifications + OutboxMessages (one batched command)",
            "INSERT" when Has("\"Notifications\"") => "fan-out deliver: INSERT Notifications",
            "UPDATE" when Has("\"NoticeUpdates\"") => "fan-out deliver: move the cursor (UPDATE NoticeUpdates)",
            "SELECT" when Has("\"NoticeRecipients\"") => "fan-out deliver: the batch's recipients (SELECT NoticeRecipients)",
            "SELECT" when Has("\"Services\"") && Has("DISTINCT") => "fan-out resolve (and publish's count): affected customers (SELECT DISTINCT Services)",
            "SELECT" when Has("\"Services\"") => "fan-out deliver: the batch's services (SELECT Services)",
            "SELECT" when Has("\"AspNetUsers\"") => "fan-out deliver: the batch's customers (SELECT AspNetUsers)",
            "SELECT" when Has("\"NoticeUpdates\"") || Has("\"Notices\"") => "fan-out: find work (SELECT Notices, NoticeUpdates)",
            _ => "other " + verb + " " + string.Join(",", Tables(sql).Distinct()),
        };
    }

    // The quoted names after FROM, JOIN, INTO and UPDATE: enough to tell an unexpected statement apart.
    private static IEnumerable<string> Tables(string sql)
    {
        var words = sql.Split([' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < words.Length; i++)
        {
            if (words[i].ToUpperInvariant() is "FROM" or "JOIN" or "INTO" or "UPDATE" && words[i + 1].StartsWith('"'))
            {
                yield return words[i + 1].Split('"', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            }
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    public void Dispose()
    {
        lock (subscriptions)
        {
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }
            subscriptions.Clear();
        }
    }
}
