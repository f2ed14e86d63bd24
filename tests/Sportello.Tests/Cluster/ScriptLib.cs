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

/// <summary>A service of the test's own, started in a temporary folder by a scripts/lib function, stopped at the end.</summary>
internal abstract class ScriptedService(string lib, string stop) : IAsyncDisposable
{
    protected string Work { get; } = Directory.CreateTempSubdirectory($"sportello-cluster-{lib}-").FullName;
    /// <summary>The variables its start function set (ports, folders), handed back to every later call.</summary>
    protected Dictionary<string, string> State { get; set; } = [];

    protected Task<Dictionary<string, string>> RunAsync(string commands, params string[] outputs) => ScriptLib.RunAsync([lib], commands, State, outputs);

    /// <summary>False between <see cref="StopAsync"/> and the next start: a test that failed midway left it so.</summary>
    public bool Running { get; protected set; }

    public async Task StopAsync()
    {
        Running = false;
        await RunAsync(stop);
    }

    public async ValueTask DisposeAsync()
    {
        if (State.Count > 0)
        {
            await StopAsync();
        }
        Directory.Delete(Work, recursive: true);
    }
}

/// <summary>A PostgreSQL of the test's own (scripts/lib/postgres.sh), which it may stop and start without disturbing others.</summary>
/// <remarks>Its stop is pg_ctl -m immediate: every connection drops, as in a crash or a failover.</remarks>
internal sealed class PrivatePostgres() : ScriptedService("postgres", "pg_stop")
{
    public string ConnectionString => State["PG_CONNECTION"];

    public async Task StartAsync()
    {
        State = await RunAsync($"pg_start '{Work}'", "PG_BIN", "PG_DATA", "PG_PORT", "PG_CONNECTION");
        Running = true;
    }

    /// <summary>Starts it again on the same port and data.</summary>
    public async Task StartAgainAsync()
    {
        await RunAsync("pg_run");
        Running = true;
    }
}

/// <summary>A Redis of the test's own (scripts/lib/redis.sh), which it may stop and start again on the same port.</summary>
/// <remarks>Its stop waits until the process is gone.</remarks>
internal sealed class PrivateRedis() : ScriptedService("redis",
    "redis_stop; while [ -n \"$(cat \"$REDIS_DIR/redis.pid\" 2>/dev/null)\" ] && kill -0 \"$(cat \"$REDIS_DIR/redis.pid\")\" 2>/dev/null; do sleep 0.1; done")
{
    public string Endpoint => $"127.0.0.1:{State["REDIS_PORT"]}";

    public async Task StartAsync()
    {
        State = await RunAsync($"redis_start '{Work}' {(State.TryGetValue("REDIS_PORT", out var port) ? port : "")}", "REDIS_PORT", "REDIS_DIR");
        Running = true;
    }
}

/// <summary>HAProxy (scripts/lib/haproxy.sh, the configuration docs/deploy.md shows) in front of the nodes.</summary>
internal sealed class Balancer() : ScriptedService("haproxy", "haproxy_stop")
{
    public static string Binary => Environment.GetEnvironmentVariable("SPORTELLO_TEST_HAPROXY")
        ?? throw new InvalidOperationException("SPORTELLO_TEST_HAPROXY (the haproxy binary) is not set: run the tests with scripts/test, which installs and checks it.");

    public Uri Address => new($"http://127.0.0.1:{State["HAPROXY_PORT"]}");

    public async Task StartAsync(IEnumerable<int> nodePorts)
    {
        State = new() { ["HAPROXY_BIN"] = Binary };
        State = await RunAsync($"haproxy_start '{Work}' {string.Join(' ', nodePorts.Select(p => $"127.0.0.1:{p}"))}", "HAPROXY_BIN", "HAPROXY_PORT", "HAPROXY_DIR");
    }
}
