// The SMTP listener's memory under large mail (issue 9 §5): N clients send one message of M bytes each, all at once, to a
// Sportello started as its own process (so the driver's buffers are not counted), with the intake on hold (only the
// listener and the store are measured). Reports the process's peak working set (the kernel's VmHWM) and the largest
// GC heap seen in /metrics while the messages arrive.
// Usage: -- mail-memory [Sportello.dll] [clients=50] [message MB=30] (SQLite in a temporary folder)
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Sportello.Bench;

internal static partial class MailMemoryBench
{
    public static async Task RunAsync(string sportelloDll, int clients, int megabytes)
    {
        var dataDir = Directory.CreateTempSubdirectory("sportello-bench-memory-").FullName;
        var httpPort = FreePort();
        var smtpPort = FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            sportelloDll, "--urls", $"http://127.0.0.1:{httpPort}", "--environment", "Production",
            $"--Sportello:DataDir={dataDir}", "--Sportello:Demo=false", "--Sportello:RateLimits:Enabled=false",
            $"--Sportello:Mail:SmtpListen=127.0.0.1:{smtpPort}", "--Sportello:Mail:Intake:Hold=true",
            $"--Sportello:Mail:MaxSessionsPerIp={clients}", $"--Sportello:Mail:MaxSessions={Math.Max(100, clients)}",
            "--Logging:LogLevel:Default=Warning",
        })
        {
            start.ArgumentList.Add(arg);
        }
        using var sportello = Process.Start(start) ?? throw new InvalidOperationException("Sportello did not start");
        _ = sportello.StandardOutput.ReadToEndAsync();
        _ = sportello.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        try
        {
            await WaitAsync(http);
            var body = Body(megabytes * 1_000_000);
            var idle = Kilobytes(sportello.Id, "VmRSS");
            Console.WriteLine($"# mail memory: {clients} clients x {body.Length / 1_000_000.0:0.0} MB at once, Sportello {sportelloDll}, {Environment.ProcessorCount} cores");
            using var sampling = new CancellationTokenSource();
            var gcPeak = SampleGcHeapAsync(http, sampling.Token);
            var watch = Stopwatch.StartNew();
            var answers = await Task.WhenAll(Enumerable.Range(0, clients).Select(i => SendAsync(smtpPort, body, i)));
            var elapsed = watch.Elapsed;
            await sampling.CancelAsync();
            var peakGc = await gcPeak;
            var peak = Kilobytes(sportello.Id, "VmHWM");
            Console.WriteLine();
            Console.WriteLine("| measure | value |");
            Console.WriteLine("|---|---:|");
            Console.WriteLine($"| messages accepted (250) | {answers.Count(a => a.StartsWith("250", StringComparison.Ordinal))} of {clients} |");
            Console.WriteLine($"| other answers | {string.Join("; ", answers.Where(a => !a.StartsWith("250", StringComparison.Ordinal)).Distinct().DefaultIfEmpty("none"))} |");
            Console.WriteLine($"| time to accept all | {elapsed.TotalSeconds:0.0} s |");
            Console.WriteLine($"| working set before | {idle / 1024.0:0} MiB |");
            Console.WriteLine($"| peak working set (VmHWM) | {peak / 1024.0:0} MiB |");
            Console.WriteLine($"| largest GC heap seen (after a collection, /metrics) | {peakGc / 1048576.0:0} MiB |");
            Console.WriteLine($"| peak working set per message | {(peak - idle) / 1024.0 / clients:0.0} MiB |");
        }
        finally
        {
            sportello.Kill(entireProcessTree: true);
            await sportello.WaitForExitAsync();
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>One whole SMTP session, pipelining nothing: the answer to the end of DATA.</summary>
    private static async Task<string> SendAsync(int port, byte[] body, int index)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        async Task<string> Reply()
        {
            string? line;
            do
            {
                line = await reader.ReadLineAsync() ?? "";
            }
            while (line.Length > 3 && line[3] == '-');
            return line;
        }
        async Task<string> Say(string command)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            return await Reply();
        }
        var greeting = await Reply();
        if (!greeting.StartsWith("220", StringComparison.Ordinal))
        {
            return greeting;
        }
        await Say("EHLO bench.example");
        await Say($"MAIL FROM:<bench{index}@example.com> SIZE={body.Length}");
        await Say("RCPT TO:<support@sportello.local>");
        var data = await Say("DATA");
        if (!data.StartsWith("354", StringComparison.Ordinal))
        {
            return data;
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"Message-ID: <bench-{index}-{Guid.NewGuid():N}@example.com>\r\n"));
        await stream.WriteAsync(body);
        await stream.WriteAsync(".\r\n"u8.ToArray());
        var answer = await Reply();
        await Say("QUIT");
        return answer;
    }

    /// <summary>A plain-text mail of about <paramref name="size"/> bytes: headers, then 76-character lines.</summary>
    private static byte[] Body(int size)
    {
        var text = new StringBuilder("From: bench@example.com\r\nTo: support@sportello.local\r\nSubject: Large mail\r\n\r\n");
        var line = new string('x', 76) + "\r\n";
        while (text.Length + line.Length < size)
        {
            text.Append(line);
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static async Task<long> SampleGcHeapAsync(HttpClient http, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var metrics = await http.GetStringAsync("/metrics", stop);
                var heap = HeapSize().Matches(metrics).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                peak = Math.Max(peak, (long)heap);
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (HttpRequestException)
            {
                // Busy: the next sample will do.
            }
        }
        return peak;
    }

    // The runtime's own meter (.NET 9+): heap size per generation after the last collection.
    [GeneratedRegex(@"^dotnet_gc_last_collection_heap_size_bytes\{[^}]*\} ([0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex HeapSize();

    private static long Kilobytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private static async Task WaitAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not up yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Sportello did not become ready in 60 s");
            }
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
