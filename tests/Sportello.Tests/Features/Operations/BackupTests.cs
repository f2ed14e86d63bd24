using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Features.Operations;

/// <summary>A SQLite installation whatever database the run is on: the backup command copies SQLite.</summary>
public sealed class BackedUpInstallation : SportelloApp
{
    public override async ValueTask InitializeAsync() => Database = await TestDatabase.CreateAsync(postgres: false);
}

/// <summary>A fresh data folder holding a backup as its database, as an operator restores one.</summary>
public sealed class RestoredInstallation(string backup) : SportelloApp
{
    public override async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(postgres: false);
        File.Copy(backup, Path.Combine(Database.DataDir, "sportello.db"));
    }
}

/// <summary><c>backup --to FILE</c>, run as a separate process while Sportello writes, then restored and started.</summary>
public sealed class BackupTests(BackedUpInstallation app) : IClassFixture<BackedUpInstallation>
{
    private const string Password = "customer passphrase 2026";

    [Fact]
    public async Task ABackupTakenUnderWriteLoad_RestoresEveryTicketAcknowledgedBeforeIt()
    {
        var (email, order, ip) = Unique.Customer("backup");
        var (customer, _) = await app.CustomerWithServiceAsync(email, order, ip);
        var acknowledged = new ConcurrentQueue<(string Id, string Subject)>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var subject = $"Load {w}-{i}";
                var response = await customer.PostAsJsonAsync("/api/v1/tickets",
                    new { department = "technical", priority = "normal", subject, description = $"Written while the backup runs ({w}-{i})." });
                acknowledged.Enqueue(((await response.JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!, subject));
            }
        })).ToList();
        while (acknowledged.Count < 40)
        {
            await Task.Delay(20);
        }
        var before = acknowledged.ToList();
        var file = Path.Combine(Directory.CreateTempSubdirectory("sportello-backup-").FullName, "sportello-backup.db");

        var exit = await BackupAsync(app.Database, file);

        var during = acknowledged.Count - before.Count;
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        var after = (await customer.OpenTicketAsync(new { department = "technical", priority = "normal", subject = "After", description = "After the backup." }))
            .GetProperty("id").GetString()!;
        Assert.True(exit.Code == 0, $"exit {exit.Code}: {exit.Error}\n{exit.Output}");
        Assert.Contains("Backup written", exit.Output, StringComparison.Ordinal);
        Assert.True(during > 0, "the writers kept writing while the backup ran");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.partial-*", SearchOption.TopDirectoryOnly));

        await using var restored = new RestoredInstallation(file);
        await restored.InitializeAsync();
        var signedIn = await restored.SignInAsync(email, Password);
        foreach (var (id, subject) in before)
        {
            var ticket = await (await signedIn.GetAsync($"/api/v1/tickets/{id}")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(subject, ticket.GetProperty("subject").GetString());
            Assert.Single(ticket.GetProperty("messages").EnumerateArray());
        }
        // A snapshot, not the live file copied later: what was written after it is not there.
        Assert.Equal(HttpStatusCode.NotFound, (await signedIn.GetAsync($"/api/v1/tickets/{after}")).StatusCode);
        // Every ticket it holds is whole: none without its first message, none half-written.
        await using var copy = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await copy.OpenAsync();
        await using var count = copy.CreateCommand();
        count.CommandText = """
            SELECT count(*), sum(NOT EXISTS (SELECT 1 FROM "TicketMessages" m WHERE m."TicketId" = t."Id")) FROM "Tickets" t
            """;
        await using var reader = await count.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.InRange(reader.GetInt64(0), before.Count, acknowledged.Count);
        Assert.Equal(0, reader.GetInt64(1));
    }

    [Fact]
    public async Task TheBackupCommand_RefusesAnExistingFile_APostgresConfiguration_AndAMissingTarget()
    {
        await app.AdminAsync();
        var folder = Directory.CreateTempSubdirectory("sportello-backup-").FullName;
        var existing = Path.Combine(folder, "monday.db");
        await File.WriteAllTextAsync(existing, "last week's backup");

        var overwrite = await BackupAsync(app.Database, existing);
        var postgres = await SportelloProcess.RunToExitAsync(
        [
            "backup", "--to", Path.Combine(folder, "pg.db"), "--Sportello:Database:Provider", "Postgres",
            "--ConnectionStrings:Sportello", "Host=127.0.0.1;Port=1;Database=sportello;Username=sportello;Password=s3cret-backup;Timeout=3",
        ], TimeSpan.FromMinutes(1));
        var noFolder = await BackupAsync(app.Database, Path.Combine(folder, "missing", "x.db"));
        var noTarget = await SportelloProcess.RunToExitAsync(["backup", "--Sportello:DataDir", app.Database.DataDir], TimeSpan.FromMinutes(1));

        Assert.Equal(1, overwrite.Code);
        Assert.Contains("already exists", overwrite.Error, StringComparison.Ordinal);
        Assert.Equal("last week's backup", await File.ReadAllTextAsync(existing));
        Assert.Equal(1, postgres.Code);
        Assert.Contains("pg_dump", postgres.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-backup", postgres.Output + postgres.Error, StringComparison.Ordinal);
        Assert.Equal(1, noFolder.Code);
        Assert.Contains("does not exist", noFolder.Error, StringComparison.Ordinal);
        Assert.Equal(2, noTarget.Code);
        Assert.Equal(["monday.db"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    private static Task<SportelloProcess.Exit> BackupAsync(TestDatabase database, string file) =>
        SportelloProcess.RunToExitAsync(
        [
            "backup", "--to", file,
            "--Sportello:Database:Provider", "Sqlite",
            "--ConnectionStrings:Sportello", database.ConnectionString,
            "--Sportello:DataDir", database.DataDir,
        ], TimeSpan.FromMinutes(2));
}
