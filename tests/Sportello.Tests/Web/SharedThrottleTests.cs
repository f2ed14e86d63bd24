using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Sportello.Tests.Features.Chat;
using Sportello.Tests.Infrastructure;
using Sportello.Web;

namespace Sportello.Tests.Web;

/// <summary>A limit counted in Redis holds across nodes; without Redis each node counts for itself, at once.</summary>
public sealed class SharedThrottleTests
{
    private static IConfiguration Settings(string redis, string name) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Sportello:Redis"] = redis,
        [$"Sportello:RateLimits:{name}:PermitLimit"] = "3",
    }).Build();

    [Fact]
    public void TwoNodesOnOneRedis_ShareTheLimit_AndTheRefusalSaysHowLongTheWindowHasLeft()
    {
        var name = $"Shared{Unique.Next()}{Guid.NewGuid():N}";
        var configuration = Settings(ChatNode.Redis, name);
        using var counters = new SharedCounters(configuration, NullLogger<SharedCounters>.Instance);
        using var nodeA = new Throttle(configuration, name, 10, 60, counters);
        using var countersB = new SharedCounters(configuration, NullLogger<SharedCounters>.Instance);
        using var nodeB = new Throttle(configuration, name, 10, 60, countersB);

        Assert.Null(nodeA.TryAcquire("203.0.113.7"));
        Assert.Null(nodeB.TryAcquire("203.0.113.7"));
        Assert.Null(nodeA.TryAcquire("203.0.113.7"));
        var wait = nodeB.TryAcquire("203.0.113.7");
        Assert.NotNull(wait);
        Assert.InRange(wait.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        // Another address has its own count.
        Assert.Null(nodeB.TryAcquire("203.0.113.8"));
    }

    [Fact]
    public void RedisUnreachable_EachNodeCountsForItself_AndNoAttemptIsRefusedForWantOfRedis()
    {
        var name = $"Alone{Unique.Next()}";
        // Nothing listens on port 9 of loopback (discard is not served).
        var configuration = Settings("127.0.0.1:9", name);
        using var counters = new SharedCounters(configuration, NullLogger<SharedCounters>.Instance);
        using var node = new Throttle(configuration, name, 10, 60, counters);

        Assert.Null(node.TryAcquire("203.0.113.7"));
        Assert.Null(node.TryAcquire("203.0.113.7"));
        Assert.Null(node.TryAcquire("203.0.113.7"));
        Assert.NotNull(node.TryAcquire("203.0.113.7"));
    }
}
