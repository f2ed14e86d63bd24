using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Data;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Data;

[Trait("Category", "Data")]
public sealed class MigrationsTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    [Fact]
    public async Task Migrations_AppliedOnAnEmptyDatabase_AllOfThem()
    {
        _ = app.Server;
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        Assert.Equal(TestDatabase.IsPostgres, db.Database.IsNpgsql());
        var applied = await db.Database.GetAppliedMigrationsAsync(TestContext.Current.CancellationToken);
        Assert.Equal(db.Database.GetMigrations(), applied);
    }

    [Fact]
    public void Model_HasNoChangesWithoutAMigration()
    {
        _ = app.Server;
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model changed without a migration for {db.GetType().Name}: run dotnet ef migrations add for both providers.");
    }
}
