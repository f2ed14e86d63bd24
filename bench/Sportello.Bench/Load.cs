using System.Diagnostics;

namespace Sportello.Bench;

/// <summary>A closed-loop load: N workers send requests back to back for a fixed time; latencies in milliseconds.</summary>
public static class Load
{
    public sealed record Result(string Name, long Count, long Errors, double PerSecond, double P50, double P95, double P99)
    {
        /// <summary>
        /// For a scenario that queues mail: its count over the scenario's time plus the time the outbox then took to
        /// deliver the backlog. A rate that defers its mail past the scenario does not look faster than one that keeps up.
        /// </summary>
        public double? Delivered { get; init; }

        /// <summary>
        /// For a scenario that queues mail: the machine's CPU (every process: the node, its clients, PostgreSQL) from the
        /// scenario's start until its mail was delivered, in milliseconds of one core per request. What a ticket costs,
        /// less moved by a noisy neighbour than a rate.
        /// </summary>
        public double? CpuMsEach { get; init; }
    }

    public static async Task<Result> RunAsync(string name, int concurrency, TimeSpan duration, Func<int, Task<HttpResponseMessage>> request)
    {
        // Warm up JIT, pools and caches before measuring.
        for (var i = 0; i < concurrency; i++)
        {
            (await request(i)).Dispose();
        }
        var latencies = new List<double>[concurrency];
        var errors = 0L;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(100_000);
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await request(worker);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var result = new Result(name, all.Length, errors, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99));
        Console.WriteLine($"# {name}: {result.Count} in {elapsed:0.0} s");
        return result;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
