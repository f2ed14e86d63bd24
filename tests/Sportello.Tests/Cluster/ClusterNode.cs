using System.Diagnostics;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Cluster;

/// <summary>One Sportello node of the cluster: the built Sportello.dll as its own process, on its own HTTP and SMTP ports.</summary>
public sealed class ClusterNode(int number, Func<int, IEnumerable<string>> settings) : IDisposable
{
    public int Number { get; } = number;
    public int HttpPort { get; } = MailApp.FreePort();
    public int SmtpPort { get; } = MailApp.FreePort();
    public Uri Address => new($"http://127.0.0.1:{HttpPort}");
    public string DataDir { get; } = Directory.CreateTempSubdirectory("sportello-cluster-node-").FullName;
    private Process? process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> output = new();

    /// <summary>The node's last lines of output, for a failure's message.</summary>
    public string Output => string.Join('\n', output);

    public bool Running => process is { HasExited: false };
    /// <summary>The process's id: a node that restarted itself would have another.</summary>
    public int? ProcessId => Running ? process!.Id : null;

    public void Start()
    {
        process?.Dispose();
        process = SportelloProcess.Start([
            "--urls", Address.ToString().TrimEnd('/'),
            "--Sportello:DataDir", DataDir,
            "--Sportello:Mail:SmtpListen", $"127.0.0.1:{SmtpPort}",
            .. settings(Number),
        ]);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        output.Enqueue($"[node {Number}] {line}");
        while (output.Count > 100 && output.TryDequeue(out _))
        {
        }
    }

    /// <summary>kill -9: no shutdown, no goodbye to the database, Redis or the balancer.</summary>
    public async Task KillAsync()
    {
        if (process is null)
        {
            return;
        }
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async Task WaitReadyAsync(int seconds = 90)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            if (!Running)
            {
                Assert.Fail($"node {Number} exited ({process?.ExitCode}) before it was ready:\n{Output}");
            }
            try
            {
                return (await http.GetAsync(new Uri(Address, "/health/ready"))).IsSuccessStatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, $"node {Number} to be ready", seconds);
        await MailApp.WaitForSmtpAsync(SmtpPort);
    }

    public void Dispose()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file a dying node still held: the OS cleans temporary folders.
        }
    }
}
