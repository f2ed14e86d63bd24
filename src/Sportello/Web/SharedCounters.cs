using StackExchange.Redis;

namespace Sportello.Web;

/// <summary>
/// Fixed-window counters in Redis (when <c>Sportello:Redis</c> is set), so a rate limit holds across every node of a
/// cluster instead of per node. While Redis cannot be reached, <see cref="Count"/> answers null at once and each node
/// counts for itself again (a limit per node, never a refused request for want of Redis).
/// </summary>
public sealed class SharedCounters : IDisposable
{
    // One round trip: the count in the key's window, the window started by the first hit, and the time it has left.
    private static readonly LuaScript Hit = LuaScript.Prepare(
        "local c = redis.call('INCR', @key) if c == 1 then redis.call('PEXPIRE', @key, @window) end " +
        "return {c, redis.call('PTTL', @key)}");

    private readonly Lazy<ConnectionMultiplexer>? redis;
    private readonly ILogger<SharedCounters> logger;
    private long lastWarning;

    public SharedCounters(IConfiguration configuration, ILogger<SharedCounters> logger)
    {
        this.logger = logger;
        if (configuration["Sportello:Redis"] is not { Length: > 0 } endpoint)
        {
            return;
        }
        var options = ConfigurationOptions.Parse(endpoint);
        // Never wait for Redis at start, and never hold a request long for it: a limit counted per node is the fallback.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 500);
        redis = new Lazy<ConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options));
    }

    public bool Configured => redis is not null;

    /// <summary>Counts a hit on <paramref name="name"/>/<paramref name="key"/>: the hits in its window and the time the window has left; null when Redis is unavailable.</summary>
    public (long Hits, TimeSpan Left)? Count(string name, string key, TimeSpan window)
    {
        if (redis is null || !redis.Value.IsConnected)
        {
            return null;
        }
        try
        {
            var result = (RedisResult[])Hit.Evaluate(redis.Value.GetDatabase(), new
            {
                key = (RedisKey)$"sportello:limit:{name}:{key}",
                window = (long)window.TotalMilliseconds,
            })!;
            var left = (long)result[1];
            return ((long)result[0], left > 0 ? TimeSpan.FromMilliseconds(left) : window);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // At most one warning a minute: a Redis outage must not flood the log with a line per request.
            var now = Environment.TickCount64;
            if (now - Interlocked.Read(ref lastWarning) > 60_000)
            {
                Interlocked.Exchange(ref lastWarning, now);
                logger.LogWarning("Rate limits are counted per node: Redis is unavailable ({Reason})", ex.Message);
            }
            return null;
        }
    }

    public void Dispose()
    {
        if (redis is { IsValueCreated: true })
        {
            redis.Value.Dispose();
        }
    }
}
