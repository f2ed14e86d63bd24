using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

[Trait("Category", "Data")]
public sealed class StartupTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task Start_DatabaseNewerThanTheCode_RefusesWithAClearMessage()
    {
        _ = app.Server;
        await app.Database.ExecuteAsync(
            "INSERT INTO \"__ef_migrations\" (\"MigrationId\", \"ProductVersion\") VALUES ('29991231000000_FromTheFuture', '99.0.0')");
        var exit = await SportelloProcess.RunToExitAsync(
        [
            "--urls", "http://127.0.0.1:0",
            "--Sportello:Database:Provider", app.Database.Provider,
            "--ConnectionStrings:Sportello", app.Database.ConnectionString,
            "--Sportello:DataDir", app.Database.DataDir,
        ], TimeSpan.FromSeconds(90));
        Assert.NotEqual(0, exit.Code);
        Assert.Contains("newer schema", exit.Error, StringComparison.Ordinal);
        Assert.Contains("29991231000000_FromTheFuture", exit.Error, StringComparison.Ordinal);
    }
}

public sealed class UnreachableDatabaseTests
{
    [Fact]
    public async Task Start_PostgresUnreachable_ExitsNonZeroNamingTheServerButNotThePassword()
    {
        var exit = await SportelloProcess.RunToExitAsync(
        [
            "--urls", "http://127.0.0.1:0",
            "--Sportello:Database:Provider", "Postgres",
            "--ConnectionStrings:Sportello", "Host=127.0.0.1;Port=1;Database=sportello;Username=sportello;Password=s3cret-value;Timeout=3",
            "--Sportello:DataDir", Directory.CreateTempSubdirectory("sportello-unreachable-").FullName,
        ], TimeSpan.FromSeconds(90));
        Assert.NotEqual(0, exit.Code);
        Assert.Contains("unreachable", exit.Error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1/sportello", exit.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", exit.Error + exit.Output, StringComparison.Ordinal);
    }
}
