using System.Diagnostics;

namespace Sportello.Tests.Infrastructure;

/// <summary>swaks, a real SMTP client, sending raw bytes exactly as given (scripts/test installs it).</summary>
public static class Swaks
{
    public sealed record Result(int ExitCode, string Transcript);

    /// <summary>Sends <paramref name="raw"/>; with <paramref name="startTls"/>, only after STARTTLS (swaks --tls).</summary>
    public static async Task<Result> SendRawAsync(int port, string from, string to, byte[] raw, bool startTls = false)
    {
        var file = Path.Combine(Path.GetTempPath(), $"swaks-{Guid.NewGuid():N}.eml");
        await File.WriteAllBytesAsync(file, raw);
        try
        {
            var start = new ProcessStartInfo("swaks") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "--server", $"127.0.0.1:{port}", "--from", from, "--to", to, "--data", "@" + file, "--timeout", "30" })
            {
                start.ArgumentList.Add(arg);
            }
            if (startTls)
            {
                start.ArgumentList.Add("--tls");
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException("swaks did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return new Result(process.ExitCode, await output + await error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("swaks is not installed; scripts/test installs it (apt-get install swaks).", ex);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
