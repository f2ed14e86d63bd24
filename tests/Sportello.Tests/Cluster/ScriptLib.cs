using System.Diagnostics;

namespace Sportello.Tests.Cluster;

/// <summary>
/// Runs the functions of scripts/lib/*.sh, so a test starts, stops and restarts its own PostgreSQL, Redis and HAProxy
/// exactly as scripts/test starts the shared ones.
/// </summary>
internal static class ScriptLib
{
    /// <summary>Sources each lib, runs <paramref name="commands"/> with <paramref name="variables"/> set, returns the <paramref name="outputs"/> variables.</summary>
    public static async Task<Dictionary<string, string>> RunAsync(string[] libs, string commands,
        IReadOnlyDictionary<string, string>? variables = null, params string[] outputs)
    {
        var script = string.Join('\n', libs.Select(l => $". \"{Path.Combine(Infrastructure.SportelloProcess.RepoRoot, "scripts", "lib", l + ".sh")}\""))
            + "\nset -e\n" + commands + "\n"
            + string.Concat(outputs.Select(o => $"printf '@@{o}=%s\\n' \"${o}\"\n"));
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/lib ({string.Join(", ", libs)}): '{commands}' failed ({process.ExitCode}): {await error}{await output}");
        }
        return (await output).Split('\n').Where(l => l.StartsWith("@@", StringComparison.Ordinal))
            .Select(l => l[2..].Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }
}

/// <summary>A PostgreSQL of the test's own (scripts/lib/postgres.sh), which it may stop and start without disturbing others.</summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("sportello-cluster-pg-").FullName;
    private Dictionary<string, string> state = [];

    public string ConnectionString => state["PG_CONNECTION"];

    public async Task StartAsync() =>
        state = await ScriptLib.RunAsync(["postgres"], $"pg_start '{work}'", null, "PG_BIN", "PG_DATA", "PG_PORT", "PG_CONNECTION");

    /// <summary>Stops at once (pg_ctl -m immediate): every connection drops, as in a crash or a failover.</summary>
    public Task StopAsync() => ScriptLib.RunAsync(["postgres"], "pg_stop", state);

    /// <summary>Starts it again on the same port and data.</summary>
    public Task StartAgainAsync() => ScriptLib.RunAsync(["postgres"], "pg_run", state);

    public async ValueTask DisposeAsync()
    {
        if (state.Count > 0)
        {
            await StopAsync();
        }
        Directory.Delete(work, recursive: true);
    }
}

/// <summary>A Redis of the test's own (scripts/lib/redis.sh), which it may stop and start again on the same port.</summary>
internal sealed class PrivateRedis : IAsyncDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("sportello-cluster-redis-").FullName;
    private Dictionary<string, string> state = [];

    public string Endpoint => $"127.0.0.1:{state["REDIS_PORT"]}";

    public async Task StartAsync() =>
        state = await ScriptLib.RunAsync(["redis"], $"redis_start '{work}' {(state.TryGetValue("REDIS_PORT", out var port) ? port : "")}", null, "REDIS_PORT", "REDIS_DIR");

    public async Task StopAsync()
    {
        await ScriptLib.RunAsync(["redis"], "redis_stop; while [ -n \"$(cat \"$REDIS_DIR/redis.pid\" 2>/dev/null)\" ] && kill -0 \"$(cat \"$REDIS_DIR/redis.pid\")\" 2>/dev/null; do sleep 0.1; done", state);
    }

    public async ValueTask DisposeAsync()
    {
        if (state.Count > 0)
        {
            await StopAsync();
        }
        Directory.Delete(work, recursive: true);
    }
}

/// <summary>HAProxy (scripts/lib/haproxy.sh, the configuration docs/deploy.md shows) in front of the nodes.</summary>
internal sealed class Balancer : IAsyncDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("sportello-cluster-haproxy-").FullName;
    private Dictionary<string, string> state = [];

    public static string Binary => Environment.GetEnvironmentVariable("SPORTELLO_TEST_HAPROXY")
        ?? throw new InvalidOperationException("SPORTELLO_TEST_HAPROXY (the haproxy binary) is not set: run the tests with scripts/test, which installs and checks it.");

    public Uri Address => new($"http://127.0.0.1:{state["HAPROXY_PORT"]}");

    public async Task StartAsync(IEnumerable<int> nodePorts) =>
        state = await ScriptLib.RunAsync(["haproxy"], $"haproxy_start '{work}' {string.Join(' ', nodePorts.Select(p => $"127.0.0.1:{p}"))}",
            new Dictionary<string, string> { ["HAPROXY_BIN"] = Binary }, "HAPROXY_PORT", "HAPROXY_DIR");

    public async ValueTask DisposeAsync()
    {
        if (state.Count > 0)
        {
            await ScriptLib.RunAsync(["haproxy"], "haproxy_stop", state);
        }
        Directory.Delete(work, recursive: true);
    }
}
