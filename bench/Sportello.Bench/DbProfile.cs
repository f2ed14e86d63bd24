using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Sportello.Bench;

/// <summary>
/// Where the database time of the mail pipeline goes, from EF Core's diagnostic events (Sportello is not changed):
/// for each writer — the group commit behind the SMTP 250, the intake worker, the outbox worker — how long BEGIN waited
/// (on SQLite: for the one write lock, BEGIN IMMEDIATE), how long each transaction then held it, and its commit.
/// A transaction is attributed by the stack at BEGIN; set SPORTELLO_BENCH_PROFILE=1 (it costs a stack walk per BEGIN),
/// and SPORTELLO_BENCH_PROFILE_SQL=1 to print each distinct autocommit UPDATE once.
/// </summary>
internal sealed class DbProfile : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private static readonly string Starting = RelationalEventId.TransactionStarting.Name!;
    private static readonly string Started = RelationalEventId.TransactionStarted.Name!;
    private static readonly string Committed = RelationalEventId.TransactionCommitted.Name!;
    private static readonly string RolledBack = RelationalEventId.TransactionRolledBack.Name!;
    private static readonly string Executed = RelationalEventId.CommandExecuted.Name!;

    private sealed class Open(string who)
    {
        public string Who { get; } = who;
        public double BeginMs { get; set; }
        public long StartedAt { get; set; }
        public int Statements { get; set; }
        public double StatementMs { get; set; }
    }

    private sealed record Closed(string Who, double BeginMs, double HoldMs, double CommitMs, int Statements, double StatementMs);

    private readonly ConcurrentDictionary<Guid, Open> open = new();
    private readonly ConcurrentDictionary<DbTransaction, Open> byTransaction = new();
    private readonly ConcurrentQueue<Closed> closed = new();
    private readonly ConcurrentQueue<(string What, double Ms)> autocommit = new();
    private readonly List<IDisposable> subscriptions = [];
    private readonly ConcurrentDictionary<string, bool> seen = new();
    private long since = Stopwatch.GetTimestamp();

    private DbProfile()
    {
        subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public static DbProfile? FromEnvironment() =>
        Environment.GetEnvironmentVariable("SPORTELLO_BENCH_PROFILE") == "1" ? new DbProfile() : null;

    public void Reset()
    {
        closed.Clear();
        autocommit.Clear();
        since = Stopwatch.GetTimestamp();
    }

    /// <summary>One line per writer since the last reset.</summary>
    public IEnumerable<string> Report()
    {
        var wall = Stopwatch.GetElapsedTime(since).TotalMilliseconds;
        foreach (var group in closed.ToArray().GroupBy(c => c.Who).OrderBy(g => g.Key))
        {
            var begin = group.Select(c => c.BeginMs).Order().ToArray();
            var hold = group.Select(c => c.HoldMs).Order().ToArray();
            var commit = group.Select(c => c.CommitMs).Order().ToArray();
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{group.Key}: {group.Count():N0} transactions ({group.Count() / wall * 1000:N0}/s); BEGIN waited mean {begin.Average():0.0} ms, p99 {P(begin, 0.99):0.0} ms " +
                $"(in all {begin.Sum() / wall:0.00} of the wall time); held mean {hold.Average():0.0} ms, p99 {P(hold, 0.99):0.0} ms " +
                $"(in all {hold.Sum() / wall:0.00} of the wall time), of which {group.Average(c => c.Statements):0.0} statements took {group.Average(c => c.StatementMs):0.0} ms " +
                $"and the commit {commit.Average():0.0} ms");
        }
        foreach (var group in autocommit.ToArray().GroupBy(c => c.What).OrderBy(g => g.Key))
        {
            var ms = group.Select(c => c.Ms).Order().ToArray();
            yield return string.Create(CultureInfo.InvariantCulture,
                $"{group.Key}: {ms.Length:N0} statements, mean {ms.Average():0.0} ms, p99 {P(ms, 0.99):0.0} ms (in all {ms.Sum() / wall:0.00} of the wall time)");
        }
    }

    private static double P(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (subscriptions)
            {
                subscriptions.Add(value.Subscribe(this, name => name == Starting || name == Started || name == Committed || name == RolledBack || name == Executed));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == Starting && value.Value is TransactionStartingEventData starting)
        {
            open[starting.TransactionId] = new Open(Classify(new StackTrace(false)));
        }
        else if (value.Key == Started && value.Value is TransactionEndEventData started && open.TryGetValue(started.TransactionId, out var begun))
        {
            begun.BeginMs = started.Duration.TotalMilliseconds;
            begun.StartedAt = Stopwatch.GetTimestamp();
            byTransaction[started.Transaction] = begun;
        }
        else if ((value.Key == Committed || value.Key == RolledBack) && value.Value is TransactionEndEventData ended
            && open.TryRemove(ended.TransactionId, out var done) && done.StartedAt != 0)
        {
            byTransaction.TryRemove(ended.Transaction, out _);
            closed.Enqueue(new Closed(done.Who, done.BeginMs, Stopwatch.GetElapsedTime(done.StartedAt).TotalMilliseconds, ended.Duration.TotalMilliseconds,
                done.Statements, done.StatementMs));
        }
        else if (value.Key == Executed && value.Value is CommandExecutedEventData inTransaction && inTransaction.Command.Transaction is { } transaction
            && byTransaction.TryGetValue(transaction, out var holder))
        {
            // Statements run one at a time within a transaction (one connection), so this needs no lock.
            holder.Statements++;
            holder.StatementMs += inTransaction.Duration.TotalMilliseconds;
        }
        else if (value.Key == Executed && value.Value is CommandExecutedEventData command && command.Command.Transaction is null
            && command.Command.CommandText.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase))
        {
            var text = command.Command.CommandText;
            // A one-row SaveChanges runs without a transaction, like the claims (ExecuteUpdate).
            var what = text.Contains("\"OutboxMessages\"", StringComparison.Ordinal)
                    ? text.Contains("\"Attempts\"", StringComparison.Ordinal) ? "outbox worker: the save after each delivery (UPDATE, autocommit)" : "outbox worker: claims, a batch's and the renewal before each delivery (UPDATE, autocommit)"
                : text.Contains("\"InboundMessages\"", StringComparison.Ordinal) ? "intake worker: claim of a batch (UPDATE, autocommit)"
                : "other UPDATE (autocommit)";
            autocommit.Enqueue((what, command.Duration.TotalMilliseconds));
            if (Environment.GetEnvironmentVariable("SPORTELLO_BENCH_PROFILE_SQL") == "1" && seen.TryAdd(text, true))
            {
                Console.WriteLine($"# SQL ({what}): {text.ReplaceLineEndings(" ")}");
            }
        }
    }

    private static string Classify(StackTrace stack)
    {
        foreach (var frame in stack.GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            var name = (type?.DeclaringType ?? type)?.Name;
            switch (name)
            {
                case "GroupCommit":
                    return "group commit (the SMTP store before its 250)";
                case "IntakeWorker":
                    return "intake worker (a batch of mail into tickets)";
                case "OutboxWorker":
                    return "outbox worker";
                case "MailBench" or "BenchHost":
                    return "bench";
            }
        }
        return "unattributed";
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
