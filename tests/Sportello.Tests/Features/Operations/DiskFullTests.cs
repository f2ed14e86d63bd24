using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Operations;

/// <summary>SQLite on a small file system of its own (a tmpfs of 48 MB, mounted for the test and removed after it).</summary>
public sealed class SmallDiskInstallation : SportelloApp
{
    public string Mount { get; } = Directory.CreateTempSubdirectory("sportello-small-disk-").FullName;

    public override async ValueTask InitializeAsync()
    {
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", Mount);
        Database = TestDatabase.SqliteIn(Mount);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await RunAsync("umount", Mount);
        Directory.Delete(Mount);
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        // The test runs as root (scripts/test installs its packages); a machine that cannot mount fails here, loudly.
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} failed: {error}");
    }
}

/// <summary>The disk under SQLite fills up: writes fail with a clear error, nothing is half-written, and work resumes when space returns.</summary>
public sealed class DiskFullTests(SmallDiskInstallation app) : IClassFixture<SmallDiskInstallation>
{
    [Fact]
    public async Task WhenTheDiskIsFull_WritesAnswer503_NothingIsHalfWritten_AndWorkResumesWhenSpaceReturns()
    {
        var (email, order, ip) = Unique.Customer("disk");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var before = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "Before", description = "Room to spare." }))
            .GetProperty("id").GetString()!;
        var filler = Path.Combine(app.Mount, "filler");
        // The write-ahead log back to nothing, so the next write needs new space (a log with room left would take it).
        await app.Database.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        await FillAsync(filler);

        var refused = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            refused.Add(await customer.PostAsJsonAsync("/api/v1/tickets",
                new { department = "technical", priority = "normal", subject = $"Full {i}", description = new string('x', 45_000) }));
        }
        var reply = await customer.PostAsJsonAsync($"/api/v1/tickets/{before}/messages", new { body = new string('y', 45_000) });

        foreach (var response in refused.Append(reply))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("storage is full", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        // Reads still work while the disk is full, and show nothing of the refused writes.
        var view = await (await customer.GetAsync($"/api/v1/tickets/{before}")).JsonAsync(HttpStatusCode.OK);
        Assert.Single(view.GetProperty("messages").EnumerateArray());
        var list = await (await customer.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["Before"], list.EnumerateArray().Select(t => t.GetProperty("subject").GetString()));

        File.Delete(filler);

        // Space is back: the same node writes again, without a restart.
        var after = await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "After", description = new string('z', 20_000) });
        await (await customer.PostAsJsonAsync($"/api/v1/tickets/{before}/messages", new { body = "Space is back." })).JsonAsync(HttpStatusCode.Created);
        var again = await (await customer.GetAsync("/api/v1/tickets")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["After", "Before"], again.EnumerateArray().Select(t => t.GetProperty("subject").GetString()));
        Assert.Equal("After", after.GetProperty("subject").GetString());
        await using var check = new Microsoft.Data.Sqlite.SqliteConnection(app.Database.ConnectionString);
        await check.OpenAsync();
        await using var command = check.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", await command.ExecuteScalarAsync());
    }

    // Writes zeros until the file system refuses more.
    private static async Task FillAsync(string path)
    {
        var block = new byte[1 << 20];
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        try
        {
            while (true)
            {
                await stream.WriteAsync(block);
            }
        }
        catch (IOException)
        {
            // Full.
        }
        try
        {
            // The last partial block too, so not even a page is left.
            for (var size = block.Length / 2; size >= 512; size /= 2)
            {
                try
                {
                    await stream.WriteAsync(block.AsMemory(0, size));
                }
                catch (IOException)
                {
                    // Smaller.
                }
            }
        }
        finally
        {
            try
            {
                await stream.DisposeAsync();
            }
            catch (IOException)
            {
                // Closing a full file may fail to flush; the bytes on disk are what counts.
            }
        }
    }
}
