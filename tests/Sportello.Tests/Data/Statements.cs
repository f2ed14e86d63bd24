using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

/// <summary>What a node ran against its database while requests ran: the statements a plan test reads the plans of.</summary>
internal static class Statements
{
    /// <summary>EF's default (<c>DbContextOptionsBuilder.ConfigureLoggingCacheTime</c>); Sportello keeps it.</summary>
    private static readonly TimeSpan LoggingCacheTime = TimeSpan.FromSeconds(1);

    /// <summary>
    /// What <paramref name="capture"/> keeps of every command run while <paramref name="act"/> ran: it answers null for
    /// a command of another database (every test host in the process runs its commands past the same listener, on
    /// either database, so it must only look) and keeps what a plan needs of the others, parameters included, since the
    /// command is not to be touched once it ran. <paramref name="signedIn"/> is a client of the node, to wait for the
    /// listener to hear it, and <paramref name="probe"/> a path it may read that runs a command kept.
    /// </summary>
    public static async Task<List<T>> OfAsync<T>(HttpClient signedIn, Func<DbCommand, T?> capture, Func<Task> act, string probe = "/api/v1/tickets")
        where T : class
    {
        var seen = new ConcurrentQueue<T>();
        var heard = false;
        using var subscription = DiagnosticListener.AllListeners.Subscribe(new Listener(payload =>
        {
            if (payload is CommandExecutedEventData executed && capture(executed.Command) is { } kept)
            {
                Volatile.Write(ref heard, true);
                seen.Enqueue(kept);
            }
        }));
        var subscribed = Stopwatch.StartNew();
        // Each context instance remembers for LoggingCacheTime (a second) that nobody listened, pooled ones across
        // requests: until every instance has asked again, some commands go unheard. So a request at a time until this
        // listener hears the node, and no statement kept from before every instance asked again.
        await Eventually.TrueAsync(async () =>
        {
            (await signedIn.GetAsync(probe)).EnsureSuccessStatusCode();
            return Volatile.Read(ref heard);
        }, "the listener to hear the node's statements");
        var asked = LoggingCacheTime + TimeSpan.FromMilliseconds(200) - subscribed.Elapsed;
        if (asked > TimeSpan.Zero)
        {
            await Task.Delay(asked);
        }
        seen.Clear();
        await act();
        return [.. seen];
    }

    private sealed class Listener(Action<object?> executed) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                value.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name);
            }
        }

        public void OnNext(KeyValuePair<string, object?> value) => executed(value.Value);

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
